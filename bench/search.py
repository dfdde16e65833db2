"""Search benchmark: index time and size, and what the browser fetches per query, at London scale.

``python -m bench.search [SIZES]`` (default ``1000,10000,20000,50000``) generates synthetic
entries (bench.synthetic) for each size, times ``write_search_index`` (target: under 10 s on top
of the build at 20,000), prints the index size on disk (raw and gzipped, against one monolithic
gzipped index — what a lunr-style "fetch everything" search would send), then drives the real
home page in headless Chromium against a local HTTP server and, for each typical query, sums the
bytes of every search-data response gzipped as a server would send them (target: under 300 KB at
50,000), with the time from submitting the query to the first results drawn (target: 100 ms).

The page is the real site: ``mkdocs build`` of the project's ``site_src`` once, with the
synthetic index written into it. Nothing is asserted; figures are printed beside their targets.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.synthetic import generate
from linkwell import PROJECT_DIR
from linkwell.search_index import write_search_index

TARGET_BYTES = 300 * 1024
TARGET_INDEX_S = 10.0
TARGET_MS = 100
CHROMIUM = dict(executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
QUERIES = [
    ("one word", "?q=walking"),
    ("two words", "?q=friendly+art"),
    ("word + borough", "?q=walking&bor=lewisham"),
    ("facets only", "?cat=active&day=sa&cost=free"),
    ("word + postcode sort", "?q=art&pc=SE8+4RJ"),
    ("rare facets + postcode", "?a11y=bsl&grp=veterans&pc=E8+1DY"),
    ("postcode only", "?pc=SW1A+1AA"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _site_shell(root: Path) -> Path:
    """The real home page and scripts: mkdocs build of the project into ``root/site``."""
    out = root / "site"
    run = subprocess.run([str(PROJECT_DIR / ".venv" / "bin" / "mkdocs"), "build", "-q", "-d", str(out)],
                         cwd=PROJECT_DIR, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"mkdocs build failed:\n{run.stderr}")
    return out


def _dir_size(folder: Path) -> tuple[int, int, int]:
    raw = gz = files = 0
    for path in folder.rglob("*"):
        if path.is_file():
            body = path.read_bytes()
            raw += len(body)
            gz += len(gzip.compress(body, 6))
            files += 1
    return raw, gz, files


def _monolithic_gz(folder: Path) -> int:
    """One file holding every index file's content, gzipped: the 'fetch it all' reference."""
    return len(gzip.compress(b"".join(p.read_bytes() for p in sorted(folder.rglob("*.json"))), 6))


def _measure_queries(site: Path, browser) -> list[tuple[str, int, int, int, float, int]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    rows = []
    try:
        for label, query in QUERIES:
            context = browser.new_context()  # empty cache: every query starts cold
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
            fetched: list = []

            def record(response, fetched=fetched):
                if "/search/" in response.url or "/postcodes/" in response.url:
                    fetched.append(response)
            page.on("response", record)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            before = len(fetched)
            ms = page.evaluate(MEASURE, query)
            page.wait_for_load_state("networkidle")
            warm = page.evaluate(MEASURE, query)  # the same query again: files cached, engine + drawing only
            page.wait_for_load_state("networkidle")
            count = page.locator("#lw-status").inner_text().split(" ")[0]
            raw = gz = 0
            for response in fetched:
                body = response.body()
                raw += len(body)
                gz += len(gzip.compress(body, 6))
            rows.append((label, before, len(fetched) - before, raw, gz, ms, warm, count))
            context.close()
    finally:
        server.shutdown()
    return rows


MEASURE = """query => new Promise(resolve => {
                const params = new URLSearchParams(query);
                const form = document.getElementById('lw-search');
                form.querySelector('#lw-q').value = params.get('q') || '';
                form.querySelector('#lw-pc').value = params.get('pc') || '';
                for (const [k, v] of params) if (!['q', 'pc'].includes(k))
                  for (const x of v.split(',')) form.querySelector(`input[name="${k}"][value="${x}"]`).checked = true;
                const list = document.getElementById('lw-results');
                const status = document.getElementById('lw-status');
                const t0 = performance.now();
                const done = () => list.children.length || /No results/.test(status.textContent);
                new MutationObserver((_, obs) => { if (done()) { obs.disconnect(); resolve(performance.now() - t0); } })
                  .observe(document.getElementById('lw-results-area'),
                           {subtree: true, childList: true, characterData: true});
                list.textContent = '';
                form.requestSubmit();
              })"""


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="lw-bench-search-") as tmp, sync_playwright() as p:
        site = _site_shell(Path(tmp))
        browser = p.chromium.launch(**CHROMIUM)
        for n in sizes:
            entries = list(generate(n, seed=1))
            shutil.rmtree(site / "search", ignore_errors=True)
            started = time.perf_counter()
            write_search_index(entries, site, today)
            seconds = time.perf_counter() - started
            raw, gz, files = _dir_size(site / "search")
            mono = _monolithic_gz(site / "search")
            print(f"\n== {n:,} entries ==")
            print(f"index time {seconds:6.2f} s   (target < {TARGET_INDEX_S:.0f} s at 20k; "
                  f"includes the postcode table, {seconds / TARGET_INDEX_S:.0%} of target)")
            print(f"index on disk {raw / 1e6:7.2f} MB raw, {gz / 1e6:6.2f} MB gzipped in {files:,} files; "
                  f"one monolithic index would send {mono / 1024:,.0f} KB gzipped")
            print(f"{'query':24} {'before':>6} {'reqs':>5} {'raw KB':>8} {'gzip KB':>8} {'vs 300 KB':>9} "
                  f"{'vs mono':>8} {'cold ms':>8} {'warm ms':>8}  results")
            for label, before, reqs, qraw, qgz, ms, warm, count in _measure_queries(site, browser):
                print(f"{label:24} {before:6d} {reqs:5d} {qraw / 1024:8.1f} {qgz / 1024:8.1f} "
                      f"{qgz / TARGET_BYTES:9.0%} {qgz / mono:8.1%} {ms:8.0f} {warm:8.0f}  {count}")
        browser.close()
    print("\n'before' = search-data requests made while the home page loaded (must be 0); sizes are response "
          f"bodies gzipped at level 6; targets: < {TARGET_BYTES // 1024} KB per query at 50k, first results "
          f"< {TARGET_MS} ms. 'cold ms' = submit to first results drawn with nothing cached, through Python's "
          "http.server on this machine (its latency dominates); 'warm ms' = the same query again with the "
          "files already fetched: the search engine and drawing alone.")


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 else "1000,10000,20000,50000"
    main([int(x) for x in arg.split(",")])
