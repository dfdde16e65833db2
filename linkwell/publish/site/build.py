"""Write the generated part of the site: entry, borough and category pages, vendored Leaflet,
map data, then the feeds and the search index — incrementally, in the output folder.

``publish(entries, out_dir, shells, site, today)`` is called once the page shells exist (by the
MkDocs plugin after MkDocs has built the hand-written pages). It accepts validated entry dicts,
the output folder, ``{depth: Shell}`` and a ``SiteInfo``. Pages are the shell filled with
escaped content (``linkwell.publish.site.render``); nothing here goes through Markdown or MkDocs' page
machinery, so the cost per entry is one template render and one file write.

Incremental: ``<out_dir>/.linkwell-manifest.json`` records, per generated page, a key made from
its inputs (entry data, freshness notice, shell and renderer code). An entry page is rendered
only when its key changed or its file is missing; a borough or category list page only when
its heading or one of the entries on it changed (its key is made from theirs); pages of deleted
or renamed entries are removed.
Many changed entry and list pages are rendered in worker processes (one per core, forked). The
feeds and the search index are written by two more forked processes (``linkwell.publish.workers``;
the plugin starts them as soon as MkDocs has cleaned the output folder), which run at a higher
priority than the page workers so that they end with the pages.

``preserve(out_dir)`` / ``restore(out_dir)`` move the generated folders aside while MkDocs
cleans the output folder, so a rebuild keeps them.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
import math
import multiprocessing
import os
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from linkwell.listings import describe
from linkwell.publish import workers as workers_module
from linkwell.reference.boroughs import BOROUGHS
from linkwell.listings.digest import entry_digest
from linkwell.listings.freshness import freshness
from linkwell.publish.output import write_bytes
from linkwell.publish.site import render as render_module
from linkwell.publish.site import shell as shell_module
from linkwell.publish.site import words
from linkwell.publish.site.render import Renderer, SiteInfo, coordinates
from linkwell.publish.site.shell import Shell

log = logging.getLogger("linkwell.publish.site")

GENERATED_DIRS = ("entries", "boroughs", "categories", "openreferral", "search", "postcodes")
MANIFEST = ".linkwell-manifest.json"
KEEP = ".linkwell-keep"
PAGE_SIZE = 100
PARALLEL_THRESHOLD = 300  # less work than this many entry pages is rendered in this process (a list page counts 20)
LEAFLET_DIR = Path(__file__).resolve().parent / "assets" / "vendor" / "leaflet"  # Leaflet from npm, in the package
ENTRY_DEPTH = 2
PAGE_NICENESS = 5  # see _yield_to_background


@dataclass
class PublishStats:
    timings: dict = None  # step -> seconds
    entry_pages: int = 0
    entry_pages_written: int = 0
    listing_pages: int = 0
    listing_pages_written: int = 0
    removed: int = 0


def code_version() -> str:
    """Changes whenever the renderer, its words or its templates change."""
    digest = hashlib.blake2b(digest_size=12)
    sources = [Path(render_module.__file__), Path(words.__file__), Path(shell_module.__file__), Path(__file__),
               Path(describe.__file__), *sorted(render_module.TEMPLATES.glob("*.html"))]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --- keeping generated pages across MkDocs' clean --------------------------------------------

def preserve(out_dir: Path) -> None:
    out_dir = Path(out_dir)
    keep = out_dir / KEEP
    if keep.exists():  # left by an interrupted build: its pages may be incomplete
        shutil.rmtree(keep, ignore_errors=True)
    for name in GENERATED_DIRS:
        if (out_dir / name).is_dir():
            keep.mkdir(parents=True, exist_ok=True)
            os.rename(out_dir / name, keep / name)


def restore(out_dir: Path) -> None:
    out_dir = Path(out_dir)
    keep = out_dir / KEEP
    if not keep.is_dir():
        return
    for name in GENERATED_DIRS:
        src, dst = keep / name, out_dir / name
        if not src.is_dir():
            continue
        if not dst.exists():
            os.rename(src, dst)
            continue
        for child in src.iterdir():  # MkDocs wrote e.g. boroughs/index.html: keep it, bring the rest back
            if not (dst / child.name).exists():
                os.rename(child, dst / child.name)
    shutil.rmtree(keep, ignore_errors=True)


def _folders(folder: Path) -> set[str]:
    """The names of a folder's sub-folders: one directory read instead of a stat per page."""
    try:
        with os.scandir(folder) as found:
            return {item.name for item in found if item.is_dir()}
    except FileNotFoundError:
        return set()


