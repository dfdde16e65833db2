"""Which areas a listing serves, on the built site in real headless Chromium at 390 px and 1366 px.

A small site (60 synthetic listings and two with ``areas_served``: a phone line placed only at its
borough's centre that serves all of London, and a club at a venue that serves three boroughs), and
the bundled directory with 3,000 synthetic listings, are built with the real ``linkwell build`` and
served on 127.0.0.1. The listing page, the borough list
and the search result cards (word search and postcode search) say which areas; axe finds nothing
serious; screenshots go to test-artifacts/areas/.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote

import pytest

from bench.synthetic import generate
from linkwell.listings.store import write_entries
from linkwell.listings.validate import validate_paths
from linkwell.reference.boroughs import BOROUGHS
from tests.conftest import BUNDLED
from tests.conftest import CHECKOUT as PROJECT_DIR
from tests.test_site_support import serve

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_DIR / "test-artifacts" / "areas"
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1366)

HELPLINE = {
    "id": "zither-helpline", "name": "Zither helpline",
    "organisation": {"name": "Example Music Trust"},
    "description": "A phone line for people who want to start playing music again, with a volunteer who plays.",
    "categories": ["creative"], "borough": "lewisham", "areas_served": ["london"],
    "delivery": ["phone"], "cost": "free", "access": ["self-referral"],
    "contact": {"phone": "020 7946 0100"}, "status": "active", "last_verified": "2026-10-01",
    "verified_by": "provider", "sources": [{"kind": "form", "first_seen": "2026-10-01", "last_seen": "2026-10-01"}],
}
CLUB = {
    "id": "zither-club-deptford", "name": "Zither club Deptford",
    "organisation": {"name": "Example Music Trust"},
    "description": "A weekly zither club for beginners in Deptford: instruments lent, tea after.",
    "categories": ["creative"], "borough": "lewisham", "areas_served": ["lewisham", "greenwich", "southwark"],
    "location": {"venue": "Deptford Lounge", "postcode": "SE8 4RJ"},
    "delivery": ["in-person"], "cost": "free", "access": ["drop-in"], "status": "active",
    "last_verified": "2026-10-01", "verified_by": "provider",
    "sources": [{"kind": "form", "first_seen": "2026-10-01", "last_seen": "2026-10-01"}],
}
SERVES_CLUB = "Serves Lewisham, Greenwich and Southwark"
SERVES_HELPLINE = "Serves all of London"


def build_and_serve(root, entries: list[dict]):
    directory = root / "directory"
    write_entries(directory, entries)
    out = root / "site"
    run = subprocess.run([sys.executable, "-m", "linkwell", "build", "--out", str(out), "--directory", str(directory)],
                         capture_output=True, text=True, cwd=PROJECT_DIR, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return serve(out)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The bundled directory and 3,000 synthetic listings (a fifth of them say which areas they serve)."""
    synthetic = list(generate(3000, seed=23))
    bundled = list(validate_paths([BUNDLED]).entries.values())
    with build_and_serve(tmp_path_factory.mktemp("areas-big"), [*bundled, *synthetic]) as url:
        yield url, synthetic, bundled


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    quiet = [{k: v for k, v in e.items() if k != "areas_served"} for e in generate(60, seed=16)]  # say nothing
    with build_and_serve(tmp_path_factory.mktemp("areas-site"), [*quiet, HELPLINE, CLUB]) as url:
        yield url


def open_page(browser, site, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    pg = context.new_page()
    pg.errors = []
    origin = site.rstrip("/")
    pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort())
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    return context, pg


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_problems(pg) -> list:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def card_facts(pg, entry_id: str) -> dict[str, str]:
    """{term: value} of one result card's facts."""
    return pg.eval_on_selector(f'#lw-results .lw-result[data-entry="{entry_id}"] dl.lw-facts', """dl => {
        const out = {};
        dl.querySelectorAll('dt').forEach(dt => {
          out[dt.textContent.trim()] = dt.nextElementSibling.textContent.trim(); });
        return out; }""")


