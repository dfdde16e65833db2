"""Website benchmark: `linkwell build` at London scale, beside Hugo building the same pages.

``python -m bench.site [SIZES] [--no-hugo] [--no-search] [--repeats=5]`` (default sizes
``1000,10000,20000,50000``) generates synthetic listings (bench.synthetic) in a temporary folder
for each size and prints:

- full build time (validate + MkDocs + every entry, borough and category page + feeds + search
  index, from an empty output folder and a cold validation cache) and its peak memory (the
  largest process of the build, from ``wait4``), with the time of each step;
- the same cold build without the search index (``--no-search-index``): site pages + feeds, the
  figure the Hugo target is about; and without feeds too (site pages alone, what Hugo builds);
  and the search index on top: what it adds to the full build, and its time alone (written from
  scratch in a process of its own; target under 10 s);
- rebuild time after editing one listing (target: under 3 s at 20,000);
- total site size, and the bytes an entry page transfers: its HTML and the CSS and JavaScript it
  loads, gzipped as a server would send them (target: under 100 KB; map tiles aside);
- bytes fetched for one search, from bench/search.py's measurement in headless Chromium;
- Hugo (Debian's ``hugo``, installed with apt-get when missing) building one page per listing from
  one content file each with the same fields, through a template of the same size (our own page
  chrome with Hugo placeholders), timed the same way; and the ratio ours / Hugo
  (target at 20,000: site pages + feeds no slower than Hugo). Pages + feeds, pages alone and Hugo
  are built ``--repeats`` times, taking turns, each cold into new folders; their medians are
  compared (one run swings by a quarter on a shared 2-core machine: five rounds by default).

Nothing is asserted: figures are printed beside their targets. Everything is measured in this run.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bench import CHECKOUT, scratch
from bench.synthetic import write_directory
from linkwell.listings.store import dump_entry

SIZES = [1000, 10000, 20000, 50000]
TARGET_REBUILD_S = 3.0
TARGET_PAGE_KB = 100
TARGET_MEMORY_MB = 1024


def _run(cmd: list[str], env: dict | None = None, cwd: Path = CHECKOUT) -> str:
    """Run ``cmd`` and return its stdout; raise with its output when it fails."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


# Each measured command runs under a fresh Python wrapper, so RUSAGE_CHILDREN's ru_maxrss is the
# peak RSS of the largest process of that command's tree alone (the build and its workers).
_WRAPPER = ("import os, resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n"
            "s = time.perf_counter() - t\n"
            "sys.stderr.write(p.stderr)\n"
            "sys.stdout.write(p.stdout)\n"
            "print('@@bench', s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.exit(p.returncode)\n")


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak memory MB of the largest process in the command's tree, stdout). Files
    written before are flushed to disk first (not timed), so no build pays for the write-back
    of an earlier one's hundreds of megabytes (the kernel flushes pages 30 s after they were
    written, whatever runs then)."""
    os.sync()
    out = _run([sys.executable, "-c", _WRAPPER, *cmd], env=env)
    body, _, tail = out.rpartition("@@bench ")
    seconds, kb = tail.split()
    return float(seconds), int(kb) / 1024, body


def folder_size(folder: Path) -> tuple[int, int]:
    total = files = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            total += os.path.getsize(os.path.join(root, name))
            files += 1
    return total, files


def page_transfer(site: Path, page: str) -> tuple[int, list[tuple[str, int]]]:
    """Gzipped bytes of a page's HTML plus every stylesheet and script it references."""
    html_path = site / page / "index.html"
    html = html_path.read_text(encoding="utf-8")
    parts = [(page, len(gzip.compress(html.encode(), 6)))]
    refs = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    refs += re.findall(r'<script[^>]+src="([^"]+)"', html)
    for ref in refs:
        target = (html_path.parent / ref.split("?")[0]).resolve()
        if target.is_file():
            parts.append((ref.rsplit("/", 1)[-1], len(gzip.compress(target.read_bytes(), 6))))
    return sum(size for _, size in parts), parts


