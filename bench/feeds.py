"""Feed generation benchmark: time and size (raw and gzipped) of every feed at 10k and 50k entries.

Run ``python -m bench.feeds [N ...]`` (default 10000 50000). Entries come from
``bench.synthetic.generate``; the reference, measured in the same run, is a plain
``json.dumps`` of the same entries written to one file. Each exporter is timed on its own
(directory.json split into build, schema check and write), then the total is compared with
the reference. Wall time is what you wait; CPU time is less affected by other work on a shared
machine (it includes the kernel's time creating files, in every thread). Sizes of
``openreferral/`` add up every file; the gzipped figure is what a server sending gzip would
transfer for all of them.

Then ``write_feeds`` as ``linkwell build`` runs it: cold (empty output folder), warm (again,
nothing changed) and after editing one entry, beside a second reference: creating one file per
listing with the same bytes as its ORUK service record, one after the other, in an empty folder
— the file system's share of a cold build, which no exporter code can go below.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path

from bench import scratch
from bench.synthetic import generate
from linkwell.publish.feeds import common, directory_json, geojson, openreferral, tabular, write_feeds


def _sizes(paths) -> tuple[int, int]:
    raw = gz = 0
    for path in paths:
        data = Path(path).read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, compresslevel=6))
    return raw, gz


def _mb(n: int) -> str:
    return f"{n / 1e6:8.2f} MB"


def run(n: int) -> None:
    entries = sorted(generate(n, seed=7), key=lambda e: e["id"])
    at = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
    scratch_dir = scratch("linkwell-feeds-")
    out = Path(scratch_dir.name)
    try:
        start = time.perf_counter()
        reference_path = out / "reference.json"
        reference_path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        reference = time.perf_counter() - start
        ref_raw, ref_gz = _sizes([reference_path])

        rows = []
        start = time.perf_counter()
        document = directory_json.build(entries, at, common.source_catalogue())
        built = time.perf_counter()
        directory_json.check(document)
        checked = time.perf_counter()
        del document
        cpu = time.process_time()
        path = directory_json.write(entries, out, at, {})  # build + check + write, timed as a whole
        total_json = time.perf_counter() - checked
        rows.append(("directory.json", total_json, time.process_time() - cpu, [path],
                     f"build {built - start:.2f} s, schema check {checked - built:.2f} s"))
        for name, module in (("directory.csv", tabular), ("directory.geojson", geojson)):
            start, cpu = time.perf_counter(), time.process_time()
            path = module.write(entries, out, at)
            rows.append((name, time.perf_counter() - start, time.process_time() - cpu, [path], ""))
        start, cpu = time.perf_counter(), time.process_time()
        paths = openreferral.write(entries, out, at)
        rows.append(("openreferral/", time.perf_counter() - start, time.process_time() - cpu, paths,
                     f"{len(paths)} files"))

        total = sum(r[1] for r in rows)
        print(f"\n{n:,} entries  (reference: json.dumps of the entries {reference:.2f} s, "
              f"{_mb(ref_raw).strip()} raw, {_mb(ref_gz).strip()} gzipped)")
        print(f"  {'feed':<20}{'wall':>9}{'cpu':>8}{'× ref':>8}{'raw':>12}{'gzipped':>12}{'× ref size':>12}  notes")
        for name, seconds, cpu_seconds, files, note in rows:
            raw, gz = _sizes(files)
            print(f"  {name:<20}{seconds:8.2f}s{cpu_seconds:7.2f}s{seconds / reference:8.1f}{_mb(raw)}{_mb(gz)}"
                  f"{raw / ref_raw:12.2f}  {note}")
        print(f"  {'all feeds':<20}{total:8.2f}s{total / reference:8.1f}   ({n / total:,.0f} entries/s)")

        records = [p.read_bytes() for p in (out / openreferral.FOLDER / "services").glob("*-*-*-*-*.json")]
        (out / "files").mkdir()
        start, cpu = time.perf_counter(), time.process_time()
        for i, data in enumerate(records):
            fd = os.open(out / "files" / f"{i}.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            os.write(fd, data)
            os.close(fd)
        files, files_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"  reference: creating {len(records):,} files of the ORUK records' bytes "
              f"{files:.2f} s wall, {files_cpu:.2f} s cpu")
        edited = [dict(e) for e in entries]
        edited[len(edited) // 2]["description"] += " Edited."
        for label, batch in (("cold", entries), ("warm", entries), ("1 edit", edited)):
            start, cpu = time.perf_counter(), time.process_time()
            write_feeds(batch, out / "build", at)
            seconds = time.perf_counter() - start
            print(f"  write_feeds {label:<7}{seconds:8.2f}s{time.process_time() - cpu:7.2f}s cpu"
                  f"{seconds / files:8.1f} × file creation  ({n / seconds:,.0f} entries/s)")
        print(f"  peak RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        scratch_dir.cleanup()


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [10000, 50000]:
        run(size)
