"""Exporters: the open-data feeds ``linkwell build`` publishes beside the website.

``write_feeds(entries, out_dir, generated_at=None)`` takes validated entry dicts (e.g.
``validate_paths([...]).entries.values()``) and writes, into ``out_dir``:

- ``directory.json`` — the merged meta-directory (``directory_json``; validated against
  ``schema/feed.schema.json`` on every build, ``FeedError`` if it does not match);
- ``openreferral/`` — the ORUK 3.0 / HSDS 3.0 static API (``openreferral``);
- ``directory.csv`` — one row per listing (``tabular``);
- ``directory.geojson`` — RFC 7946 points (``geojson``);
- ``schema/feed.schema.json`` — a copy of the schema ``directory.json`` follows.

It returns the paths written. ``generated_at`` (default: now, UTC) is stamped into the feeds
and its date is the day freshness is computed for. Entries are written sorted by id, so the
output depends only on the entries and ``generated_at``. Licence and attribution per source
come from the harvester sources file when there is one (``common.source_catalogue``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from linkwell import SCHEMA_DIR
from linkwell.exporters import common, directory_json, geojson, openreferral, tabular
from linkwell.exporters.directory_json import FeedError

__all__ = ["FeedError", "write_feeds"]


def write_feeds(entries, out_dir: Path, generated_at: dt.datetime | None = None, *,
                sources_file: Path | None = None) -> list[Path]:
    generated_at = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    if generated_at.tzinfo is None:
        generated_at = generated_at.replace(tzinfo=dt.UTC)
    entries = sorted(entries, key=lambda e: e["id"])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalogue = common.source_catalogue(sources_file)
    (out_dir / "schema").mkdir(exist_ok=True)
    schema_copy = Path(shutil.copyfile(SCHEMA_DIR / "feed.schema.json", out_dir / "schema" / "feed.schema.json"))
    return [
        schema_copy,
        directory_json.write(entries, out_dir, generated_at, catalogue),
        tabular.write(entries, out_dir, generated_at),
        geojson.write(entries, out_dir, generated_at),
        *openreferral.write(entries, out_dir, generated_at),
    ]