def edit_one(directory: Path) -> Path:
    path = sorted(directory.glob("*/syn-1*.yml"))[0]
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry["description"] = entry["description"] + " Edited for the rebuild benchmark."
    path.write_text(dump_entry(entry), encoding="utf-8")
    return path


# --- Hugo ------------------------------------------------------------------------------------

def ensure_hugo() -> str | None:
    hugo = shutil.which("hugo")
    if hugo:
        return hugo
    print("Installing Debian's hugo with apt-get ...", file=sys.stderr)
    as_root = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*as_root, "apt-get", "update", "-qq"], check=False)
    subprocess.run([*as_root, "apt-get", "install", "-y", "-qq", "hugo"], check=False,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), stdout=subprocess.DEVNULL)
    return shutil.which("hugo")


HUGO_ENTRY = """<nav class="lw-crumbs"><a href="../../boroughs/{{ .Params.borough }}/">{{ .Params.borough }}</a></nav>
<h1>{{ .Title }}</h1>
<p class="lw-org">Run by <strong>{{ .Params.organisation.name }}</strong></p>
<div class="lw-notice" role="note"><p><strong>Last verified {{ .Params.last_verified }}</strong></p></div>
<ul class="lw-tags">{{ range .Params.categories }}<li><a href="../../categories/{{ . }}/">{{ . }}</a></li>{{ end }}
{{ range .Params.activities }}<li>{{ . }}</li>{{ end }}</ul>
<h2>What it is</h2>{{ .Content }}
<dl class="lw-facts"><dt>Where</dt><dd>{{ with .Params.location }}{{ .venue }}<br>{{ .postcode }}{{ end }}</dd>
<dt>When</dt><dd><ul>{{ range .Params.schedule }}<li>{{ delimit .days ", " }} {{ .opens }} to {{ .closes }},
{{ .frequency }}</li>{{ end }}</ul></dd>
<dt>Cost</dt><dd>{{ .Params.cost }}</dd><dt>How to get in</dt><dd><ul>{{ range .Params.access }}<li>{{ . }}</li>
{{ end }}</ul></dd><dt>Who it is for</dt><dd>{{ with .Params.audience }}{{ .min_age }}{{ end }}</dd>
<dt>Accessibility</dt><dd><ul>{{ range .Params.accessibility }}<li>{{ . }}</li>{{ end }}</ul></dd>
<dt>Contact</dt><dd>{{ with .Params.contact }}<a href="{{ .website }}">{{ .website }}</a> {{ .phone }}{{ end }}
</dd></dl>
{{ with .Params.location }}<div id="lw-map" data-lat="{{ .lat }}" data-lon="{{ .lon }}"></div>{{ end }}
<p><a href="https://example.org/issues/new?listing={{ .Params.id }}">Suggest a change</a></p>
"""


