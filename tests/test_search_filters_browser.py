"""Issue 16 in real headless Chromium: everyday words, filters that never dead-end, navigation and
history, and Leaflet only when a map is near.

The site is the bundled directory plus 300 synthetic listings (a few given languages), built with
``linkwell build``; a second index of 3,000 synthetic listings checks the same at a size where the
index is sharded. Every expectation is computed in Python from the same listings, with the same
word groups (``everyday.query_groups``) and index facts (``index.entry_facts``). Screenshots go to
test-artifacts/search16/.
"""

from __future__ import annotations

import datetime as dt
import gzip
from urllib.parse import quote, urlsplit

import pytest

from bench.synthetic import generate
from linkwell.listings.areas import areas_text
from linkwell.publish.search.everyday import query_groups
from linkwell.publish.search.index import entry_facts, facet_values
from linkwell.publish.site.words import unverified_notice
from linkwell.reference.postcodes import borough_centres
from tests.conftest import CHECKOUT as PROJECT_DIR
from tests.test_search_browser import (
    AXE,
    build_and_serve,
    listed,
    searched,
    serve_with_index,
    shown_ids,
    wait_count,
)

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "search16"
WIDTHS = [390, 1366]
EVERYDAY = ["lonely", "loneliness", "social connection", "debts", "counselling", "depressed", "carer"]
NAV = ["Home", "Categories", "Boroughs", "Map", "Shortlist", "Add your group", "For councils"]


def _entries() -> list[dict]:
    entries = list(generate(300, seed=21))
    entries[0]["languages"] = ["pl", "en"]
    entries[1]["languages"] = ["pl"]
    entries[2]["languages"] = ["so"]
    entries[3]["name"] = "Zebra crossing befriending tea"  # last by name, first by relevance
    return entries


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out, url, server, entries = build_and_serve(tmp_path_factory.mktemp("search16-site"), _entries())
    yield {"out": out, "url": url, "entries": listed(entries)}
    server.shutdown()


@pytest.fixture(scope="module")
def big_site(site, tmp_path_factory):
    entries = list(generate(3000, seed=8))
    out, url, server = serve_with_index(site["out"], tmp_path_factory.mktemp("search16-big"), entries)
    yield {"out": out, "url": url, "entries": listed(entries)}
    server.shutdown()


def _open(browser, width: int, origin: str):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900})
    pg = context.new_page()
    pg.errors = []
    pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(origin.rstrip("/")) else r.abort())
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    return context, pg


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request, browser, site):
    context, pg = _open(browser, request.param, site["url"])
    pg.width = request.param
    yield pg
    assert not pg.errors
    context.close()


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}-{pg.viewport_size['width']}.png"), full_page=False)


# --- the Python reference -----------------------------------------------------------------

class Reference:
    """What the search should show, from the index's own per-entry facts."""

    def __init__(self, entries: list[dict]):
        today = dt.date.today()
        index_of = {key: {v: i for i, v in enumerate(vals)} for key, vals in facet_values().items()}
        centroids = borough_centres()
        self.facts = {e["id"]: entry_facts(e, today, index_of, centroids) for e in entries}

    def score(self, entry_id: str, q: str) -> int | None:
        """Relevance (2 per group matched in the name, 1 in the text, 0 through a tag alone), None
        when a group is not matched."""
        _t, _n, _r, words, name_words, pairs, *_ = self.facts[entry_id]
        total = 0
        for prefixes, facets in query_groups(q):
            def hit(terms, prefixes=prefixes):
                return any(t == p or (len(p) >= 3 and t.startswith(p)) for t in terms for p in prefixes)
            if hit(name_words):
                total += 2
            elif hit(words):
                total += 1
            elif not any(v in facets.get(k, ()) for k, v in pairs):
                return None
        return total

    def has(self, entry_id: str, key: str, values) -> bool:
        return any(k == key and v in values for k, v in self.facts[entry_id][5])

    def results(self, q: str = "", filters: dict | None = None) -> list[str]:
        """Entry ids in display order (tier, relevance, name)."""
        found = []
        for entry_id, facts in self.facts.items():
            score = self.score(entry_id, q) if q else 0
            if score is None or not all(self.has(entry_id, k, vs) for k, vs in (filters or {}).items()):
                continue
            found.append((facts[0], -score, facts[1], entry_id))
        return [f[3] for f in sorted(found)]


