"""``directory.json``: the merged meta-directory, documented by ``schema/feed.schema.json``.

``build(entries, generated_at, catalogue)`` returns the document: every entry (sorted by id,
harvest bookkeeping and the maintainers' GitHub accounts removed) with ``oruk_id``,
``borough_name``, ``geo`` and ``freshness`` for the build day, plus licence, attribution per
source, generation time and schema version.
``check(document)`` validates it against the feed schema and raises ``FeedError`` naming the
first problem; ``write(...)`` builds, checks and writes ``out_dir/directory.json`` (UTF-8,
non-ASCII kept as is).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkwell.publish.feeds import common
from linkwell.publish.output import write_joined
from linkwell.reference import schema

FILE_NAME = "directory.json"
SCHEMA_URL = "https://linkwell.london/schema/feed.schema.json"
PUBLISHER = {"name": "Linkwell", "url": "https://linkwell.london/"}


NOT_PUBLISHED = {"id", "maintainers"}  # id is written first; maintainers' GitHub accounts stay in the repository


class FeedError(Exception):
    """A feed failed its own schema: a bug in the exporter, never the data's fault."""


def feed_entry(entry: dict, today: dt.date, facts: common.Facts | None = None) -> dict:
    """The entry as ``directory.json`` lists it; ``facts`` (``common.facts(entry, today)``) spares working them out."""
    facts = facts or common.facts(entry, today)
    out = {"id": entry["id"], "oruk_id": facts.service_id}
    for key, value in entry.items():
        if key in NOT_PUBLISHED:
            continue
        if key == "sources":
            value = [{k: v for k, v in s.items() if k != "harvested"} for s in value]
        out[key] = value
        if key == "borough":
            out["borough_name"] = common.borough_name(value)
    point = facts.point
    if point:
        out["geo"] = {"lat": point[0], "lon": point[1], "from": point[2]}
    fresh = facts.freshness
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


def dumps(value) -> bytes:
    """Compact UTF-8 JSON (``common.dumps``): the C encoder, a small file."""
    return common.dumps(value)


def check(document: dict) -> None:
    """Raise ``FeedError`` unless ``document`` is valid against ``schema/feed.schema.json``
    (jsonschema-rs; the error names the first problem and where it is)."""
    import jsonschema_rs

    try:
        schema.checker("feed.schema.json", formats=True).validate(document)
    except jsonschema_rs.ValidationError as error:
        path = list(error.instance_path)
        where = ""
        if len(path) > 1 and path[0] == "entries" and isinstance(path[1], int):
            where, path = f" in entry {document['entries'][path[1]].get('id')!r}", path[2:]
        where += " at /" + "/".join(str(step) for step in path)
        raise FeedError(f"{FILE_NAME} does not match schema/feed.schema.json: {error.message}{where}") from None


def write(entries: list[dict], out_dir: Path, generated_at: dt.datetime, catalogue: dict[str, dict]) -> Path:
    today = generated_at.date()
    facts = [common.facts(e, today) for e in entries]
    items = [feed_entry(e, today, f) for e, f in zip(entries, facts, strict=True)]
    document_head = head(entries, generated_at, catalogue)
    check(document_head | {"entries": items})
    return write_texts(document_head, [f.dumps(item) for item, f in zip(items, facts, strict=True)], out_dir)


def write_texts(document_head: dict, entry_texts: list[bytes], out_dir: Path) -> Path:
    """Write ``directory.json`` from its head and the JSON of each feed entry (already checked);
    byte for byte what ``json.dumps`` of the whole document gives, UTF-8 encoded."""
    path = Path(out_dir) / FILE_NAME
    write_joined(path, dumps(document_head)[:-1] + b',"entries":[', entry_texts, b",", b"]}\n")
    return path