def hugo_site(root: Path, directory: Path, shell_page: Path) -> None:
    """A minimal Hugo site: one content file per listing, the same page chrome as ours."""
    (root / "content" / "entries").mkdir(parents=True)
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text('baseURL = "http://localhost/"\ntitle = "Linkwell London"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
                                    '[markup.goldmark.renderer]\nunsafe = false\n', encoding="utf-8")
    shell = shell_page.read_text(encoding="utf-8")
    start = shell.index('<article class="md-content__inner md-typeset">') + len(
        '<article class="md-content__inner md-typeset">')
    end = shell.index("</article>", start)
    head_end = shell.index("</head>")
    single = (shell[:head_end] + '<script type="application/ld+json">{{ jsonify .Params }}</script>'
              + shell[head_end:start] + HUGO_ENTRY + shell[end:])
    single = re.sub(r"<title>.*?</title>", "<title>{{ .Title }} - Linkwell London</title>", single, flags=re.S)
    (root / "layouts" / "_default" / "single.html").write_text(single, encoding="utf-8")
    (root / "layouts" / "_default" / "list.html").write_text(
        "<ul>{{ range .Pages }}<li>{{ .Title }}</li>{{ end }}</ul>", encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in directory.glob("*/*.yml"):
        entry = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        description = entry.pop("description")
        front = dict(entry, title=entry["name"])
        (root / "content" / "entries" / f"{entry['id']}.md").write_text(
            json.dumps(front, ensure_ascii=False) + "\n\n" + description + "\n", encoding="utf-8")


# --- the run ---------------------------------------------------------------------------------

def run(n: int, tmp: Path, hugo: str | None, search: bool, repeats: int = 5) -> dict:
    directory, out, cache = tmp / "directory", tmp / "site", tmp / "cache"
    started = time.perf_counter()
    write_directory(directory, n)
    print(f"\n== {n:,} entries == (synthetic listings written in {time.perf_counter() - started:.0f} s)", flush=True)
    env = dict(os.environ, LINKWELL_CACHE_DIR=str(cache), NO_MKDOCS_2_WARNING="1")
    build = [sys.executable, "-m", "linkwell", "build", "--directory", str(directory), "--out", str(out)]
    full_s, full_mb, output = measure(build, env)
    steps = next((line for line in output.splitlines() if line.startswith("Time:")), "")
    edit_one(directory)
    rebuild_s, rebuild_mb, output2 = measure(build, env)
    steps2 = next((line for line in output2.splitlines() if line.startswith("Time:")), "")
    size, files = folder_size(out)
    page_bytes, parts = page_transfer(out, "entries/syn-1")
    result = {"n": n, "full_s": full_s, "full_mb": full_mb, "rebuild_s": rebuild_s, "size": size, "files": files,
              "page_kb": page_bytes / 1024}
    print(f"full build      {full_s:7.1f} s   peak memory {full_mb:6.0f} MB (target < {TARGET_MEMORY_MB} MB at 50k)")
    print(f"  {steps}")
    print(f"rebuild 1 edit  {rebuild_s:7.2f} s   (target < {TARGET_REBUILD_S:.0f} s at 20k; "
          f"{rebuild_s / TARGET_REBUILD_S:.0%} of target)")
    print(f"  {steps2}")
    print(f"site size       {size / 1e6:7.1f} MB in {files:,} files")
    print(f"entry page      {page_bytes / 1024:7.1f} KB gzipped with its CSS and JS (target < {TARGET_PAGE_KB} KB): "
          + ", ".join(f"{name} {b / 1024:.1f}" for name, b in parts))
    if hugo:  # Hugo's content, made once (reading every listing also warms them for our builds)
        hugo_site(tmp / "hugo", directory, out / "entries" / "syn-1" / "index.html")
    # the comparison: cold builds, each into new folders, taking turns; medians of `repeats` rounds
    runs: dict[str, list[float]] = {"pages_feeds": [], "pages": [], "hugo": []}
    hugo_mb = 0.0
    for k in range(repeats):
        runs["pages_feeds"].append(measure([*build, "--no-search-index", "--out", str(tmp / f"site-no-search-{k}")],
                                           dict(env, LINKWELL_CACHE_DIR=str(tmp / f"cache-no-search-{k}")))[0])
        runs["pages"].append(measure([*build, "--no-search-index", "--no-feeds", "--out", str(tmp / f"site-pages-{k}")],
                                     dict(env, LINKWELL_CACHE_DIR=str(tmp / f"cache-pages-{k}")))[0])
        if hugo:
            seconds, hugo_mb, _ = measure([hugo, "--quiet", "-s", str(tmp / "hugo"), "-d", str(tmp / f"hugo-out-{k}")])
            runs["hugo"].append(seconds)
    pages_feeds_s, pages_s = _median(runs["pages_feeds"]), _median(runs["pages"])
    alone_s = search_index_alone(directory, tmp / "search-alone", env)
    result.update(pages_feeds_s=pages_feeds_s, pages_s=pages_s, search_s=alone_s)

    def each(key):
        return f"(median of {len(runs[key])}: {' '.join(f'{x:.1f}' for x in runs[key])})" if len(runs[key]) > 1 else ""

    print(f"pages + feeds   {pages_feeds_s:7.1f} s   the cold build without the search index {each('pages_feeds')}")
    print(f"pages alone     {pages_s:7.1f} s   without the feeds too: validation, MkDocs and the pages {each('pages')}")
    print(f"search index    {alone_s:7.1f} s alone (target < 10 s); "
          f"adds {full_s - pages_feeds_s:.1f} s to the full build")
    if search:
        result["search_kb"] = search_bytes(out)
    if hugo:
        hugo_s = _median(runs["hugo"])
        hugo_size, _ = folder_size(tmp / "hugo-out-0")
        result.update(hugo_s=hugo_s, hugo_mb=hugo_mb)
        print(f"hugo            {hugo_s:7.1f} s   {each('hugo')} peak memory {hugo_mb:.0f} MB, "
              f"{hugo_size / 1e6:.1f} MB (the same entry pages only)")
        print(f"ratio ours/hugo {pages_feeds_s / hugo_s:7.2f}   (site pages + feeds; target at 20k: <= 1.00); "
              f"pages alone {pages_s / hugo_s:.2f}; full build with search {full_s / hugo_s:.2f}; "
              f"rounds: {' '.join(f'{a / b:.2f}' for a, b in zip(runs['pages_feeds'], runs['hugo'], strict=True))}")
    return result


_SEARCH_ALONE = ("import sys, time, datetime as dt\n"
                 "from pathlib import Path\n"
                 "from linkwell.listings.validate import validate_paths\n"
                 "from linkwell.publish.search.index import write_search_index\n"
                 "entries = list(validate_paths([Path(sys.argv[1])]).entries.values())\n"
                 "t = time.perf_counter()\n"
                 "write_search_index(entries, Path(sys.argv[2]), dt.date.today())\n"
                 "print(time.perf_counter() - t)\n")


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def search_index_alone(directory: Path, out: Path, env: dict) -> float:
    """Seconds to write the search index from scratch for the listings (validated first, untimed)."""
    out.mkdir(parents=True, exist_ok=True)
    return float(_run([sys.executable, "-c", _SEARCH_ALONE, str(directory), str(out)], env=env).split()[-1])


def search_bytes(site: Path) -> float | None:
    """Largest gzipped search-data bytes over bench/search.py's typical queries, or None."""
    try:
        from playwright.sync_api import sync_playwright

        from bench.search import CHROMIUM, _measure_queries
    except ImportError:
        print("search bytes    (bench/search.py not available)")
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(**CHROMIUM)
        try:
            rows, _reference_ms = _measure_queries(site, browser, 1)
        finally:
            browser.close()
    worst = max(rows, key=lambda row: row["gz"])
    slowest = max(rows, key=lambda row: row["cold"][0][0])
    print(f"search bytes    {worst['gz'] / 1024:7.1f} KB gzipped for the heaviest typical query ('{worst['label']}'); "
          f"{max(row['before'] for row in rows)} search requests before the first search; slowest first result "
          f"{slowest['cold'][0][0]:.0f} ms ('{slowest['label']}', one cold run; medians in bench/search.py)")
    return worst["gz"] / 1024


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    sizes = [int(x) for x in args[0].split(",")] if args else SIZES
    repeats = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--repeats=")), 5)
    hugo = None if "--no-hugo" in argv else ensure_hugo()
    if "--no-hugo" not in argv and not hugo:
        print("hugo could not be installed: Hugo figures are skipped", file=sys.stderr)
    if hugo:
        version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
        print(f"Reference: {version}")
    print(f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    results = []
    for n in sizes:
        with scratch(f"lw-bench-site-{n}-") as tmp:
            results.append(run(n, Path(tmp), hugo, "--no-search" not in argv, repeats))
    print("\nsummary")
    print(f"{'entries':>8} {'build s':>8} {'pages+feeds s':>13} {'search s':>8} {'peak MB':>8} {'rebuild s':>9} "
          f"{'site MB':>8} {'page KB':>8} {'hugo s':>7} {'ours/hugo':>9}")
    for r in results:
        hugo_s = r.get("hugo_s")
        print(f"{r['n']:8,} {r['full_s']:8.1f} {r['pages_feeds_s']:13.1f} {r['search_s']:8.1f} {r['full_mb']:8.0f} "
              f"{r['rebuild_s']:9.2f} {r['size'] / 1e6:8.1f} {r['page_kb']:8.1f} {hugo_s or 0:7.1f} "
              f"{(r['pages_feeds_s'] / hugo_s) if hugo_s else 0:9.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
