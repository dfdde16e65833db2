"""Feed benchmark: time and size of every feed, bytes per ORUK service, and the whole site's size.

Run ``python -m bench.feeds [N ...] [--no-site]`` (default 10000 50000). Entries come from
``bench.synthetic.generate``; the reference, measured in the same run, is a plain
``json.dumps`` of the same entries written to one file. Each exporter is timed on its own
(directory.json split into build, schema check and write), then the total is compared with
the reference. Wall time is what you wait; CPU time is less affected by other work on a shared
machine (it includes the kernel's time creating files, in every thread). Sizes of
``openreferral/`` add up every file; the gzipped figure is what a server sending gzip would
transfer for all of them.

Then the ORUK API's size per service: the service records alone (target: under 2,500 bytes),
and everything in ``openreferral/`` (records, the one-page list, the 500-a-page lists, organisations,
taxonomies), each beside the listing's own JSON (the reference); bytes of the files and what the
file system allocates for them.

Then ``write_feeds`` as ``linkwell build`` runs it: cold (empty output folder), warm (again,
nothing changed) and after editing one entry, beside a second reference: creating one file per
listing with the same bytes as its ORUK service record, one after the other, in an empty folder
— the file system's share of a cold build, which no exporter code can go below.

Last (unless ``--no-site``), the whole website as ``linkwell build`` makes it (entry pages, lists,
search index, feeds) at each size, folder by folder, beside GitHub Pages' 1 GB limit for a
published site.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench import scratch
from bench.synthetic import generate, write_directory
from linkwell.publish.feeds import common, directory_json, geojson, openreferral, openreferral_api, tabular, write_feeds

TARGET_RECORD_BYTES = 2500
TARGET_SITE_BYTES = 1_000_000_000  # GitHub Pages: a published site may be at most 1 GB
CACHES = "(build caches: .linkwell-*)"


def _sizes(paths) -> tuple[int, int]:
    raw = gz = 0
    for path in paths:
        data = Path(path).read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, compresslevel=6))
    return raw, gz


def _mb(n: int) -> str:
    return f"{n / 1e6:8.2f} MB"


def _part(api: Path, path: Path) -> str:
    """Which part of the API a file is: service records, service lists, organizations, ..."""
    folder, name = path.relative_to(api).parts[0], path.name
    if folder == "services":
        return "service records" if "." not in name else "service lists (one page + pages)"
    return "root" if folder == name else folder


def oruk_sizes(api: Path, entries: list[dict]) -> None:
    """Bytes per service of the ORUK API, part by part, beside the listings' own JSON."""
    n = max(1, len(entries))
    reference = sum(len(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode()) for e in entries) / n
    raw, blocks, files = Counter(), Counter(), Counter()
    for root, _dirs, names in os.walk(api):
        for name in names:
            path = Path(root, name)
            stat = path.stat()
            part = _part(api, path)
            raw[part] += stat.st_size
            blocks[part] += stat.st_blocks * 512
            files[part] += 1
    print(f"  ORUK API per service  (reference: the listing's own compact JSON, {reference:,.0f} bytes)")
    record = raw["service records"] / n
    verdict = "under" if record < TARGET_RECORD_BYTES else "OVER"
    print(f"    {'service records':<34}{record:8,.0f} bytes {record / reference:6.2f} × ref  "
          f"({verdict} the {TARGET_RECORD_BYTES:,}-byte target)")
    for part in sorted(p for p in raw if p != "service records"):
        print(f"    {part:<34}{raw[part] / n:8,.0f} bytes {raw[part] / n / reference:6.2f} × ref  "
              f"({files[part]:,} files)")
    total, allocated = sum(raw.values()), sum(blocks.values())
    print(f"    {'openreferral/ in all':<34}{total / n:8,.0f} bytes {total / n / reference:6.2f} × ref  "
          f"{total / 1e6:.1f} MB in {sum(files.values()):,} files; {allocated / 1e6:.1f} MB allocated on disk "
          f"({allocated / n:,.0f} bytes per service)")


def site_size(n: int) -> None:
    """Build the whole site for ``n`` synthetic listings and print its size folder by folder (files at
    the root by name; the build's hidden caches together, left out of the published size as
    .github/workflows/publish.yml deletes them before uploading the site)."""
    scratch_dir = scratch("linkwell-feeds-site-")
    tmp = Path(scratch_dir.name)
    try:
        write_directory(tmp / "directory", n)
        env = dict(os.environ, LINKWELL_CACHE_DIR=str(tmp / "cache"), NO_MKDOCS_2_WARNING="1")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "linkwell", "build", "--directory", str(tmp / "directory"),
                        "--out", str(tmp / "site")], env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        sizes, files = Counter(), Counter()
        for root, _dirs, names in os.walk(tmp / "site"):
            top = Path(root).relative_to(tmp / "site").parts[:1]
            for name in names:
                part = top[0] if top else CACHES if name.startswith(".") else name
                sizes[part] += os.path.getsize(os.path.join(root, name))
                files[part] += 1
        total = sum(sizes.values())
        published = total - sizes[CACHES]
        verdict = "under" if published < TARGET_SITE_BYTES else "OVER"
        print(f"\n{n:,} listings: the published site {published / 1e6:,.1f} MB, "
              f"{published / TARGET_SITE_BYTES:.2f} × GitHub Pages' 1 GB limit ({verdict}); with the build caches "
              f"{total / 1e6:,.1f} MB in {sum(files.values()):,} files; built in {seconds:.0f} s")
        for folder, size in sizes.most_common():
            print(f"  {folder:<30}{size / 1e6:10.1f} MB {size / total:6.1%} {size / n:10,.0f} bytes per listing"
                  f"  ({files[folder]:,} files)")
    finally:
        scratch_dir.cleanup()


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
        paths = openreferral_api.write(entries, out, at)
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

        oruk_sizes(out / openreferral.FOLDER, entries)
        records = [p.read_bytes() for p in (out / openreferral.FOLDER / "services").iterdir() if "." not in p.name]
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
    sizes = [int(a) for a in sys.argv[1:] if not a.startswith("--")] or [10000, 50000]
    for size in sizes:
        run(size)
    if "--no-site" not in sys.argv:
        for size in sizes:
            site_size(size)