@pytest.fixture(scope="module")
def ref(site):
    return Reference(site["entries"])


# --- everyday words -----------------------------------------------------------------------

@pytest.mark.parametrize("q", EVERYDAY)
def test_everyday_words_find_what_python_finds(page, site, ref, q):
    expected = ref.results(q)
    assert expected, q
    assert searched(page, site["url"] + "?q=" + q.replace(" ", "+")) == len(expected)
    assert shown_ids(page) == expected[:20]
    if q == "lonely":
        shot(page, "lonely")


def test_lonely_reaches_befriending_and_the_connected_category(site, ref):
    plain = {i for i in ref.facts if any(t.startswith("lonel") for t in ref.facts[i][3])}
    lonely = set(ref.results("lonely"))
    assert plain < lonely  # more than the listings that say "lonely"
    assert {i for i in ref.facts if ref.has(i, "cat", ["connected"])} <= lonely


# More than `n` cards, and every card of the page drawn: the button then says how many are shown (or is hidden).
ALL_DRAWN = """n => { const k = document.querySelectorAll('#lw-results .lw-result').length;
  const more = document.getElementById('lw-more');
  return k > n && (more.hidden || more.textContent.includes('(' + k.toLocaleString('en-GB') + ' of')); }"""


def test_a_name_match_ranks_above_a_tag_match(page, site, ref):
    named = _entries()[3]["id"]
    tier = ref.facts[named][0]
    others = [i for i in ref.results("befriending") if ref.facts[i][0] == tier and i != named]
    assert any(ref.score(i, "befriending") < 2 for i in others)  # listings with it only in their text or tags
    searched(page, f"{site['url']}?q=befriending")
    page.wait_for_function(ALL_DRAWN, arg=0)
    while named not in shown_ids(page):
        shown = len(shown_ids(page))
        page.evaluate("document.getElementById('lw-more').click()")  # the ranking is tested, not the button
        page.wait_for_function(ALL_DRAWN, arg=shown)  # cards are drawn one by one as their records arrive
    same_tier = [i for i in shown_ids(page) if ref.facts[i][0] == tier]
    scores = [ref.score(i, "befriending") for i in same_tier]
    assert scores == sorted(scores, reverse=True)  # name matches first, then text, then tags alone
    assert scores[same_tier.index(named)] == 2 and scores[-1] < 2  # "Zebra ..." before them, though last by name


@pytest.mark.parametrize("q", ["lonely", "debts", "carer"])
def test_everyday_words_at_3000_listings(browser, big_site, q):
    ref = Reference(big_site["entries"])
    expected = ref.results(q)
    context, pg = _open(browser, 1366, big_site["url"])
    try:
        assert searched(pg, big_site["url"] + "?q=" + q) == len(expected)
        assert shown_ids(pg) == expected[:20]
        assert not pg.errors
    finally:
        context.close()


# --- filters that never dead-end ----------------------------------------------------------

def option_counts(pg, key: str) -> dict[str, str]:
    return dict(pg.eval_on_selector_all(
        f'details[data-facet="{key}"] li', "els => els.map(li => [li.querySelector('input').value, "
        "(li.querySelector('.lw-opt-n') || {}).textContent || ''])"))


def test_each_option_shows_its_count_and_none_is_marked(page, site, ref):
    searched(page, site["url"] + "?q=lonely&cost=free")
    page.click("#lw-filters > summary")
    page.click('details[data-facet="lang"] > summary')
    page.wait_for_function("() => document.querySelectorAll('details[data-facet=\"lang\"] .lw-opt-n').length > 0")
    for key in ("cat", "cost", "lang"):
        counts = option_counts(page, key)
        for value in facet_values()[key]:
            others = {} if key == "cost" else {"cost": ["free"]}
            n = len(ref.results("lonely", {**others, key: [value]}))
            assert counts[value] == (f" ({n:,})" if n else " (none)"), (key, value)
    marked = page.eval_on_selector_all("li.lw-opt-none input", "els => els.map(e => e.value)")
    assert "am" in marked and "creative" not in marked or ref.results("lonely", {"cost": ["free"], "cat": ["creative"]})
    shot(page, "counts")


