"""``directory.json``: the merged meta-directory, documented by ``schema/feed.schema.json``.

``build(entries, generated_at, catalogue)`` returns the document: every entry (sorted by id,
harvest bookkeeping removed) with ``oruk_id``, ``borough_name``, ``geo`` and ``freshness``
for the build day, plus licence, attribution per source, generation time and schema version.
``check(document)`` validates it against the feed schema and raises ``FeedError`` naming the
first problem; ``write(...)`` builds, checks and writes ``out_dir/directory.json`` (UTF-8,
non-ASCII kept as is).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

from linkwell import schema
from linkwell.exporters import common
from linkwell.freshness import freshness

FILE_NAME = "directory.json"
SCHEMA_URL = "https://linkwell.london/schema/feed.schema.json"
PUBLISHER = {"name": "Linkwell", "url": "https://linkwell.london/"}


class FeedError(Exception):
    """A feed failed its own schema: a bug in the exporter, never the data's fault."""


def feed_entry(entry: dict, today: dt.date) -> dict:
    out = {"id": entry["id"], "oruk_id": common.service_id(entry["id"])}
    for key, value in entry.items():
        if key == "id":
            continue
        if key == "sources":
            value = [{k: v for k, v in s.items() if k != "harvested"} for s in value]
        out[key] = value
        if key == "borough":
            out["borough_name"] = common.borough_name(value)
    point = common.coordinates(entry)
    if point:
        out["geo"] = {"lat": point[0], "lon": point[1], "from": point[2]}
    fresh = freshness(entry, today)
    out["freshness"] = {"state": fresh.state, "notice": fresh.notice, "age_months": fresh.age_months,
                        "threshold_months": fresh.threshold_months, "due_on": fresh.due_on.isoformat(),
                        "days_overdue": fresh.days_overdue}
    return out


def head(entries: list[dict], generated_at: dt.datetime, catalogue: dict[str, dict]) -> dict:
    """The document without its ``entries`` (which come last in it)."""
    today = generated_at.date()
    sources = common.attributions(entries, catalogue)
    attribution = [common.OGL["attribution"]]
    if any((e.get("location") or {}).get("postcode") for e in entries):
        attribution.append(common.POSTCODE_ATTRIBUTION)
    attribution += sorted({s["attribution"] for s in sources if s.get("attribution")})
    return {
        "$schema": SCHEMA_URL,
        "schema_version": common.FEED_SCHEMA_VERSION,
        "generated_at": generated_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "freshness_as_of": today.isoformat(),
        "publisher": PUBLISHER,
        "licence": common.OGL,
        "attribution": attribution,
        "openreferral": {"namespace": str(common.LINKWELL_NAMESPACE),
                         "service_id": "uuid5(namespace, entry id)",
                         "api": "openreferral/index.json"},
        "sources": sources,
        "total": len(entries),
    }


def build(entries: list[dict], generated_at: dt.datetime, catalogue: dict[str, dict]) -> dict:
    today = generated_at.date()
    return head(entries, generated_at, catalogue) | {"entries": [feed_entry(e, today) for e in entries]}


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # compact: C encoder, small file


@cache
def _checker():
    import fastjsonschema

    entry_schema = schema.load("entry.schema.json")
    return fastjsonschema.compile(schema.load("feed.schema.json"),
                                  handlers={"https": lambda uri: entry_schema})


def check(document: dict) -> None:
    """Raise ``FeedError`` unless ``document`` is valid against ``schema/feed.schema.json``."""
    import fastjsonschema

    try:
        _checker()(document)
    except fastjsonschema.JsonSchemaException as error:
        raise FeedError(f"{FILE_NAME} does not match schema/feed.schema.json: {error.message}") from None


def write(entries: list[dict], out_dir: Path, generated_at: dt.datetime, catalogue: dict[str, dict]) -> Path:
    document = build(entries, generated_at, catalogue)
    check(document)
    texts = [dumps(e) for e in document["entries"]]
    del document["entries"]
    return write_texts(document, texts, out_dir)


def write_texts(document_head: dict, entry_texts: list[str], out_dir: Path) -> Path:
    """Write ``directory.json`` from its head and the JSON text of each feed entry (already checked);
    byte for byte what ``json.dumps`` of the whole document gives."""
    path = Path(out_dir) / FILE_NAME
    text = dumps(document_head)[:-1] + ',"entries":[' + ",".join(entry_texts) + "]}\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