def wait_results(pg) -> None:
    pg.wait_for_function("() => /\\d results?/.test(document.getElementById('lw-status').textContent)")
    pg.wait_for_selector("#lw-results .lw-result")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_listing_page_says_which_areas_it_serves(browser, site, width):
    context, pg = open_page(browser, site, width)
    for entry, words in ((CLUB, SERVES_CLUB), (HELPLINE, SERVES_HELPLINE)):
        pg.goto(f"{site}entries/{entry['id']}/")
        serves = pg.locator(".lw-serves")
        assert serves.is_visible() and serves.inner_text() == words
        box = serves.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width  # no sideways scrolling on a phone
        assert axe_problems(pg) == []
        shot(pg, f"entry-{entry['id']}-{width}")
    pg.goto(f"{site}entries/syn-1/")  # not known: nothing is said
    assert pg.locator(".lw-serves").count() == 0 and "Serves" not in pg.locator("body").inner_text()
    assert pg.errors == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_search_cards_say_which_areas_on_one_line(browser, site, width):
    context, pg = open_page(browser, site, width)
    pg.goto(f"{site}?q=zither")
    wait_results(pg)
    facts = card_facts(pg, HELPLINE["id"])
    assert facts["Serves"] == "all of London" and facts["Where"] == "Lewisham"
    assert card_facts(pg, CLUB["id"])["Serves"] == "Lewisham, Greenwich and Southwark"
    line = pg.locator(f'.lw-result[data-entry="{HELPLINE["id"]}"] dt:text-is("Serves") + dd')
    assert line.is_visible()
    height = pg.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)", line.element_handle())
    assert line.bounding_box()["height"] <= height * 1.5  # one line, even on a phone
    assert axe_problems(pg) == []
    shot(pg, f"results-{width}")

    # near a postcode: the helpline has no place of its own, and says so beside the areas it serves
    pg.goto(f"{site}?q=zither&pc=SE8+4RJ")
    wait_results(pg)
    facts = card_facts(pg, HELPLINE["id"])
    assert facts["Distance"] == "Somewhere in Lewisham" and facts["Serves"] == "all of London"
    assert "Serves" in card_facts(pg, CLUB["id"]) and "miles" in card_facts(pg, CLUB["id"])["Distance"]
    shot(pg, f"results-postcode-{width}")
    assert pg.errors == []
    context.close()


def test_the_borough_list_says_which_areas(browser, site):
    context, pg = open_page(browser, site, 390)
    pg.goto(f"{site}boroughs/lewisham/")
    club = pg.locator(".lw-item", has=pg.locator(f'a[href$="entries/{CLUB["id"]}/"]'))
    assert club.locator(".lw-item__serves").inner_text() == SERVES_CLUB
    helpline = pg.locator(".lw-item", has=pg.locator(f'a[href$="entries/{HELPLINE["id"]}/"]'))
    assert helpline.locator(".lw-item__serves").inner_text() == SERVES_HELPLINE
    assert pg.locator(".lw-item__serves").count() == 2  # the synthetic listings say nothing
    assert axe_problems(pg) == []
    shot(pg, "borough-lewisham-390")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_add_form_asks_which_areas(browser, site, width):
    context, pg = open_page(browser, site, width)
    pg.goto(f"{site}add-your-group/")
    question = pg.locator("#lw-f-areas_served")
    assert question.locator("legend").inner_text() == "Which areas do you take people from?"
    assert question.locator("input[type=checkbox]").count() == 34  # All of London and the 33 boroughs
    question.scroll_into_view_if_needed()
    box = question.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert axe_problems(pg) == []
    question.screenshot(path=str(ARTIFACTS / f"add-form-areas-{width}.png"))
    assert pg.errors == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_among_the_bundled_and_3000_synthetic_listings_cards_say_which_areas(browser, big, width):
    url, synthetic, bundled = big
    context, pg = open_page(browser, url, width)
    serving = [e for e in synthetic if e.get("areas_served") and e["status"] == "active"]
    london = next(e for e in serving if e["areas_served"] == ["london"])
    local = next(e for e in serving if e["areas_served"] != ["london"] and e.get("location"))
    for entry, words in ((london, "all of London"), (local, BOROUGHS[local["borough"]].name)):
        pg.goto(f"{url}?q={quote(entry['name'])}")
        wait_results(pg)
        assert card_facts(pg, entry["id"])["Serves"] == words
    pg.goto(f"{url}?q={quote(local['name'])}&pc={quote(local['location']['postcode'])}")  # nearest first
    wait_results(pg)
    assert card_facts(pg, local["id"])["Serves"] == BOROUGHS[local["borough"]].name
    assert axe_problems(pg) == []
    shot(pg, f"big-postcode-{width}")
    report = bundled[0]  # a real listing from a report: which areas it serves is not known, so nothing is said
    pg.goto(f"{url}?q={quote(report['name'])}&bor={report['borough']}")
    wait_results(pg)
    assert "Serves" not in card_facts(pg, report["id"])
    assert pg.errors == []
    context.close()
