"""Filter counts, chips and the empty-result suggestion within a chosen radius, in headless Chromium.

With a postcode and a radius chip chosen ("within 1 / 2 / 5 miles"), each filter option's count is
the number of results ticking it gives, options that would give none are marked, the radius chip
above the results removes the radius (and the counts follow), and an empty result suggests one
change that brings results back: the nearest wider radius with results, else any distance, else
(nothing at any distance) the filter whose removal gives most results within the radius. Listings
placed only at their borough's centre have no exact place: they are never within a radius, in the
list or in the counts. Checked at 390 px and 1366 px on the bundled directory with 300 synthetic
listings and on 3,000 synthetic listings, against a Python reference from the index's own per-entry facts
(``index.entry_facts``) and the distance formula of search-geo.js. Screenshots go to
test-artifacts/radius16/. The bundled directory alone gives no listing an exact place (its
listings name a venue at most), so within any radius it has nothing: checked on its own too.
"""

from __future__ import annotations

import itertools
import math

import pytest

from bench.synthetic import generate
from linkwell.publish.search.files import APPROX, TILE_LAT, TILE_LON, postcode_shards
from linkwell.publish.search.index import LAT0, LON0, facet_labels, facet_values
from tests.conftest import CHECKOUT as PROJECT_DIR
from tests.test_search_browser import (
    AXE,
    build_and_serve,
    listed,
    serve_with_index,
    shown_ids,
    status_changed,
    wait_count,
)
from tests.test_search_filters_browser import Reference, _open, option_counts

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "radius16"
WIDTHS = [390, 1366]
SITES = ["bundled", "synthetic"]
POSTCODES = ["SE8 4RJ", "E8 1DY", "SW1A 1AA"]
MILES = [1, 2, 5]
KEYS = ["cat", "cost", "del", "day", "time", "grp", "acc", "a11y", "lang"]  # the form's filters (not boroughs)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """search-geo.js's km(), operation for operation."""
    x = (lon2 - lon1) * math.cos((lat1 + lat2) * math.pi / 360) * 111.32
    y = (lat2 - lat1) * 110.57
    return math.sqrt(x * x + y * y)