def _read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write(path: str, data: bytes, new_folder: bool = False) -> None:
    """Write a page, making its folder when missing (first, when ``new_folder`` says it most likely
    is). The hot loop of a build: no Path objects."""
    if new_folder:
        try:
            os.mkdir(os.path.dirname(path))
        except OSError:
            pass  # it exists, or its parent is missing (made below)
    try:
        write_bytes(path, data)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_bytes(path, data)


# --- entry and list pages --------------------------------------------------------------------

# State the forked workers inherit (set just before the pool starts).
_JOB: dict = {}


def _render_entries(indices: list[int]) -> None:
    renderer, shell, entries, fresh, out_dir = (_JOB[k] for k in ("renderer", "shell", "entries", "fresh", "out"))
    cold = _JOB["cold"]  # no pages from an earlier build: each entry's folder is new
    for i in indices:
        entry = entries[i]
        page = renderer.entry_page(entry, _JOB["today"], ENTRY_DEPTH, fresh[i])
        path = f"entries/{entry['id']}/"
        _write(f"{out_dir}/{path}index.html",
               shell.fill_bytes(title=page.title, description=page.description, head=page.head,
                                content=page.content, scripts=page.scripts, path=path), new_folder=cold)


def _render_lists(specs: list[tuple]) -> None:
    """Render and write list pages; a spec is (path, depth, title, intro, crumbs, base, page number,
    pages, total, [entry index on the page])."""
    renderer, shells, entries, fresh, out_dir = (_JOB[k] for k in ("renderer", "shells", "entries", "fresh", "out"))
    for path, depth, title, intro, crumbs, base, n, count, total, on_page in specs:
        items = [renderer.listing_item(entries[i], fresh[i], depth) for i in on_page]
        page = renderer.listing_page(title=title, intro=intro, items=items, page=n, pages=count, base=base,
                                     depth=depth, total=total, size=PAGE_SIZE, crumbs=crumbs)
        _write(f"{out_dir}/{path}index.html", shells[depth].fill_bytes(title=page.title, content=page.content,
                                                                       description=page.description, path=path))


def _render(task: tuple[str, list]) -> int:
    kind, items = task
    (_render_entries if kind == "entries" else _render_lists)(items)
    return len(items)


def _yield_to_background() -> None:
    """Page workers run at a lower priority than the feeds and search index workers: each of those
    is one process, so when it gets only its share of the cores beside two page workers, it ends
    long after the pages, with a core idle meanwhile."""
    os.nice(PAGE_NICENESS)


def _render_pages(entry_todo: list[int], list_todo: list[tuple], workers: int) -> None:
    """Entry pages and list pages, in ``workers`` forked processes when there are many (the list
    pages' tasks first: they are the larger ones, so the pool ends evenly)."""
    if workers < 2 or len(entry_todo) + 20 * len(list_todo) < PARALLEL_THRESHOLD:
        _render_entries(entry_todo)
        _render_lists(list_todo)
        return
    chunk = max(50, math.ceil(len(entry_todo) / (workers * 16)))  # small last tasks: the workers end together
    tasks = [("lists", list_todo[i:i + 8]) for i in range(0, len(list_todo), 8)]
    tasks += [("entries", entry_todo[i:i + chunk]) for i in range(0, len(entry_todo), chunk)]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_yield_to_background) as pool:
        for _ in pool.imap_unordered(_render, tasks):
            pass