def test_chips_show_each_choice_and_remove_it(page, site, ref):
    searched(page, site["url"] + "?q=walk&cost=free,low-cost&bor=lewisham")
    chips = page.locator("#lw-chips button")
    assert chips.all_inner_texts() == ["“walk” ×", "Lewisham ×", "Free ×", "Low cost ×"]
    before = page.locator("#lw-status").inner_text()
    page.click("#lw-chips button[aria-label='Remove Lewisham']")
    page.wait_for_function("t => document.getElementById('lw-status').textContent !== t", arg=before)
    assert "bor=" not in page.url
    assert wait_count(page) == len(ref.results("walk", {"cost": ["free", "low-cost"]}))
    assert not page.locator("#lw-bor-lewisham").is_checked()


def test_an_empty_result_says_which_change_brings_results_back(page, site, ref):
    target = next(i for i in ref.facts if ref.has(i, "lang", ["so"]))
    borough = next(b for b in facet_values()["bor"] if not ref.has(target, "bor", [b])
                   and ref.results("", {"bor": [b]}))
    assert searched(page, f"{site['url']}?lang=so&bor={borough}") == 0
    without_lang = len(ref.results("", {"bor": [borough]}))
    without_bor = len(ref.results("", {"lang": ["so"]}))
    button = page.locator("#lw-suggest button")
    if without_lang >= without_bor:
        assert button.inner_text() == f"Remove Somali to see {without_lang:,} results"
    else:
        assert button.inner_text().startswith("Remove ")
    shot(page, "suggest")
    before = page.locator("#lw-status").inner_text()
    button.click()
    page.wait_for_function("t => document.getElementById('lw-status').textContent !== t", arg=before)
    assert wait_count(page) == max(without_lang, without_bor)


def test_search_by_language(page, site, ref):
    expected = ref.results("", {"lang": ["pl"]})
    assert expected
    assert searched(page, site["url"] + "?lang=pl") == len(expected)
    assert shown_ids(page) == expected[:20]
    assert "Polish" in page.locator("#lw-results .lw-result").first.inner_text()


# --- navigation, history, skip link, scrolling --------------------------------------------

def test_every_page_reaches_every_section(page, site):
    entry = site["entries"][0]["id"]
    for path in ["", "shortlist/", "map/", f"entries/{entry}/", "boroughs/", "categories/", "add-your-group/",
                 "for-councils/", "boroughs/lewisham/"]:
        page.goto(site["url"] + path)
        nav = page.locator("nav.lw-sitenav a")
        assert nav.all_inner_texts() == NAV, path
        for i in range(len(NAV)):
            assert nav.nth(i).is_visible(), (path, NAV[i])
        hrefs = nav.evaluate_all("els => els.map(a => a.href)")
        assert urlsplit(hrefs[0]).path == urlsplit(site["url"]).path
    shot(page, "nav-borough")


def test_one_history_entry_per_search(page, site):
    page.goto(site["url"])
    start = page.evaluate("history.length")
    page.fill("#lw-pc", "SE8 4RJ")
    page.press("#lw-pc", "Enter")  # a change and a submit
    wait_count(page)
    page.wait_for_timeout(300)
    assert page.evaluate("history.length") == start + 1
    page.fill("#lw-q", "art")
    page.click("button.lw-go")
    wait_count(page)
    assert page.evaluate("history.length") == start + 2


def test_skip_link_and_results_in_view_after_search(page, site):
    page.goto(site["url"])
    skip = page.locator("a.lw-skip")
    skip.focus()
    assert skip.is_visible() and skip.get_attribute("href") == "#lw-results-area"
    page.fill("#lw-q", "art")
    page.click("button.lw-go")
    wait_count(page)
    top = page.evaluate("document.getElementById('lw-results-area').getBoundingClientRect().top")
    if page.width < 600:  # a phone: the results were brought up to the top of the screen
        assert -2 <= top < 100
    shot(page, "after-search")


# --- Leaflet only when a map is near ------------------------------------------------------