class Within(Reference):
    """The Python reference, with the listings within a radius of a postcode as search-geo.js finds
    them: each listing's place in its position tile, the postcode as postcodes/<OUTWARD>.json has it."""

    def __init__(self, entries: list[dict]):
        super().__init__(entries)
        self.holding: dict[tuple[str, str], set[str]] = {}
        self.circles: dict[tuple[str, float | None], set[str]] = {}
        for entry_id, facts in self.facts.items():
            for pair in facts[5]:
                self.holding.setdefault(tuple(pair), set()).add(entry_id)

    def distance(self, entry_id: str, postcode: str) -> float | None:
        """Kilometres from the postcode; None for a listing placed only at its borough's centre."""
        tile = self.facts[entry_id][7]
        if tile is None or tile[0] == APPROX:
            return None
        tx, ty = (int(c) for c in tile[0].split("-"))
        outward, inward = postcode.split()
        lat, lon = postcode_shards()[outward][inward][:2]
        return km(lat, lon, LAT0 + ty * TILE_LAT + tile[1] / 10000, LON0 + tx * TILE_LON + tile[2] / 10000)

    def circle(self, postcode: str, miles: float | None) -> set[str]:
        """Every listing within `miles` of the postcode (None: at any distance)."""
        if (postcode, miles) not in self.circles:
            radius = None if miles is None else miles * 1.609344
            self.circles[postcode, miles] = {i for i in self.facts if radius is None or (
                (d := self.distance(i, postcode)) is not None and d <= radius)}
        return self.circles[postcode, miles]

    def matching(self, filters: dict[str, list[str]]) -> set[str]:
        out = set(self.facts)
        for key, values in filters.items():
            out &= set().union(*(self.holding.get((key, v), set()) for v in values))
        return out

    def count(self, filters: dict, postcode: str, miles: float | None) -> int:
        return len(self.matching(filters) & self.circle(postcode, miles))


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """The bundled directory alone."""
    out, url, server, entries = build_and_serve(tmp_path_factory.mktemp("radius16-plain"), [])
    yield {"out": out, "url": url, "within": Within(listed(entries))}
    server.shutdown()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled directory and 300 synthetic listings with exact places."""
    out, url, server, entries = build_and_serve(tmp_path_factory.mktemp("radius16-site"), list(generate(300, seed=21)))
    yield {"out": out, "url": url, "within": Within(listed(entries))}
    server.shutdown()


@pytest.fixture(scope="module")
def synthetic(bundled, tmp_path_factory):
    entries = list(generate(3000, seed=16))
    out, url, server = serve_with_index(bundled["out"], tmp_path_factory.mktemp("radius16-big"), entries)
    yield {"out": out, "url": url, "within": Within(listed(entries))}
    server.shutdown()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request, browser):
    context, pg = _open(browser, request.param, "http://127.0.0.1:1/")  # _site() lets one site's requests through
    yield pg
    assert not pg.errors
    context.close()


def _site(request, kind: str, pg) -> dict:
    site = request.getfixturevalue(kind)
    pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site["url"].rstrip("/")) else r.abort())
    return site


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}-{pg.viewport_size['width']}.png"), full_page=False)


def _url(site: dict, filters: dict, postcode: str, miles: int | None) -> str:
    query = "&".join(f"{k}={','.join(v)}" for k, v in filters.items())
    query += "&pc=" + postcode.replace(" ", "+") + (f"&r={miles}" if miles else "")
    return site["url"] + "?" + query.lstrip("&")


def _open_groups(pg, keys) -> None:
    """Open the Filters panel and the groups of `keys`; wait until each of their options shows a count."""
    if not pg.evaluate("document.getElementById('lw-filters').open"):
        pg.click("#lw-filters > summary")
    for key in keys:
        if not pg.evaluate(f"document.querySelector('details[data-facet=\"{key}\"]').open"):
            pg.click(f'details[data-facet="{key}"] > summary')
    pg.wait_for_function("keys => keys.every(k => [...document.querySelectorAll(`details[data-facet=\"${k}\"] li`)]"
                         ".every(li => (li.querySelector('.lw-opt-n') || {}).textContent))", arg=list(keys))


def _shown(n: int) -> str:
    return f" ({n:,})" if n else " (none)"


def _zero_by_radius(within: Within, base: dict, postcode: str, miles: int) -> tuple[str, str]:
    """A filter option that gives no result within the radius but some at any distance."""
    for key in KEYS:
        others = {k: v for k, v in base.items() if k != key}
        for value in facet_values()[key]:
            if not within.count({**others, key: [value]}, postcode, miles) and within.count(
                    {**others, key: [value]}, postcode, None):
                return key, value
    raise AssertionError("no option is empty only because of the radius")


CASES = {"bundled": ({}, "SE8 4RJ", 1), "synthetic": ({"cost": ["free"]}, "SE8 4RJ", 1)}


@pytest.mark.parametrize("kind", SITES)
def test_each_count_within_a_radius_is_what_ticking_the_option_gives(page, request, kind):
    site = _site(request, kind, page)
    within = site["within"]
    base, postcode, miles = CASES[kind]
    zero_key, zero_value = _zero_by_radius(within, base, postcode, miles)
    keys = ["cat", "del", zero_key]
    expected_total = within.count(base, postcode, miles)
    page.goto(_url(site, base, postcode, miles))
    assert wait_count(page) == expected_total
    _open_groups(page, keys)
    shown = {key: option_counts(page, key) for key in keys}
    for key in keys:
        others = {k: v for k, v in base.items() if k != key}
        for value in facet_values()[key]:
            assert shown[key][value] == _shown(within.count({**others, key: [value]}, postcode, miles)), (key, value)
    assert page.locator(f"#lw-{zero_key}-{zero_value}").locator("xpath=..").get_attribute("class") == "lw-opt-none"
    page.locator(f"#lw-{zero_key}-{zero_value}").scroll_into_view_if_needed()
    shot(page, f"{kind}-counts")

    cats = sorted(facet_values()["cat"], key=lambda v: within.count({**base, "cat": [v]}, postcode, miles))
    for key, value in [("cat", cats[-1]), ("cat", cats[0]), ("del", "online"), (zero_key, zero_value)]:
        number = int(shown[key][value].strip(" ()").replace(",", "").replace("none", "0"))
        before = page.locator("#lw-status").inner_text()
        page.check(f"#lw-{key}-{value}")
        status_changed(page, before)
        assert wait_count(page) == number, (key, value)
        ids = shown_ids(page)
        expected = within.matching({**base, key: [value]}) & within.circle(postcode, miles)
        assert set(ids) <= expected and len(ids) == min(20, number)
        distances = [(within.facts[i][0], within.distance(i, postcode)) for i in ids]
        assert distances == sorted(distances)  # nearest first within each tier
        before = page.locator("#lw-status").inner_text()
        page.uncheck(f"#lw-{key}-{value}")
        status_changed(page, before)
        assert wait_count(page) == expected_total

    # the radius chip above the results: removing it counts at any distance again
    others = {k: v for k, v in base.items() if k != zero_key}
    anywhere = within.count({**others, zero_key: [zero_value]}, postcode, None)
    label = "Within 1 mile" if miles == 1 else f"Within {miles} miles"
    page.click(f"#lw-chips button[aria-label='Remove {label}']")
    page.wait_for_function("([id, text]) => (document.querySelector(`label[for=\"${id}\"] .lw-opt-n`) || {})"
                           ".textContent === text", arg=[f"lw-{zero_key}-{zero_value}", _shown(anywhere)])
    assert wait_count(page) == within.count(base, postcode, None) and "r=" not in page.url
    assert page.locator(f"#lw-{zero_key}-{zero_value}").locator("xpath=..").get_attribute("class") in ("", None)


def _suggestion(within: Within, filters: dict, postcode: str, miles: int) -> tuple[str, int, str] | None:
    """(kind, results, what) of the change the page should offer for an empty result; None if it has results."""
    if within.count(filters, postcode, miles):
        return None
    for wider in (m for m in MILES if m > miles):
        if n := within.count(filters, postcode, wider):
            return "widen", n, f"Widen to {wider} miles to see {n:,} result{'s' if n != 1 else ''}"
    if n := within.count(filters, postcode, None):
        return "any", n, f"Show results at any distance ({n:,} result{'s' if n != 1 else ''})"
    counts = [(within.count({k: v for k, v in filters.items() if k != key}, postcode, miles), key) for key in filters]
    best = max(counts, key=lambda c: c[0])
    if not best[0] or [c[0] for c in counts].count(best[0]) > 1:
        return "tie"
    labels = facet_labels()[best[1]]
    what = " or ".join(labels[facet_values()[best[1]].index(v)] for v in filters[best[1]])
    return "remove", best[0], f"Remove {what} to see {best[0]:,} result{'s' if best[0] != 1 else ''}"


def _suggestion_cases(within: Within) -> dict[str, tuple[dict, str, int]]:
    """One query per kind of suggestion: widen the radius, any distance, remove a filter (within the radius)."""
    singles = [{key: [value]} for key in KEYS for value in facet_values()[key]]
    pairs = [{**a, **b} for a, b in itertools.combinations(singles, 2) if set(a) != set(b)]
    found: dict[str, tuple[dict, str, int]] = {}
    for filters, postcode, miles in itertools.product(singles + pairs, POSTCODES, MILES):
        got = _suggestion(within, filters, postcode, miles)
        if got and got != "tie" and got[0] not in found:
            found[got[0]] = (filters, postcode, miles)
        if len(found) == 3:
            return found
    raise AssertionError(f"only {sorted(found)} among the suggestions")


@pytest.mark.parametrize("kind", SITES)
def test_the_empty_result_suggestion_within_a_radius(page, request, kind):
    site = _site(request, kind, page)
    within = site["within"]
    for what, (filters, postcode, miles) in _suggestion_cases(within).items():
        _kind, n, text = _suggestion(within, filters, postcode, miles)
        page.goto(_url(site, filters, postcode, miles))
        assert wait_count(page) == 0
        status = page.locator("#lw-status").inner_text()
        assert f"within {miles} mile" in status, status
        button = page.locator("#lw-suggest button")
        assert button.inner_text() == text, what
        if what == "remove":
            _open_groups(page, list(filters))
            counts = {key: option_counts(page, key) for key in filters}
            for key, values in filters.items():  # each chosen option's count: nothing, as the list shows
                assert [counts[key][v] for v in values] == [" (0)"] * len(values)
        button.scroll_into_view_if_needed()
        shot(page, f"{kind}-suggest-{what}")
        before = page.locator("#lw-status").inner_text()
        button.click()
        status_changed(page, before)
        assert wait_count(page) == n, (what, filters, postcode, miles)


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci)")
@pytest.mark.parametrize("query", ["?pc=SE8+4RJ&r=1", "?lang=so&pc=SE8+4RJ&r=1"])
def test_axe_finds_no_serious_violations_with_a_radius(page, request, query):
    site = _site(request, "bundled", page)
    page.goto(site["url"] + query)
    wait_count(page)
    _open_groups(page, ["cat", "lang"])
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []


def test_listings_only_at_a_borough_centre_are_never_within_a_radius(page, request):
    site = _site(request, "plain", page)
    within = site["within"]
    connected = within.count({"cat": ["connected"]}, "SE8 4RJ", None)
    assert connected and not within.circle("SE8 4RJ", 5)
    page.goto(site["url"] + "?cat=connected&pc=SE8+4RJ&r=5")
    assert wait_count(page) == 0
    _open_groups(page, ["cat", "lang"])
    counts = {key: option_counts(page, key) for key in ("cat", "lang")}
    assert set(counts["lang"].values()) == {" (none)"}
    assert counts["cat"] == {v: " (0)" if v == "connected" else " (none)" for v in facet_values()["cat"]}
    button = page.locator("#lw-suggest button")
    assert button.inner_text() == f"Show results at any distance ({connected} results)"
    button.scroll_into_view_if_needed()
    shot(page, "plain-suggest")
    before = page.locator("#lw-status").inner_text()
    button.click()
    status_changed(page, before)
    assert wait_count(page) == connected
    assert page.locator(".lw-result dl.lw-facts").first.inner_text().startswith("Distance")
    assert "Somewhere in" in page.locator(".lw-result dl.lw-facts").first.inner_text()