def _plan_lists(lists, keys, old_pages: dict[str, str], out_dir: Path) -> tuple[dict[str, str], list[tuple]]:
    """({path: key} for every page of every borough and category list, [spec of each page to
    render]). A page's key is made from its heading and the keys of the entries on it, so a page
    whose key is in ``old_pages`` and whose file exists is not rendered again."""
    pages, todo = {}, []
    for base, title, intro, crumbs, members in lists:
        total = len(members)
        count = max(1, math.ceil(total / PAGE_SIZE))
        for n in range(1, count + 1):
            depth = 2 if n == 1 else 3
            path = base if n == 1 else f"{base}{n}/"
            on_page = members[(n - 1) * PAGE_SIZE:n * PAGE_SIZE]
            heading = f"{title}|{intro}|{crumbs!r}|{n}|{count}|{total}|"
            pages[path] = key = hashlib.blake2b((heading + ",".join(keys[i] for i in on_page)).encode(),
                                                digest_size=12).hexdigest()
            if old_pages.get(path) != key or not os.path.isfile(os.path.join(out_dir, path, "index.html")):
                todo.append((path, depth, title, intro, crumbs, base, n, count, total, on_page))
    return pages, todo


def _lists(entries, fresh):
    """(base path, title, intro, breadcrumbs, [entry index]) for each borough and category, freshest first."""
    order = sorted(range(len(entries)), key=lambda i: (fresh[i].rank, entries[i]["status"] != "active",
                                                       entries[i]["name"].lower(), entries[i]["id"]))
    by_borough, by_category = defaultdict(list), defaultdict(list)
    for i in order:
        entry = entries[i]
        by_borough[entry["borough"]].append(i)
        for c in entry["categories"]:
            by_category[c].append(i)
    out = []
    for slug, borough in BOROUGHS.items():
        out.append((f"boroughs/{slug}/", borough.name,
                    f"Community activities and support in {borough.name}.",
                    [("Boroughs", "boroughs/")], by_borough.get(slug, [])))
    for slug in words.CATEGORIES:
        out.append((f"categories/{slug}/", f"{words.category(slug)}: {words.category_blurb(slug)}",
                    f"{words.category(slug)} activities and support across London: {words.category_blurb(slug)}.",
                    [("Categories", "categories/")], by_category.get(slug, [])))
    return out


# --- other generated files -------------------------------------------------------------------

def vendor_leaflet(out_dir: Path) -> None:
    """Copy Leaflet (from npm, shipped in the package) into assets/vendor/leaflet/."""
    target = out_dir / "assets" / "vendor" / "leaflet"
    if not (LEAFLET_DIR / "leaflet.js").is_file():
        raise FileNotFoundError(f"{LEAFLET_DIR / 'leaflet.js'} is missing: run `npm ci` (./run site does it)")
    for src in [LEAFLET_DIR / "leaflet.js", LEAFLET_DIR / "leaflet.css", *sorted((LEAFLET_DIR / "images").glob("*"))]:
        dst = target / src.relative_to(LEAFLET_DIR)
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def borough_map_data(entries) -> list[dict]:
    """One point per borough with listings: the mean position of its listings (or of its postcodes)."""
    sums = defaultdict(lambda: [0.0, 0.0, 0])
    counts = defaultdict(int)
    for entry in entries:
        counts[entry["borough"]] += 1
        point = coordinates(entry)
        if point:
            s = sums[entry["borough"]]
            s[0] += point[0]
            s[1] += point[1]
            s[2] += 1
    if any(not sums[slug][2] for slug in counts):
        from linkwell.reference.postcodes import borough_centres
        for slug, (lat, lon) in borough_centres().items():
            if not sums[slug][2]:
                sums[slug] = [lat, lon, 1]
    out = []
    for slug, n in sorted(counts.items()):
        lat, lon, k = sums[slug]
        if k and slug in BOROUGHS:
            out.append({"slug": slug, "name": BOROUGHS[slug].name, "count": n,
                        "lat": round(lat / k, 5), "lon": round(lon / k, 5)})
    return out


# --- the whole generated part ----------------------------------------------------------------