def test_entry_page_fetches_leaflet_only_near_its_map(page, site):
    located = next(e for e in site["entries"] if (e.get("location") or {}).get("postcode"))
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{site['url']}entries/{located['id']}/")
    page.wait_for_load_state("networkidle")
    box = page.locator("#lw-map")
    near = page.evaluate("document.getElementById('lw-map').getBoundingClientRect().top < innerHeight + 300")
    assert any("leaflet" in u for u in urls) == near
    sent = 0
    for u in urls:  # what the page itself costs, gzipped as a web server sends it
        path = urlsplit(u).path
        file = site["out"] / path.lstrip("/")
        file = file / "index.html" if file.is_dir() else file
        if file.is_file() and "leaflet" not in u:
            sent += len(gzip.compress(file.read_bytes()))
    assert sent < 60_000
    box.scroll_into_view_if_needed()
    page.wait_for_selector("#lw-map.lw-map--ready")
    assert any(u.endswith("leaflet.js") for u in urls)


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci)")
@pytest.mark.parametrize("url", ["?q=lonely&cost=free&lang=pl", "?lang=so&bor=bexley"])
def test_axe_finds_no_serious_violations_with_counts_and_chips(page, site, url):
    searched(page, site["url"] + url)
    page.click("#lw-filters > summary")
    page.wait_for_selector(".lw-opt-n")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []


def test_back_from_a_listing_restores_the_place_and_open_filters(page, site):
    searched(page, site["url"] + "?q=lonely")
    page.click("#lw-filters > summary")
    page.click('details[data-facet="day"] > summary')
    page.click("#lw-more")
    page.wait_for_function("() => document.querySelectorAll('#lw-results .lw-result').length > 20")
    link = page.locator("#lw-results .lw-result a").nth(24)
    link.scroll_into_view_if_needed()
    y = page.evaluate("scrollY")
    assert y > 500
    link.click()
    page.wait_for_selector("#listing-name")
    page.go_back()
    page.wait_for_function("() => document.querySelectorAll('#lw-results .lw-result').length > 24")
    page.wait_for_function("y => Math.abs(scrollY - y) < 5", arg=y)
    assert page.evaluate("document.getElementById('lw-filters').open")
    assert page.evaluate("document.querySelector('details[data-facet=\"day\"]').open")


def test_handout_is_for_the_person(page, site):
    page.goto(site["url"] + "shortlist/")
    page.wait_for_selector("#lw-shortlist .lw-status")
    assert "empty" in page.locator("#lw-shortlist .lw-status").inner_text()
    assert page.locator("text=Print handout").count() == 0  # nothing to print
    searched(page, site["url"] + "?q=lonely")
    for i in range(2):
        page.locator("#lw-results .lw-shortlist-btn").nth(i).click()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site["url"] + "shortlist/")
    page.wait_for_selector(".lw-handout-item >> nth=1")
    share = page.input_value("#lw-share-url")
    assert page.locator("a", has_text="Send by email").get_attribute("href").startswith("mailto:?subject=")
    for name in ("Send by email", "Send by text message"):
        assert quote_in(page.locator("a", has_text=name).get_attribute("href"), share)
    # the whole description, not the search's short one
    first = page.locator(".lw-handout-item h2 a").first.get_attribute("data-entry")
    full = " ".join(next(e for e in site["entries"] if e["id"] == first)["description"].split())
    assert len(full) > 220  # longer than the search's records keep
    page.wait_for_function("t => document.querySelector('.lw-handout-item .lw-result-desc').textContent"
                           ".replace(/\\s+/g, ' ').trim() === t", arg=full)
    page.click("text=Copy link")
    page.wait_for_function("() => document.querySelector('.lw-copied').textContent === 'Link copied'")
    page.emulate_media(media="print")
    text = page.locator("#lw-shortlist").inner_text()
    assert "check before referring" not in text and "Link worker referral" not in text
    assert page.locator(".lw-handout-item .lw-notice").first.is_hidden()
    assert "More activities and support: " + site["url"] in text
    assert "This list online: " + share in text
    assert "Your link worker:" in text and "Notes:" in text
    page.wait_for_selector(".lw-handout-qr svg path")
    size = page.evaluate("document.querySelector('.lw-handout-qr svg').viewBox.baseVal.width")
    assert size >= 21 + 4  # a QR code (version 1 and up: 21 modules a side) with its margin
    shot(page, "handout-print")
    page.emulate_media(media="screen")


