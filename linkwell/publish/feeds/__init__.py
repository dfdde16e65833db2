"""Exporters: the open-data feeds ``linkwell build`` publishes beside the website.

``write_feeds(entries, out_dir, generated_at=None)`` takes validated entry dicts (e.g.
``validate_paths([...]).entries.values()``) and writes, into ``out_dir``:

- ``directory.json`` — the merged meta-directory (``directory_json``; validated against
  ``schema/feed.schema.json`` on every build, ``FeedError`` if it does not match);
- ``openreferral/`` — the ORUK 3.0 / HSDS 3.0 static API (records in ``openreferral``, files in
  ``openreferral_api``), and ``_redirects`` / ``_headers`` for hosts that route (``hosting``);
- ``directory.csv`` — one row per listing (``tabular``);
- ``directory.geojson`` — RFC 7946 points (``geojson``);
- ``schema/feed.schema.json`` — a copy of the schema ``directory.json`` follows.

It returns the paths written (ORUK service files only when new or changed). ``generated_at``
(default: now, UTC) is stamped into the feeds and its date is the day freshness is computed
for. Entries are written sorted by id, so the output depends only on the entries and
``generated_at``. Licence and attribution per source come from the harvester sources file
when there is one (``common.source_catalogue``).

Incremental: each entry's share of every feed (its ``directory.json`` item, CSV line, GeoJSON
feature, ORUK list item and organisation) is cached in ``feeds.marshal.<n>`` in the output folder's
cache folder (``cachefile.for_output``; ``cachefile.write_sharded``: only the shards holding a
changed entry are rewritten), keyed by the entry's content, the build day and the exporters' code;
only new or changed entries are recomputed, checked against the feed schema and get their ORUK
service file written. The files are then assembled from the cached texts — byte for byte what a
build from scratch writes — and service files of removed entries are deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import shutil
from pathlib import Path

from linkwell.listings.digest import entry_digest
from linkwell.publish.feeds import common, directory_json, geojson, hosting, openreferral, openreferral_api, tabular
from linkwell.publish.feeds.directory_json import FeedError
from linkwell.publish.output import write_bytes
from linkwell.reference import SCHEMA_DIR
from linkwell.speed import cachefile

__all__ = ["FeedError", "write_feeds"]

CACHE_FILE = "feeds.marshal"
# Service files are written by this thread, a batch at a time. A writer thread beside it cost more
# CPU than it saved wall time: each of its system calls hands the GIL back and forth with the busy
# thread (20,000 entries: 4.7 s of CPU with one writer thread, 3.9 s without, and no slower).
BATCH = 256  # entries checked against the feed schema, then written, together


def _version(today: dt.date) -> str:
    """Changes with the build day, the exporters' code, the schemas and the postcode table."""
    from linkwell.listings import freshness
    from linkwell.reference import boroughs, postcodes
    digest = hashlib.blake2b(digest_size=12)
    sources = [*sorted(Path(__file__).parent.glob("*.py")), *sorted(SCHEMA_DIR.glob("*.json")),
               Path(freshness.__file__), Path(boroughs.__file__), Path(postcodes.__file__)]
    for path in sources:
        digest.update(path.read_bytes())
    stat = postcodes.POSTCODE_FILE.stat()
    digest.update(f"{today}|{stat.st_size}|{stat.st_mtime_ns}|{marshal.version}".encode())
    return digest.hexdigest()


def _write_files(files: list[tuple[Path, bytes]]) -> None:
    for path, data in files:
        write_bytes(path, data)


def write_feeds(entries, out_dir: Path, generated_at: dt.datetime | None = None, *,
                sources_file: Path | None = None, digests: dict[str, str] | None = None) -> list[Path]:
    """``digests`` ({entry id: ``linkwell.listings.digest.entry_digest(entry)``}, optional) spares computing them."""
    from linkwell.speed.gc import no_gc  # many small acyclic objects: the collector's passes only cost time
    with no_gc():
        return _write_feeds(entries, out_dir, generated_at, sources_file, digests or {})


def _write_feeds(entries, out_dir, generated_at, sources_file, digests) -> list[Path]:
    generated_at = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    if generated_at.tzinfo is None:
        generated_at = generated_at.replace(tzinfo=dt.UTC)
    today = generated_at.date()
    entries = sorted(entries, key=lambda e: e["id"])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalogue = common.source_catalogue(sources_file)
    (out_dir / "schema").mkdir(exist_ok=True)
    schema_copy = Path(shutil.copyfile(SCHEMA_DIR / "feed.schema.json", out_dir / "schema" / "feed.schema.json"))

    services = out_dir / openreferral.FOLDER / "services"
    services.mkdir(parents=True, exist_ok=True)
    on_disk = {e.name: e for e in os.scandir(services)}
    version = _version(today)
    cache_path = cachefile.for_output(out_dir) / CACHE_FILE
    cached = cachefile.read_sharded(cache_path, version)
    head = directory_json.head(entries, generated_at, catalogue)
    directory_json.check(head | {"entries": []})
    fresh_cache, batch, written_services, changed = {}, [], [], set()

    def flush():  # check a batch of new or changed entries against the feed schema, then write their records
        directory_json.check(head | {"entries": [item for _path, _data, item in batch]})
        _write_files([(path, data) for path, data, _item in batch])
        written_services.extend(path for path, _data, _item in batch)
        batch.clear()

    for entry in entries:
        key = digests.get(entry["id"]) or entry_digest(entry)
        hit = cached.get(entry["id"])
        if hit is not None and hit[0] == key:
            existing = on_disk.get(hit[8])
            if existing is not None and existing.stat().st_size == hit[9]:
                fresh_cache[entry["id"]] = hit
                continue
        changed.add(entry["id"])
        facts = common.facts(entry, today)  # what every feed needs, worked out once
        record = openreferral.service_record(entry, today, facts)
        service_data = openreferral_api.dumps(record, facts.dumps)
        name = record["id"]
        item = directory_json.feed_entry(entry, today, facts)
        batch.append((services / name, service_data, item))
        fresh_cache[entry["id"]] = (key, facts.dumps(item),
                                    geojson.feature_text(entry, today, facts) or b"",
                                    tabular.row_text(entry, today, facts).encode(),
                                    *openreferral_api.record_parts(record), name, len(service_data))
        if len(batch) >= BATCH:
            flush()
    flush()
    parts = [fresh_cache[e["id"]] for e in entries]
    wanted = {p[8] for p in parts}
    written = [
        schema_copy,
        directory_json.write_texts(head, [p[1] for p in parts], out_dir),
        tabular.write_lines([p[3] for p in parts], out_dir),
        geojson.write_texts([p[2] for p in parts if p[2]], out_dir),
        *openreferral_api.write_lists([p[4:8] for p in parts], out_dir, generated_at, wanted),
        *hosting.write(out_dir),
        *written_services,
    ]
    changed.update(set(cached) - set(fresh_cache))
    cachefile.write_sharded(cache_path, version, fresh_cache, changed)
    return written
