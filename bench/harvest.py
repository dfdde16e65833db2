"""Benchmark: harvest N records from a local ORUK 3.0 server into a temporary directory.

``python -m bench.harvest [N] [PAGE_SIZE]`` (defaults 10,000 and 100) starts a threaded
``http.server`` in a child process serving synthetic ORUK 3.0 pages (real London postcodes,
invented example.org organisations, never written to directory/), then measures in this process:

1. reference: the same pages fetched with requests and parsed with ``json.loads``, nothing else;
2. first harvest: ``linkwell.harvest.run_source`` (fetch, map, geocode) + ``merge.plan`` (match,
   check every entry as the text it will be written as) + ``apply`` (atomic writes) into an empty
   temporary directory;
3. second harvest of the same feed (nothing changes, nothing is written);
4. a second reference: the harvested files written again with plain open/write (what the disk costs).

Prints each stage's seconds, the CPU seconds of each harvest, its check workers included (steadier
than wall time on a shared machine), records per second, the ratio to the reference, and the peak
memory (max RSS) of this process, which holds the harvester only (the server lives in the child
process).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing
import os
import resource
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bench import scratch

TERMS = ["Arts and crafts", "Walking", "Befriending", "Debt advice", "Choir", "Gardening", "Lunch club", "Yoga"]


def record(i: int, postcode: str) -> dict:
    term = TERMS[i % len(TERMS)]
    return {
        "id": f"bench-{i:06d}",
        "name": f"{term} session {i}",
        "description": f"<p>A friendly {term.lower()} session number {i} for local residents.</p><p>Drop in.</p>",
        "url": f"https://example.org/services/{i}",
        "email": "info@example.org",
        "status": "active",
        "minimum_age": 18,
        "assured_date": "2026-03-01",
        "organization": {"id": f"org-{i % 997}", "name": f"Example Trust {i % 997}", "website": "https://example.org"},
        "phones": [{"id": f"p{i}", "number": "020 7946 0000"}],
        "schedules": [{"id": f"s{i}", "freq": "WEEKLY", "interval": 1, "byday": "MO,WE", "opens_at": "10:00:00",
                       "closes_at": "12:00:00"}],
        "service_at_locations": [{"id": f"sal{i}", "location": {
            "id": f"l{i}", "location_type": "physical", "name": "Community Hall",
            "addresses": [{"id": f"a{i}", "address_1": f"{i} High Street", "city": "London",
                           "postal_code": postcode, "country": "GB"}]}}],
        "cost_options": [{"id": f"c{i}", "amount": 0}],
        "attributes": [{"id": f"t{i}", "taxonomy_term": {"id": f"tt{i % 8}", "name": term}}],
    }


def _serve(n: int, size: int, port_queue) -> None:
    from linkwell.reference.postcodes import postcodes

    codes = postcodes().codes()
    step = max(1, len(codes) // n)
    pages_total = max(1, math.ceil(n / size))
    pages = {}
    for page in range(1, pages_total + 1):
        items = [record(i, codes[(i * step) % len(codes)]) for i in range((page - 1) * size, min(n, page * size))]
        pages[page] = json.dumps({"total_items": n, "total_pages": pages_total, "page_number": page, "size": size,
                                  "first_page": page == 1, "last_page": page == pages_total, "empty": False,
                                  "contents": items}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            body = pages.get(page, b'{"total_items": 0, "contents": []}')
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the merge's check workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _write_reference(directory: Path, target: Path) -> float:
    """Seconds to write the harvested files' bytes again with plain open/write, nothing else."""
    files = [(path.relative_to(directory), path.read_bytes()) for path in sorted(directory.rglob("*.yml"))]
    start = time.perf_counter()
    for rel, data in files:
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as f:
            f.write(data)
    return time.perf_counter() - start


def main(n: int = 10_000, size: int = 100) -> None:
    import requests

    from linkwell.harvest import run_source
    from linkwell.harvest.merge import plan
    from linkwell.harvest.sources import check_sources

    queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(n, size, queue), daemon=True)
    server.start()
    try:
        port = queue.get(timeout=120)
        base = f"http://127.0.0.1:{port}/api"
        pages = max(1, math.ceil(n / size))

        start = time.perf_counter()
        with requests.Session() as session:
            count = sum(len(session.get(f"{base}/services?page={p}&per_page={size}").json()["contents"])
                        for p in range(1, pages + 1))
        reference = time.perf_counter() - start
        assert count == n

        [source] = check_sources({"sources": [{"id": "bench-oruk", "kind": "oruk", "url": base, "licence": "test",
                                               "attribution": "synthetic", "oruk": {"page_size": size},
                                               "http": {"pace_seconds": 0}}]})
        today = dt.date(2026, 11, 20)
        with scratch("lw-bench-harvest-") as tmp:
            os.environ["LINKWELL_CACHE_DIR"] = str(Path(tmp) / "cache")  # keep validation caches out of the project
            directory = Path(tmp) / "directory"
            timings = []
            for _run in range(2):
                start, cpu = time.perf_counter(), _cpu()
                result = run_source(source, today, Path(tmp) / "state")
                harvested = time.perf_counter()
                merge_plan = plan(directory, [result], today)
                planned = time.perf_counter()
                written = merge_plan.apply()
                end = time.perf_counter()
                timings.append((harvested - start, planned - harvested, end - planned, end - start,
                                _cpu() - cpu, len(written), merge_plan))
            write_reference = _write_reference(directory, Path(tmp) / "plain")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        server.terminate()
        server.join()

    print(f"ORUK harvest benchmark: {n:,} records in {pages} pages of {size} from a local server")
    print(f"  reference (fetch + json.loads only): {reference:6.2f} s  {n / reference:9,.0f} records/s")
    print(f"  writing the same files with plain open/write (reference for the disk): {write_reference:6.2f} s")
    for label, (fetch_map, merge, write, total, cpu, written, merge_plan) in zip(
            ("first harvest", "second harvest"), timings, strict=True):
        print(f"  {label:<15} fetch+map {fetch_map:6.2f} s, merge+check {merge:6.2f} s, write {write:6.2f} s, "
              f"total {total:6.2f} s (CPU {cpu:6.2f} s)  {n / total:9,.0f} records/s  ({total / reference:4.1f}x "
              f"the reference); {len(merge_plan.new)} new, {len(merge_plan.updated)} updated, {written} files "
              f"written, {len(merge_plan.invalid)} invalid")
    print(f"  peak memory (max RSS of the harvesting process): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