def publish(entries: list[dict], out_dir: Path, shells: dict[int, Shell], site: SiteInfo,
            today: dt.date | None = None, workers: int | None = None, feeds: bool = True,
            search: bool = True, digests: dict[str, str] | None = None,
            background: workers_module.Workers | None = None) -> PublishStats:
    """``feeds`` / ``search`` switch the feeds and the search index off. ``digests`` ({entry id:
    content digest}, e.g. ``Report.entry_digests()``) spares hashing every entry; entries without
    one get ``linkwell.listings.digest.entry_digest``. ``background`` is ``linkwell.publish.workers.start``
    already writing the feeds and the search index."""
    today = today or dt.date.today()
    out_dir = Path(out_dir)
    workers = workers or os.cpu_count() or 1
    stats = PublishStats(timings={})
    clock = [time.perf_counter()]

    def lap(step):
        now = time.perf_counter()
        stats.timings[step] = round(now - clock[0], 3)
        clock[0] = now

    restore(out_dir)
    gc.freeze()  # entries and MkDocs' structures live to the end: spare the collector walking them again
    renderer = Renderer(site)
    entries = sorted(entries, key=lambda e: e["id"])
    fresh = [freshness(e, today) for e in entries]

    old = _read_manifest(out_dir)
    version = f"{code_version()}|{shells[ENTRY_DEPTH].digest}|{site!r}"
    old_pages = old.get("pages", {}) if old.get("version") == version else {}
    new_pages: dict[str, str] = {}

    todo, keys, known, digests = [], [], digests or {}, {}
    present = _folders(out_dir / "entries") if old_pages else set()
    for i, entry in enumerate(entries):
        path = f"entries/{entry['id']}/"
        digests[entry["id"]] = content = known.get(entry["id"]) or entry_digest(entry)
        key = hashlib.blake2b(f"{content}|{fresh[i].notice}|{fresh[i].state}".encode(), digest_size=12).hexdigest()
        keys.append(key)
        new_pages[path] = key
        if old_pages.get(path) != key or entry["id"] not in present:
            todo.append(i)
    stats.entry_pages, stats.entry_pages_written = len(entries), len(todo)
    if background is None:
        background = workers_module.start(entries, out_dir, today, feeds, search, digests, workers)
    try:
        _pages(entries, fresh, todo, keys, renderer, shells, site, out_dir, today, workers, old, old_pages, new_pages,
               version, stats, lap)
    except BaseException:
        if background is not None:
            background.stop()
        raise
    if background is not None:
        background.wait()
        lap("feeds and search index (the wait for them after the pages)")
    elif feeds or search:
        workers_module.write_now(entries, out_dir, today, feeds, search, digests)
        lap("feeds and search index")
    log.info("generated pages: %s", ", ".join(f"{k} {v:.2f} s" for k, v in stats.timings.items()))
    return stats


def _pages(entries, fresh, todo, keys, renderer, shells, site, out_dir, today, workers, old, old_pages, new_pages,
           version, stats, lap) -> None:
    """Entry pages, list pages, the manifest and the map assets (``publish`` without the feeds)."""
    list_pages, list_todo = _plan_lists(_lists(entries, fresh), keys, old_pages, out_dir)
    new_pages.update(list_pages)
    stats.listing_pages, stats.listing_pages_written = len(list_pages), len(list_todo)
    lap("prepare")
    _JOB.update(renderer=renderer, shell=shells[ENTRY_DEPTH], shells=shells, entries=entries, fresh=fresh,
                out=out_dir, today=today, cold=not old_pages)
    try:
        _render_pages(todo, list_todo, workers)
    finally:
        _JOB.clear()
    lap("entry and list pages")

    for path in set(old.get("pages", {})) - set(new_pages):
        target = out_dir / path
        if target.is_dir() and target.resolve().is_relative_to(out_dir.resolve()):
            (target / "index.html").unlink(missing_ok=True)
            try:
                target.rmdir()
            except OSError:
                pass  # something else lives there (a deeper page): leave it
            stats.removed += 1
    tmp = out_dir / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps({"version": version, "pages": new_pages}, sort_keys=True), encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST)

    vendor_leaflet(out_dir)
    data_dir = out_dir / "assets" / "linkwell"
    data_dir.mkdir(parents=True, exist_ok=True)
    tiles = {"url": site.tiles_url, "attribution": site.tiles_attribution, "max_zoom": site.tiles_max_zoom}
    (data_dir / "boroughs.json").write_text(json.dumps({"tiles": tiles, "boroughs": borough_map_data(entries)}),
                                            encoding="utf-8")
    lap("assets")
