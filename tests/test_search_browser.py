"""The home-page search, results map and shortlist in real headless Chromium.

The site is built with ``linkwell build`` from the bundled directory plus 300 synthetic listings
(bench.synthetic) into a temporary folder and served on 127.0.0.1; every expectation is computed
in Python from the same listings. Requests leaving 127.0.0.1 (map tiles) are blocked, as they
would fail without network anyway. Screenshots go to test-artifacts/search/.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bench.synthetic import generate
from linkwell.listings.freshness import freshness
from linkwell.listings.store import write_entries
from linkwell.listings.validate import validate_paths
from linkwell.publish.search.everyday import search_table, stem
from linkwell.publish.search.index import entry_point, schedule_facets, write_search_index
from linkwell.reference.geo import distance_km
from linkwell.reference.postcodes import postcodes
from tests.conftest import BUNDLED as DIRECTORY_DIR
from tests.conftest import CHECKOUT as PROJECT_DIR

playwright_api = pytest.importorskip("playwright.sync_api")

ARTIFACTS = PROJECT_DIR / "test-artifacts" / "search"
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
UNIQUE = "ukulele"


# --- the site -----------------------------------------------------------------------------

def _special_entries() -> list[dict]:
    entries = list(generate(300, seed=11))
    entries[5]["description"] = f"A {UNIQUE} circle for beginners: bring your own or borrow one of ours."
    return entries


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def serve_with_index(site_out: Path, folder: Path, entries: list[dict]):
    """A copy of the built site ``site_out`` in ``folder/site`` whose search index is written from
    ``entries`` (thousands of listings, without building their pages), served: (site folder, URL, server)."""
    out = folder / "site"
    shutil.copytree(site_out, out)
    write_search_index(entries, out, dt.date.today())
    server, url = _serve(out)
    return out, url, server


def build_and_serve(root: Path, extra_entries: list[dict]):
    """The bundled listings plus ``extra_entries`` built by ``linkwell build`` into ``root/site`` and
    served on 127.0.0.1: (site folder, its URL, the server, the listings as validated)."""
    directory = root / "directory"
    shutil.copytree(DIRECTORY_DIR, directory)
    write_entries(directory, extra_entries)
    out = root / "site"
    run = subprocess.run([sys.executable, "-m", "linkwell", "build", "--out", str(out), "--directory", str(directory)],
                         capture_output=True, text=True, cwd=PROJECT_DIR)
    assert run.returncode == 0, run.stdout + run.stderr
    server, url = _serve(out)
    return out, url, server, list(validate_paths([directory]).entries.values())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-site")
    out, url, server, entries = build_and_serve(root, _special_entries())
    yield {"out": out, "url": url, "entries": entries, "root": root}
    server.shutdown()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.errors = []
    origin = site["url"].rstrip("/")
    pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort())
    pg.on("pageerror", lambda e: pg.errors.append(f"pageerror: {e}"))
    pg.on("console", lambda m: pg.errors.append(f"console: {m.text} at {m.location.get('url')}")
          if m.type == "error" and str(m.location.get("url", "")).startswith(origin) else None)
    pg.on("dialog", lambda d: (pg.errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    context.close()


def shot(pg, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


# --- helpers ------------------------------------------------------------------------------

def searched(pg, url: str) -> int:
    """Open a search URL and wait for the result count; returns it."""
    pg.goto(url)
    return wait_count(pg)


def wait_count(pg) -> int:
    pg.wait_for_function("() => /\\d results?|No results|Type what/"
                         ".test(document.getElementById('lw-status').textContent)")
    pg.wait_for_function("() => !document.getElementById('lw-status').textContent.startsWith('Loading')")
    text = pg.locator("#lw-status").inner_text()
    m = re.match(r"(\d[\d,]*) results?", text)
    count = int(m[1].replace(",", "")) if m else 0
    if m:
        pg.wait_for_function("n => document.querySelectorAll('#lw-results .lw-result').length >= n",
                             arg=min(count, 20))
    return count


def status_changed(pg, before: str) -> None:
    """Wait until a new search has replaced the result count shown before (the old one stays until then)."""
    pg.wait_for_function("t => document.getElementById('lw-status').textContent !== t", arg=before)


def shown_ids(pg) -> list[str]:
    return pg.eval_on_selector_all("#lw-results .lw-result", "els => els.map(e => e.dataset.entry)")


def rank_key(entry: dict, today: dt.date):
    tier = 3 if entry["status"] == "temporarily-closed" else freshness(entry, today).rank
    return (tier, entry["name"].casefold(), entry["id"])


def listed(entries):
    return [e for e in entries if e["status"] != "closed"]


def has_value(entry: dict, key: str, value: str) -> bool:
    days, times = schedule_facets(entry)
    audience = entry.get("audience") or {}
    return value in {"cat": entry["categories"], "bor": [entry["borough"]], "cost": [entry["cost"]],
                     "del": entry["delivery"], "day": days, "time": times, "grp": audience.get("groups", []),
                     "acc": entry["access"], "a11y": entry.get("accessibility", [])}[key]


# --- tests --------------------------------------------------------------------------------

def test_no_search_data_is_fetched_before_searching(page, site):
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(site["url"])
    page.wait_for_load_state("networkidle")
    data = [u for u in urls if "/search/" in u or "/postcodes/" in u]
    assert data == []
    for hidden in ("#lw-more", "#lw-result-tools", "#lw-map-panel", "#lw-pc-error"):
        assert page.locator(hidden).is_hidden(), hidden
    with page.expect_response(lambda r: r.url.endswith("/search/meta.json")):
        page.focus("#lw-q")  # the person starts searching: only the small meta.json, which every search needs
    data = [u for u in urls if "/search/" in u or "/postcodes/" in u]
    assert [u.split("/search/")[-1] for u in data] == ["meta.json"]
    page.fill("#lw-q", UNIQUE)
    assert wait_count(page) == 1
    assert any(u.endswith("/search/meta.json") for u in urls)
    assert any("/t/uk.json" in u for u in urls)
    assert not page.errors


def test_typing_a_whole_postcode_fetches_only_its_file(page, site):
    urls = []
    page.on("request", lambda r: urls.append(r.url) if "/postcodes/" in r.url else None)
    page.goto(site["url"])
    page.type("#lw-pc", "SE8 4R")  # not yet a whole postcode: nothing to fetch
    with page.expect_response(lambda r: r.url.endswith("/postcodes/SE8.json")):
        page.type("#lw-pc", "J")
    assert [u.rsplit("/", 1)[1] for u in urls] == ["SE8.json"]
    assert page.locator("#lw-status").inner_text() == ""  # no search until it is asked for
    page.press("#lw-pc", "Enter")
    assert wait_count(page) > 0
    assert [u.rsplit("/", 1)[1] for u in urls] == ["SE8.json"]  # looked up once
    assert not page.errors


def test_record_files_are_fetched_in_result_order(page, site):
    """The first results' record files are requested first, so they can be drawn while the rest load."""
    requested = []
    page.on("request", lambda r: requested.append(int(r.url.rsplit("/", 1)[1][:-5])) if "/r/" in r.url else None)
    total = searched(page, site["url"] + "?q=walking")
    assert total > 20
    ordinals = page.evaluate("ids => linkwellIndex.recordsForIds(ids).then(rs => rs.map(r => r.ord))",
                             shown_ids(page))
    chunk = page.evaluate("linkwellIndex.meta().then(m => m.chunk)")
    in_result_order = list(dict.fromkeys(n // chunk for n in ordinals))
    assert in_result_order != sorted(in_result_order)  # name matches first: not the files' own order
    assert requested[:len(in_result_order)] == in_result_order


def test_search_finds_an_entry_by_a_word_in_its_description(page, site):
    target = _special_entries()[5]["id"]
    page.goto(site["url"])
    page.fill("#lw-q", UNIQUE)
    page.press("#lw-q", "Enter")
    assert wait_count(page) == 1
    assert shown_ids(page) == [target]
    assert "1 result for “ukulele”" in page.locator("#lw-status").inner_text()
    assert page.url.endswith(f"?q={UNIQUE}")
    link = page.locator("#lw-results .lw-result a").first
    assert link.get_attribute("href").endswith(f"/entries/{target}/")
    shot(page, "results-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "results-390")


FACETS = [("cat", "safe"), ("bor", "lewisham"), ("cost", "free"), ("del", "phone"), ("day", "sa"),
          ("time", "evening"), ("grp", "carers"), ("acc", "drop-in"), ("a11y", "hearing-loop")]


@pytest.mark.parametrize(("key", "value"), FACETS)
def test_each_facet_narrows_results_like_python(page, site, key, value):
    today = dt.date.today()
    expected = sorted((e for e in listed(site["entries"]) if has_value(e, key, value)),
                      key=lambda e: rank_key(e, today))
    assert 0 < len(expected) < len(listed(site["entries"]))
    count = searched(page, f"{site['url']}?{key}={value}")
    assert count == len(expected)
    assert shown_ids(page) == [e["id"] for e in expected[:20]]
    assert page.locator(f"#lw-{key}-{value}").is_checked()


def test_word_and_facets_combine(page, site):
    today = dt.date.today()
    entries = listed(site["entries"])

    def words(e):
        text = " ".join([e["name"], e["organisation"]["name"], e["description"], *e.get("activities", [])]).lower()
        return set(re.findall(r"[a-z0-9]+", text.replace("'", "").replace("’", "")))

    def match(e):
        return (any(w.startswith("walk") for w in words(e)) and has_value(e, "del", "in-person")
                and (has_value(e, "cost", "free") or has_value(e, "cost", "low-cost")))
    expected = [e for e in entries if match(e)]
    assert expected
    count = searched(page, f"{site['url']}?q=walk&del=in-person&cost=free,low-cost")
    assert count == len(expected)
    assert set(shown_ids(page)) <= {e["id"] for e in expected}
    # within a tier, entries with the word in their name come first
    tiers = [rank_key(next(x for x in entries if x["id"] == i), today)[0] for i in shown_ids(page)]
    assert tiers == sorted(tiers)


def test_age_filter(page, site):
    def allowed(e, age):
        a = e.get("audience") or {}
        return a.get("min_age", 0) <= age <= a.get("max_age", 120)
    expected = [e for e in listed(site["entries"]) if allowed(e, 17)]
    assert 0 < len(expected) < len(listed(site["entries"]))
    assert searched(page, f"{site['url']}?age=17") == len(expected)


def test_postcode_sort_puts_the_nearest_first(page, site):
    today = dt.date.today()
    home = postcodes().get("SE8 4RJ")
    entries = listed(site["entries"])
    centroids = _centroids()

    def dist(e):
        lat, lon, _ = entry_point(e, centroids)
        return distance_km((home.lat, home.lon), (lat, lon))

    def approx(e):  # placed at its borough's centre: after the exact places of its tier
        return entry_point(e, centroids)[2]
    expected = sorted(entries, key=lambda e: (rank_key(e, today)[0], approx(e), dist(e)))
    count = searched(page, f"{site['url']}?pc=se84rj")
    assert count == len(entries)
    assert "nearest to SE8 4RJ first" in page.locator("#lw-status").inner_text()
    by_id = {e["id"]: e for e in entries}
    got = [by_id[i] for i in shown_ids(page)]
    assert len(got) == 20
    for g, e in zip(got, expected, strict=False):
        assert rank_key(g, today)[0] == rank_key(e, today)[0] and approx(g) == approx(e)
        assert abs(dist(g) - dist(e)) < 0.15, (g["id"], dist(g), e["id"], dist(e))
    first_tier = [e for e in entries if rank_key(e, today)[0] == rank_key(expected[0], today)[0] and not approx(e)]
    assert dist(got[0]) <= min(dist(e) for e in first_tier) + 0.15
    page.click("#lw-more")
    page.wait_for_function("() => document.querySelectorAll('#lw-results .lw-result').length >= 40")
    got = [by_id[i] for i in shown_ids(page)]
    for g, e in zip(got, expected, strict=False):
        assert abs(dist(g) - dist(e)) < 0.15
    # miles first, then km, then walking minutes within 3 miles
    far = page.locator("#lw-results .lw-result dd").filter(
        has_text=re.compile(r"^(\d+\.\d miles?|Under 0\.1 miles) \(\d+\.\d km\)(, about \d+ minutes?’s? walk)?$"))
    assert far.count() > 0
    assert "minutes’ walk" in far.first.inner_text()


RARE_NEAREST = [("grp=veterans", "SE8 4RJ", "fp/grp/veterans.json"),
                ("bor=lewisham,greenwich&cost=free", "SE8 4RJ", "fp/bor/"),  # cost=free is not rare
                ("a11y=bsl&grp=veterans", "E8 1DY", "fp/")]


@pytest.mark.parametrize(("filters", "postcode", "file"), RARE_NEAREST)
def test_rare_filters_with_a_postcode_sort_like_python_without_geo_tiles(page, site, filters, postcode, file):
    """A filter whose values few entries hold has files with positions: its matches are sorted by
    distance from them alone (no geo tile fetched), in Python's nearest-first order."""
    today = dt.date.today()
    home = postcodes().get(postcode)
    centroids = _centroids()
    wanted = [(k, v.split(",")) for k, v in (f.split("=") for f in filters.split("&"))]

    def dist(e):
        lat, lon, _ = entry_point(e, centroids)
        return distance_km((home.lat, home.lon), (lat, lon))

    def approx(e):  # placed at its borough's centre: after the exact places of its tier
        return entry_point(e, centroids)[2]
    expected = sorted((e for e in listed(site["entries"])
                       if all(any(has_value(e, k, v) for v in vals) for k, vals in wanted)),
                      key=lambda e: (rank_key(e, today)[0], approx(e), dist(e)))
    assert expected
    urls = []
    page.on("request", lambda r: urls.append(r.url.split("/search/")[-1]) if "/search/" in r.url else None)
    count = searched(page, f"{site['url']}?{filters}&pc={postcode.replace(' ', '+')}")
    assert count == len(expected)
    assert any(u.split("/", 1)[-1].startswith(file) for u in urls), urls
    assert not [u for u in urls if "/g/" in u]
    by_id = {e["id"]: e for e in expected}
    got = [by_id[i] for i in shown_ids(page)]
    assert len(got) == min(20, len(expected))
    for g, e in zip(got, expected, strict=False):  # the same order, up to positions rounded to ~10 m
        assert rank_key(g, today)[0] == rank_key(e, today)[0] and approx(g) == approx(e)
        assert abs(dist(g) - dist(e)) < 0.02, (g["id"], dist(g), e["id"], dist(e))
    assert len(expected) < 20 or dist(got[-1]) <= dist(expected[19]) + 0.02
    assert not page.errors


def _centroids():
    from linkwell.reference.postcodes import borough_centres
    return borough_centres()


def test_postcode_mistakes_are_explained(page, site):
    searched(page, f"{site['url']}?q=walk&pc=ZZ99ZZ")
    assert "not a London postcode" in page.locator("#lw-pc-error").inner_text()
    assert page.get_attribute("#lw-pc", "aria-invalid") == "true"
    count = searched(page, f"{site['url']}?pc=SE8")  # outward code alone: its centre
    assert count > 0 and page.locator("#lw-pc-error").is_hidden()


def test_url_round_trip_and_back_button(page, site):
    page.goto(site["url"])
    page.fill("#lw-q", "art")
    page.press("#lw-q", "Enter")
    first = wait_count(page)
    before = page.locator("#lw-status").inner_text()
    page.click("#lw-filters > summary")
    page.check("#lw-cost-free")
    page.wait_for_url(re.compile(r"cost=free"))
    status_changed(page, before)
    second = wait_count(page)
    assert second < first
    ids = shown_ids(page)
    url = page.url
    assert "q=art" in url and "cost=free" in url
    other = page.context.new_page()
    other.goto(url)
    assert wait_count(other) == second
    assert shown_ids(other) == ids
    assert other.locator("#lw-cost-free").is_checked() and other.input_value("#lw-q") == "art"
    other.close()
    before = page.locator("#lw-status").inner_text()
    page.go_back()
    page.wait_for_function("() => !document.getElementById('lw-cost-free').checked")
    status_changed(page, before)
    assert wait_count(page) == first


def test_keyboard_only_search_and_shortlist(page, site):
    page.goto(site["url"])
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "lw-q":
            break
    assert page.evaluate("document.activeElement.id") == "lw-q"
    page.keyboard.type(UNIQUE)
    page.keyboard.press("Enter")
    assert wait_count(page) == 1
    button = page.locator("#lw-results .lw-shortlist-btn").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('lw-shortlist-btn')"):
            break
    page.keyboard.press("Space")
    assert "On shortlist" in button.inner_text()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_shortlist_survives_reload_prints_and_shares(page, site, browser):
    searched(page, f"{site['url']}?cat=creative")
    buttons = page.locator("#lw-results .lw-shortlist-btn")
    buttons.nth(0).click()
    buttons.nth(1).click()
    chosen = shown_ids(page)[:2]
    page.reload()
    wait_count(page)
    assert "On shortlist" in page.locator("#lw-results .lw-shortlist-btn").nth(0).inner_text()
    # an entry page offers the button too
    third = shown_ids(page)[2]
    page.goto(f"{site['url']}entries/{third}/")
    page.click(".lw-shortlist-btn")
    assert page.locator("[data-lw-shortlist-link]").first.inner_text() == "Shortlist (3)"
    page.goto(f"{site['url']}shortlist/")
    page.wait_for_selector(".lw-handout-item >> nth=2")
    names = page.eval_on_selector_all(".lw-handout-item h2 a", "els => els.map(a => a.dataset.entry)")
    assert names == chosen + [third]
    shot(page, "shortlist-1280")
    page.emulate_media(media="print")
    assert page.locator(".lw-shortlist-tools").is_hidden()
    assert page.locator(".md-header").is_hidden()
    shot(page, "shortlist-print")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the handout should fit on one page"
    page.emulate_media(media="screen")
    share = page.input_value("#lw-share-url")
    assert share.endswith("shortlist/?ids=" + ",".join(chosen + [third]))
    fresh = browser.new_context()
    other = fresh.new_page()
    other.goto(share)
    other.wait_for_selector(".lw-handout-item >> nth=2")
    assert "Shared list: 3 listings" in other.locator("#lw-shortlist .lw-status").inner_text()
    fresh.close()


def test_map_shows_the_results(page, site):
    count = searched(page, f"{site['url']}?q=art&pc=SE8+4RJ")
    page.click("#lw-map-toggle")
    page.wait_for_selector("#lw-map .lw-pin")
    shown = min(count, 20)
    page.wait_for_function("n => document.querySelectorAll('#lw-map .lw-pin').length === n", arg=shown)
    assert page.get_attribute("#lw-map-toggle", "aria-expanded") == "true"
    titles = page.eval_on_selector_all("#lw-map .leaflet-marker-icon", "els => els.map(e => e.title)")
    assert titles[0].startswith("1. ")
    page.wait_for_function("() => /could not load/.test(document.getElementById('lw-map-note').textContent)")
    page.locator("#lw-map-toggle").scroll_into_view_if_needed()
    shot(page, "map-1280", full_page=False)
    page.click("#lw-more")
    page.wait_for_function("n => document.querySelectorAll('#lw-map .lw-pin').length === n", arg=min(count, 40))
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#lw-map").scroll_into_view_if_needed()
    shot(page, "map-390", full_page=False)
    assert not page.errors


HOSTILE = ["<script>alert('name')</script>", "<img src=x onerror=alert('img')>",
           "[click](javascript:alert('md'))", "\"><svg onload=alert('svg')>", "{{7*7}} ${alert('tpl')}",
           "</li></ol><iframe src=javascript:alert('frame')>"]


def test_hostile_text_in_results_is_inert(browser, site, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(site["out"], out)
    entries = list(generate(40, seed=2))
    for i, text in enumerate(HOSTILE):
        e = entries[i]
        e["name"] = f"Hostile {i} {text}"
        e["organisation"]["name"] = text
        e["description"] = f"hostile {text} description"
        e["location"] = {"venue": text, "postcode": "SE8 4RJ"}
        e["schedule"] = [{"days": ["mo"], "opens": "10:00", "note": text}]
        e["status"] = "active"
        e["contact"] = {"website": "javascript:alert('link')", "phone": text}
    write_search_index(entries, out, dt.date.today())
    server, url = _serve(out)
    try:
        context = browser.new_context()
        pg = context.new_page()
        problems = []
        pg.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
        pg.on("pageerror", lambda e: problems.append(str(e)))
        pg.on("console", lambda m: problems.append(m.text)
              if m.type == "error" and url in m.location.get("url", "") else None)
        pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
        pg.goto(f"{url}?q=hostile&pc=SE8+4RJ")
        assert wait_count(pg) == len(HOSTILE)
        pg.click("#lw-map-toggle")
        pg.wait_for_selector("#lw-map .lw-pin")
        pg.locator("#lw-map .lw-pin").first.dispatch_event("click")
        pg.wait_for_selector(".lw-pop a")
        assert pg.locator(".lw-pop").inner_text().count("Hostile") == 1  # name, address and all, as text
        for b in pg.locator("#lw-results .lw-shortlist-btn").all():  # the popup's own button is the same listing
            b.click()
        pg.goto(f"{url}shortlist/")
        pg.wait_for_selector(".lw-handout-item >> nth=5")
        pg.goto(f"{url}?q=hostile")
        wait_count(pg)
        pg.wait_for_timeout(300)
        text = pg.locator("#lw-results").inner_text()
        for t in HOSTILE:
            assert t.split(" ")[0] in text
        assert pg.locator("#lw-results script, #lw-results img, #lw-results svg, #lw-results iframe").count() == 0
        hrefs = pg.eval_on_selector_all("a", "els => els.map(a => a.getAttribute('href') || '')")
        assert not [h for h in hrefs if h.lower().startswith("javascript")]
        assert problems == []
        context.close()
    finally:
        server.shutdown()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci)")
@pytest.mark.parametrize("where", ["home", "results", "map", "shortlist"])
def test_axe_finds_no_serious_violations(page, site, where):
    if where == "home":
        page.goto(site["url"])
    elif where in ("results", "map"):
        searched(page, f"{site['url']}?q=art&pc=SE8+4RJ&cost=free")
        page.click("#lw-filters > summary")
        if where == "map":
            page.click("#lw-map-toggle")
            page.wait_for_selector("#lw-map .lw-pin")
    else:
        searched(page, f"{site['url']}?cat=active")
        page.locator(".lw-shortlist-btn").nth(0).click()
        page.goto(f"{site['url']}shortlist/")
        page.wait_for_selector(".lw-handout-item")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []
    if where == "home":
        shot(page, "home-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, "home-390")


def test_unknown_word_says_no_results_without_failed_requests(page, site):
    statuses = []
    page.on("response", lambda r: statuses.append((r.status, r.url)))
    page.goto(site["url"])
    page.fill("#lw-q", "qqzxv")
    page.press("#lw-q", "Enter")
    page.wait_for_function("() => /No results/.test(document.getElementById('lw-status').textContent)")
    assert "Try fewer words" in page.locator("#lw-status").inner_text()
    assert page.locator("#lw-result-tools").is_hidden() and page.locator("#lw-more").is_hidden()
    assert [s for s in statuses if s[0] >= 400] == []
    page.go_back()
    page.wait_for_function("() => document.getElementById('lw-status').textContent === ''")
    assert page.locator("#lw-results .lw-result").count() == 0
    assert not page.errors


# --- postcode sorts through tier-split geo tiles, at a size where they are used -----------

@pytest.fixture(scope="module")
def big_site(browser, site, tmp_path_factory):
    """The same site with a 3,000-entry synthetic index: a postcode sort then orders its matches
    from the geo tiles of each tier (g/<tier>/<tile>.json), over several rounds of tiles."""
    out = tmp_path_factory.mktemp("search-big") / "site"
    shutil.copytree(site["out"], out)
    entries = list(generate(3000, seed=5))
    write_search_index(entries, out, dt.date.today())
    server, url = _serve(out)
    yield {"url": url, "entries": entries}
    server.shutdown()


def _index_words(entry: dict) -> list[str]:
    """The entry's index terms, as the index writer computes them."""
    from linkwell.publish.search.index import entry_facts, facet_values
    from linkwell.reference.postcodes import borough_centres
    index_of = {key: {v: i for i, v in enumerate(vals)} for key, vals in facet_values().items()}
    return entry_facts(entry, dt.date.today(), index_of, borough_centres())[3]


def _few_fresh_word(entries: list[dict], today: dt.date) -> str:
    """A word held by fewer than 20 fresh listings but many others: its first page spans two tiers."""
    counts: dict[str, list[int]] = {}
    for e in listed(entries):
        tier = rank_key(e, today)[0]
        for w in _index_words(e):
            if len(w) >= 4:
                counts.setdefault(w, [0, 0])[tier > 0] += 1
    table = search_table()["syn"]  # a plain word: its own stem, not an everyday word with synonyms
    return min(w for w, (fresh, other) in counts.items()
               if 3 <= fresh < 20 and other >= 60 and stem(w) == w and w not in table)


@pytest.mark.parametrize("kind", ["postcode only", "word", "word with few fresh matches"])
def test_postcode_sort_through_tier_tiles_like_python(browser, big_site, kind):
    today = dt.date.today()
    entries = listed(big_site["entries"])
    postcode = {"postcode only": "E8 1DY", "word": "SE8 4RJ", "word with few fresh matches": "N1 9GU"}[kind]
    word = {"postcode only": "", "word": "art"}.get(kind) if kind != "word with few fresh matches" else \
        _few_fresh_word(entries, today)
    home = postcodes().get(postcode)
    centroids = _centroids()

    def dist(e):
        lat, lon, _ = entry_point(e, centroids)
        return distance_km((home.lat, home.lon), (lat, lon))

    def approx(e):  # placed at its borough's centre: after the exact places of its tier
        return entry_point(e, centroids)[2]
    matching = [e for e in entries if not word or any(t.startswith(word) for t in _index_words(e))]
    expected = sorted(matching, key=lambda e: (rank_key(e, today)[0], approx(e), dist(e)))
    assert len(expected) > 40
    context = browser.new_context()
    try:
        pg = context.new_page()
        errors, urls = [], []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("request", lambda r: urls.append(r.url.split("/search/")[-1]) if "/search/" in r.url else None)
        url = big_site["url"]
        pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
        query = f"q={word}&" if word else ""
        assert searched(pg, f"{url}?{query}pc={postcode.replace(' ', '+')}") == len(expected)
        if kind == "postcode only":  # counts of a thousand and more are written with a comma
            assert pg.locator("#lw-status").inner_text().startswith(f"{len(expected):,} results")
            assert pg.locator("#lw-more").inner_text() == f"Show more results (20 of {len(expected):,} shown)"
        pg.click("#lw-more")
        pg.wait_for_function("() => document.querySelectorAll('#lw-results .lw-result').length >= 40")
        by_id = {e["id"]: e for e in expected}
        got = [by_id[i] for i in shown_ids(pg)]
        assert len(got) == 40
        for g, e in zip(got, expected, strict=False):  # the same order, up to positions rounded to ~10 m
            assert rank_key(g, today)[0] == rank_key(e, today)[0] and approx(g) == approx(e)
            assert abs(dist(g) - dist(e)) < 0.02, (g["id"], dist(g), e["id"], dist(e))
        tiles = [u.split("/", 1)[1] for u in urls if u.split("/")[1:2] == ["g"]]
        assert tiles, "the geo tiles were used"
        tiers_fetched = {u.split("/")[1] for u in tiles}
        tiers_shown = {str(rank_key(g, today)[0]) for g in got}
        assert tiers_fetched == tiers_shown, "only the tiers on the page have their tiles fetched"
        if kind == "word with few fresh matches":
            assert tiers_shown == {"0", "1"}
        assert len(urls) == len(set(urls)), "no file is fetched twice"
        # neighbours' records come from the records by place: fewer files than the records in entry order
        record_files = [u for u in urls if u.split("/")[1:2] in (["p"], ["r"])]
        ordinals = pg.evaluate("ids => linkwellIndex.recordsForIds(ids).then(rs => rs.map(r => r.ord))", shown_ids(pg))
        chunk = pg.evaluate("linkwellIndex.meta().then(m => m.chunk)")
        assert any(u.split("/")[1] == "p" for u in record_files)
        assert len(record_files) < len({n // chunk for n in ordinals})
        assert not errors
    finally:
        context.close()
