"""Check the listings a harvest would write, as the text they would be written as.

``check_entries(entries, directory)`` takes {id: entry} and returns {id: (text, problems)}:
``text`` is ``store.dump_entry(entry)`` (None when the entry cannot be dumped) and ``problems``
a list of (severity, field, message) from ``linkwell.listings.rules.check_bytes`` (the checks
``linkwell validate`` makes of one file: schema, semantics, postcode, personal data), plus an
error when the text would not read back as the same data. Dumping dominates a first harvest, so
big batches are checked by forked worker processes (they inherit the entries; only texts and
problems come back).
"""

from __future__ import annotations

import marshal
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from linkwell.listings.rules import check_bytes
from linkwell.listings.store import dump_entry
from linkwell.reference import schema
from linkwell.reference.postcodes import postcodes

PARALLEL_THRESHOLD = 400  # entries; fewer are checked in this process
_BATCH: dict = {}  # what forked workers check: set just before forking


def check_one(entry_id: str, entry: dict, directory: Path) -> tuple[str | None, list[tuple[str, str, str]]]:
    rel = f"{entry.get('borough')}/{entry_id}.yml"
    try:
        text = dump_entry(entry)
    except (ValueError, KeyError, TypeError) as exc:
        return None, [("error", "(file)", str(exc))]
    _digest, data, problems = check_bytes(text.encode("utf-8"), str(Path(directory) / rel), rel)
    out = [(p.severity, p.field, p.message) for p in problems]
    if data is not None and data != entry:
        out.append(("error", "(file)", "the listing would not read back exactly as written (unusual characters?)"))
    return text, out


def _check_chunk(ids: list[str]) -> bytes:
    entries, directory = _BATCH["entries"], _BATCH["directory"]
    return marshal.dumps([(i, *check_one(i, entries[i], directory)) for i in ids])


def check_entries(entries: dict[str, dict], directory: Path, workers: int | None = None) -> dict[str, tuple]:
    """{id: (text or None, [(severity, field, message)])}; see the module docstring."""
    ids = sorted(entries)
    workers = workers or min(4, os.cpu_count() or 1)
    if workers < 2 or len(ids) < PARALLEL_THRESHOLD:
        return {i: check_one(i, entries[i], directory) for i in ids}
    schema.entry_checker()  # compiled and loaded once before forking: the workers inherit them
    len(postcodes())
    dump_entry(entries[ids[0]])
    _BATCH.update(entries=entries, directory=directory)
    try:
        chunk = max(50, len(ids) // (workers * 8))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = pool.map(_check_chunk, [ids[k:k + chunk] for k in range(0, len(ids), chunk)])
            return {i: (text, problems) for part in parts for i, text, problems in marshal.loads(part)}
    finally:
        _BATCH.clear()