def test_the_handout_says_whom_each_listing_is_open_to(page, site):
    active = [e for e in site["entries"] if e["status"] == "active"]
    serving = next(e for e in active if e.get("areas_served"))
    other = next(e for e in active if not e.get("areas_served"))
    page.goto(f"{site['url']}shortlist/?ids={serving['id']},{other['id']}")  # a list shared by link
    page.wait_for_selector(".lw-handout-item >> nth=1")
    page.emulate_media(media="print")
    open_to = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.lw-handout-item')].map(li => {
        const dt = [...li.querySelectorAll('dt')].find(d => d.textContent.trim() === 'Open to');
        return [li.querySelector('h2 a').dataset.entry, dt ? dt.nextElementSibling.innerText.trim() : null]; }))""")
    assert open_to == {serving["id"]: "People from " + areas_text(serving["areas_served"]), other["id"]: None}
    page.emulate_media(media="screen")


def quote_in(href: str, url: str) -> bool:
    from urllib.parse import unquote
    return url in unquote(href)


def test_a_never_verified_listing_says_where_it_came_from(page, site):
    bundled = next(e for e in site["entries"] if not e["id"].startswith("syn-"))  # every bundled one is unverified
    page.goto(f"{site['url']}entries/{bundled['id']}/")
    notice = page.locator(".lw-notice").first.inner_text()
    assert notice.splitlines()[0] == unverified_notice(bundled)  # then what to check before referring
    assert "last reviewed" not in page.content()
    searched(page, f"{site['url']}?q={quote(bundled['name'])}&bor={bundled['borough']}")
    card = page.locator(f'#lw-results .lw-result[data-entry="{bundled["id"]}"] .lw-notice')
    assert card.inner_text().startswith("Not yet verified — from ")


def open_first_pin(pg) -> None:
    """Open pin 1's popup with a click, else from the keyboard (focus, Enter) as a keyboard user
    would: in loaded parallel runs a click now and then opened nothing (see the session 7 note)."""
    pin = pg.locator("#lw-map .lw-pin").first
    pin.click()
    from playwright.sync_api import TimeoutError as NotYet
    try:
        pg.locator(".leaflet-popup-content").wait_for(timeout=5000)
    except NotYet:
        pin.focus()
        pg.keyboard.press("Enter")
        pg.locator(".leaflet-popup-content").wait_for(timeout=10000)


def test_map_fans_out_pins_at_one_spot_with_a_key_and_full_popups(page, site):
    count = searched(page, site["url"] + "?bor=lewisham&pc=SE8+4RJ")
    assert count > 1
    page.click("#lw-map-toggle")
    page.wait_for_selector("#lw-map .lw-pin")
    page.wait_for_function("() => !document.querySelector('#lw-map.leaflet-zoom-anim, #lw-map .leaflet-zoom-animated"
                           ".leaflet-zoom-anim')")
    pins = page.eval_on_selector_all("#lw-map .lw-pin", "els => els.map(e => { const r = e.getBoundingClientRect();"
                                     " return [e.textContent, Math.round(r.x), Math.round(r.y)]; })")
    numbers = [p[0] for p in pins]
    assert numbers == [str(i + 1) for i in range(len(pins))]  # every pin numbered as in the list
    assert len({(x, y) for _, x, y in pins}) == len(pins)  # none hidden under another
    legend = page.locator("#lw-map-legend").inner_text()
    assert "Red circle: postcode SE8 4RJ" in legend and "Numbered pin" in legend
    open_first_pin(page)
    pop = page.locator(".leaflet-popup-content")
    text = pop.inner_text()
    assert "Lewisham" in text and ("miles" in text or "Somewhere in Lewisham" in text)
    assert pop.locator(".lw-shortlist-btn").count() == 1
    shot(page, "map")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_pins_popup_stays_open_when_more_results_arrive(browser, big_site, width):
    """More results redraw the pins (Show more, or records still arriving on a slow connection): the
    popup the link worker opened stays open on the same listing."""
    context, pg = _open(browser, width, big_site["url"])
    try:
        assert searched(pg, big_site["url"] + "?pc=SE8+4RJ") > 20
        pg.click("#lw-map-toggle")
        pg.wait_for_selector("#lw-map .lw-pin")
        pg.wait_for_function("() => !document.querySelector('#lw-map.leaflet-zoom-anim')")
        open_first_pin(pg)
        name = pg.locator(".leaflet-popup-content a").first.inner_text()
        pg.click("#lw-more")
        pg.wait_for_function("() => document.querySelectorAll('#lw-map .lw-pin').length > 20")
        # the one popup shown (a closed one fades out, then goes), on the same listing
        pg.wait_for_function("() => { const p = document.querySelectorAll('.leaflet-popup');"
                             " return p.length === 1 && getComputedStyle(p[0]).opacity === '1'; }", timeout=5000)
        assert pg.locator(".leaflet-popup-content a").first.inner_text() == name
        assert not pg.errors
    finally:
        context.close()


def test_result_cards_are_compact_on_a_phone(page, site):
    searched(page, site["url"] + "?q=art&pc=SE8+4RJ")
    card = page.locator("#lw-results .lw-result").first
    card.scroll_into_view_if_needed()
    shot(page, "card")
    facts = card.locator("dl.lw-facts dt")
    first_dt, first_dd = facts.first.bounding_box(), card.locator("dl.lw-facts dd").first.bounding_box()
    if page.width < 600:
        assert card.bounding_box()["height"] < 0.45 * 844  # under half a phone screen (a third without the notice)
        assert abs(first_dt["y"] - first_dd["y"]) < 4  # label beside its value
    assert first_dd["height"] < 30  # one line each


def test_radius_chips_keep_what_is_within_so_many_miles(page, site):
    from linkwell.publish.search.index import entry_point
    from linkwell.reference.geo import distance_km
    from linkwell.reference.postcodes import postcodes
    from tests.test_search_browser import _centroids
    home, centroids = postcodes().get("SE8 4RJ"), _centroids()

    def within(miles):
        out = []
        for e in site["entries"]:
            lat, lon, approx = entry_point(e, centroids)
            if not approx and distance_km((home.lat, home.lon), (lat, lon)) <= miles * 1.609344:
                out.append(e["id"])
        return out
    assert 0 < len(within(1)) < len(within(2))
    assert searched(page, site["url"] + "?pc=SE8+4RJ&r=1") == len(within(1))
    assert "within 1 mile of SE8 4RJ, nearest first" in page.locator("#lw-status").inner_text()
    assert set(shown_ids(page)) <= set(within(1))
    assert page.locator("#lw-radius button[aria-pressed=true]").inner_text() == "Within 1 mile"
    before = page.locator("#lw-status").inner_text()
    page.click("#lw-radius button:has-text('Within 2 miles')")
    page.wait_for_function("t => document.getElementById('lw-status').textContent !== t", arg=before)
    assert wait_count(page) == len(within(2)) and "r=2" in page.url
    shot(page, "radius")
    # nothing within a mile: the way back is one button
    far_lang = next(v for v in ("so", "pl") if not set(within(1)) & {i for i in ref_ids(site, "lang", v)})
    assert searched(page, f"{site['url']}?lang={far_lang}&pc=SE8+4RJ&r=1") == 0
    button = page.locator("#lw-suggest button")
    assert button.inner_text().startswith("Show results at any distance (")
    before = page.locator("#lw-status").inner_text()
    button.click()
    page.wait_for_function("t => document.getElementById('lw-status').textContent !== t", arg=before)
    assert wait_count(page) == len(ref_ids(site, "lang", far_lang))
    assert "r=" not in page.url


def ref_ids(site, key, value):
    return [i for i in Reference(site["entries"]).results("", {key: [value]})]


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci)")
@pytest.mark.parametrize("path", ["add-your-group/", "for-councils/", "boroughs/", "categories/", "map/",
                                  "boroughs/lewisham/", "shortlist/", "entry"])
def test_axe_finds_no_serious_violations_on_every_page(page, site, path):
    if path == "entry":
        path = f"entries/{site['entries'][0]['id']}/"
    page.goto(site["url"] + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []
