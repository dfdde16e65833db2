"""Search benchmark: index time and size, and what the browser fetches per query, at London scale.

``python -m bench.search [SIZES]`` (default ``1000,10000,20000,50000``) generates synthetic
entries (bench.synthetic) for each size, times ``write_search_index`` (target: under 10 s on top
of the build at 20,000), prints the index size on disk (raw and gzipped, against one monolithic
gzipped index — what a lunr-style "fetch everything" search would send), then drives the real
home page in headless Chromium against a local HTTP server and, for each typical query, sums the
bytes of every search-data response gzipped as a server would send them (target: under 300 KB at
50,000) and the time from submitting the query to the first result and the first page of 20 drawn
(target: first results under 100 ms): medians of several fresh browser contexts, cold (nothing
fetched before the submit) and typed (the person focused the form and typed the postcode first,
which fetches meta.json and the postcode's file), beside one small request to the same server
measured in the same run. The footer it prints says exactly what the times include.

The page is the real site: ``mkdocs build`` of the project's ``site_src`` once, with the
synthetic index written into it. Nothing is asserted; figures are printed beside their targets.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import http.server
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from bench import CHECKOUT, scratch
from bench.synthetic import generate
from linkwell.publish.search.index import write_search_index

TARGET_BYTES = 300 * 1024
TARGET_INDEX_S = 10.0
TARGET_MS = 100
REPEATS = 5
CHROMIUM = dict(executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      # nothing leaves 127.0.0.1 (without intercepting requests, which would add latency)
                      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
QUERIES = [
    ("one word", "?q=walking"),
    ("two words", "?q=friendly+art"),
    ("word + borough", "?q=walking&bor=lewisham"),
    ("facets only", "?cat=active&day=sa&cost=free"),
    ("word + postcode sort", "?q=art&pc=SE8+4RJ"),
    ("rare facets + postcode", "?a11y=bsl&grp=veterans&pc=E8+1DY"),
    ("borough + postcode", "?bor=hackney&cat=active&pc=E8+1DY"),
    ("postcode only", "?pc=SW1A+1AA"),
    ("everyday word", "?q=lonely"),
    ("everyday + counts", "?q=lonely&cost=free&counts=1"),
    ("filtered postcode + counts", "?cat=active&cost=free&pc=SE8+4RJ&counts=1"),
    ("postcode 1 mile + counts", "?cat=creative&pc=SE8+4RJ&r=1&counts=1"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """A static file server that behaves like a real static host on the wire: HTTP/1.1 keep-alive
    (HTTP/1.0 opens a connection per file) and TCP_NODELAY (headers and body go out as two writes;
    with Nagle's algorithm on, the body would wait ~40 ms for the browser's delayed ACK)."""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser closing a connection mid-answer (a context closed between queries) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _site_shell(root: Path) -> Path:
    """The real home page and scripts: mkdocs build of the project into ``root/site``."""
    out = root / "site"
    run = subprocess.run([str(CHECKOUT / ".venv" / "bin" / "mkdocs"), "build", "-q", "-d", str(out)],
                         cwd=CHECKOUT, capture_output=True, text=True)
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


def _rounds(timings: list[list[float]]) -> int:
    """Sequential fetch rounds on the critical path: a request started after another one ended
    may have waited for it (resource timing: [start, end] per request, fetch() call to last byte)."""
    depth: list[int] = []
    for start, _end in timings:
        depth.append(1 + max((d for d, (_s, e) in zip(depth, timings, strict=False) if e <= start), default=0))
    return max(depth, default=0)


def _open(browser, url: str, fetched: list | None = None):
    context = browser.new_context()  # empty cache
    page = context.new_page()
    if fetched is not None:
        page.on("response", lambda r: fetched.append(r) if "/search/" in r.url or "/postcodes/" in r.url else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _measure_queries(site: Path, browser, repeats: int) -> tuple[list[dict], float]:
    """Per query: requests, bytes and rounds of one cold run, and the median over ``repeats`` cold
    page loads of (first result, first page) ms — cold (the submit is the first thing the person
    does) and typed (they clicked into the search form first, which fetches meta.json, and typed
    the postcode, which fetches its file) — and warm ms. Also the median time of one small
    uncached request to the same server (the reference)."""
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    rows, rtts = [], []
    try:
        for label, query in QUERIES:
            row = {"label": label, "cold": [], "typed": [], "warm": []}
            for attempt in range(repeats):
                fetched: list = []
                context, page = _open(browser, url, fetched)
                before = len(fetched)
                rtts.append(page.evaluate(RTT))
                t0 = page.evaluate("performance.now()")
                row["cold"].append(page.evaluate(MEASURE, query))
                page.wait_for_load_state("networkidle")
                if attempt == 0:
                    timings = page.evaluate(TIMINGS, t0)
                    row["warm"].append(page.evaluate(MEASURE, query)[1])  # files cached: engine + drawing
                    page.wait_for_load_state("networkidle")
                    row["count"] = page.locator("#lw-status").inner_text().split(" ")[0]
                    row.update(before=before, reqs=len(timings), rounds=_rounds(timings),
                               raw=sum(len(r.body()) for r in fetched[before:]),
                               gz=sum(len(gzip.compress(r.body(), 6)) for r in fetched[before:]))
                context.close()
                context, page = _open(browser, url)
                page.focus("#lw-q")  # that alone must start meta.json; then wait for it, as typing would
                page.wait_for_function(FETCHED, arg="/search/meta.json")
                postcode = urllib.parse.parse_qs(query[1:]).get("pc")
                if postcode:  # typing a whole postcode fetches its file
                    page.fill("#lw-pc", postcode[0])
                    page.wait_for_function(FETCHED, arg=f"/postcodes/{postcode[0].split()[0]}.json")
                page.evaluate("linkwellIndex.meta().then(() => true)")
                row["typed"].append(page.evaluate(MEASURE, query))
                context.close()
            rows.append(row)
    finally:
        server.shutdown()
    return rows, _median(rtts)


RTT = """() => { const t0 = performance.now();
                 return fetch('assets/images/favicon.png', {cache: 'no-store'}).then(r => r.arrayBuffer())
                   .then(() => performance.now() - t0); }"""

FETCHED = "path => performance.getEntriesByType('resource').some(e => e.name.endsWith(path))"

TIMINGS = r"""t0 => performance.getEntriesByType('resource')
                .filter(e => /\/(search|postcodes)\//.test(e.name) && e.startTime >= t0)
                .map(e => [e.startTime, e.responseEnd])"""

# counts=1 in a query: the Filters panel is open (as it is after the person opened it: its open groups'
# counts for the whole directory are drawn first, untimed), and the query is done when each option of
# its open groups shows its count for this search as well as the first page of results. r=<miles>: the
# radius chip of that many miles is chosen (a postcode search cut to the listings within it).
MEASURE = r"""async query => {
                const params = new URLSearchParams(query);
                const counts = params.has('counts');
                params.delete('counts');
                const options = '#lw-filters details[data-facet][open] li';
                const drawn = () => [...document.querySelectorAll(options)]
                  .every(li => (li.querySelector('.lw-opt-n') || {}).textContent);
                if (counts) {
                  document.getElementById('lw-filters').open = true;
                  await new Promise(ok => {
                    const t = setInterval(() => { if (drawn()) { clearInterval(t); ok(); } }, 5);
                  });
                  document.querySelectorAll('.lw-opt-n').forEach(n => { n.textContent = ''; });
                }
                return new Promise((resolve, reject) => {
                const form = document.getElementById('lw-search');
                form.querySelector('#lw-q').value = params.get('q') || '';
                form.querySelector('#lw-pc').value = params.get('pc') || '';
                form.querySelector('#lw-r').value = params.get('r') || '';  // a radius chip's miles
                for (const [k, v] of params) if (!['q', 'pc', 'r'].includes(k))
                  for (const x of v.split(',')) form.querySelector(`input[name="${k}"][value="${x}"]`).checked = true;
                const list = document.getElementById('lw-results');
                const status = document.getElementById('lw-status');
                let first = null, t0 = 0;
                const check = () => {
                  const shown = list.querySelectorAll('.lw-result').length;
                  const none = /No results/.test(status.textContent);
                  const total = /^([\d,]+) results?/.exec(status.textContent);  // "47,485 results"
                  if (first === null && (shown || none)) first = performance.now() - t0;
                  if ((none || (total && shown >= Math.min(20, +total[1].replace(/,/g, '')))) && (!counts || drawn())) {
                    obs.disconnect();
                    resolve([first, performance.now() - t0]);
                  }
                };
                const obs = new MutationObserver(check);
                setTimeout(() => reject(new Error(`no page of results within 10 s for ${query}: ` +
                                                  `"${status.textContent}", ${list.children.length} shown`)), 10000);
                obs.observe(document.getElementById('lw-results-area'),
                            {subtree: true, childList: true, characterData: true});
                if (counts) obs.observe(document.getElementById('lw-filters'),
                                        {subtree: true, childList: true, characterData: true});
                list.textContent = '';
                status.textContent = '';
                t0 = performance.now();
                form.requestSubmit();
              }); }"""


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    today = dt.date.today()
    with scratch("lw-bench-search-") as tmp, sync_playwright() as p:
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
            rows, rtt = _measure_queries(site, browser, REPEATS)
            print(f"one small uncached request to this server (the reference): {rtt:.1f} ms")
            print(f"{'query':24} {'before':>6} {'reqs':>4} {'rounds':>6} {'gzip KB':>8} {'vs 300 KB':>9} "
                  f"{'cold 1st':>8} {'cold 20':>7} {'typed 1st':>9} {'typed 20':>8} {'1st/ref':>7} {'warm':>5}"
                  f"  results")
            for r in rows:
                cold_first = _median([c[0] for c in r["cold"]])
                print(f"{r['label']:24} {r['before']:6d} {r['reqs']:4d} {r['rounds']:6d} {r['gz'] / 1024:8.1f} "
                      f"{r['gz'] / TARGET_BYTES:9.0%} {cold_first:8.0f} {_median([c[1] for c in r['cold']]):7.0f} "
                      f"{_median([c[0] for c in r['typed']]):9.0f} {_median([c[1] for c in r['typed']]):8.0f} "
                      f"{cold_first / rtt:7.1f} {r['warm'][0]:5.0f}  {r['count']}")
        browser.close()
    print(f"""
'before' = search-data requests made while the home page loaded (must be 0). 'reqs', 'rounds' and
'gzip KB' are for one cold query: requests for search data; the longest chain of requests each
started after an earlier one ended (waiting for one of Chromium's 6 connections to this host
counts as a round too); response bodies gzipped at level 6 (target < {TARGET_BYTES // 1024} KB at 50k).
Times are medians of {REPEATS} fresh browser contexts (empty cache), in ms from the form's submit to
the first result card drawn ('1st', target < {TARGET_MS} ms) and to the first page of up to 20 drawn
('20'): they include every search-data fetch (HTTP/1.1 keep-alive, TCP_NODELAY, to Python's
ThreadingHTTPServer on 127.0.0.1: no network latency, but Chromium's at most 6 connections per
host and a Python server on 2 shared cores), parsing, the search and drawing; not the page load.
'cold' = the submit is the first thing done on the page; 'typed' = the person clicked into the
search form and typed the postcode first (that fetches meta.json and the postcode's file; we wait
for them, as typing the rest would). '1st/ref' = cold 1st divided by the reference request:
about how many request round trips the person waits for. Figures swing by tens of ms with the
machine's load; compare rows within one run. 'warm' = the same query again with every file
cached (the engine and drawing alone).""")


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 else "1000,10000,20000,50000"
    main([int(x) for x in arg.split(",")])
