"""The built website in real headless Chromium: entry, borough, category and map pages, print
layout, map pins with and without tiles, axe-core, and screenshots at desktop and phone widths
(saved under test-artifacts/site/)."""

from __future__ import annotations

import json

import pytest
from test_site_support import PROJECT, bundled_site, new_page, screenshot, serve

from linkwell.listings.freshness import freshness
from linkwell.listings.validate import validate_paths
from linkwell.publish.site.words import unverified_notice

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with serve(bundled_site(tmp_path_factory)) as url:
        yield url


@pytest.fixture(scope="module")
def entries():
    return {e["id"]: e for e in validate_paths([PROJECT / "directory"]).entries.values()}


def _entry_with_most_fields(entries):
    return max(entries.values(), key=lambda e: (len(e), len(e.get("description", ""))))


def test_entry_page_shows_every_field_in_plain_language(browser, base_url, entries):
    entry = _entry_with_most_fields(entries)
    page = new_page(browser)
    page.goto(f"{base_url}entries/{entry['id']}/")
    assert page.locator("h1").inner_text() == entry["name"]
    main = page.locator("article").inner_text()
    for label in ("What it is", "Where", "When", "Cost", "How to get in", "Who it is for", "Accessibility",
                  "Contact", "About this listing"):
        assert label in main, label
    assert entry["organisation"]["name"] in main
    assert entry["description"].split()[0] in main
    notice = page.locator(".lw-notice").first
    assert notice.is_visible()
    fresh = freshness(entry, None)
    expected = unverified_notice(entry) if fresh.state == "unverified" else fresh.notice
    assert notice.inner_text().startswith(expected)
    tags = page.locator(".lw-tags").inner_text()
    assert all(cat.capitalize() in tags for cat in entry["categories"])
    suggest = page.get_by_role("link", name="Suggest a change")
    assert "/issues/new?" in suggest.get_attribute("href") and entry["id"] in suggest.get_attribute("href")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Service" and data["name"] == entry["name"]
    assert data["provider"]["@type"] == "Organization"
    assert page.errors == [] and page.dialogs == []
    page.context.close()


def test_map_pin_with_tiles_and_without(browser, base_url, tmp_path_factory):
    # the bundled listings have no postcodes; a synthetic site with locations is built in test_site_xss,
    # so here a listing's page is checked for its fallback, and the map on a located listing below
    from test_site_xss import located_site
    site = located_site(tmp_path_factory)
    with serve(site) as url:
        for tiles in ("stub", "fail"):
            page = new_page(browser, tiles=tiles)
            page.goto(f"{url}entries/syn-1/")
            page.wait_for_selector("#lw-map.lw-map--ready")
            assert page.locator(".leaflet-marker-icon").count() == 1
            assert page.locator(".lw-address").is_visible(), "the address is shown whatever the map does"
            assert page.get_by_role("link", name="Open this place on OpenStreetMap").is_visible()
            if tiles == "fail":
                page.wait_for_selector("#lw-map.lw-map--no-tiles")
                screenshot(page, "entry-located-no-tiles-desktop")
            else:
                assert page.errors == []
                screenshot(page, "entry-located-desktop")
            page.context.close()


def test_map_waits_for_leaflets_stylesheet_on_a_slow_connection(browser, tmp_path_factory):
    """leaflet.css arriving a second after leaflet.js (a slow phone): the pin still uses Leaflet's own
    marker images and nothing is fetched from a wrong folder (Leaflet guesses one without its CSS)."""
    import time

    from test_site_xss import located_site
    with serve(located_site(tmp_path_factory)) as url:
        page = new_page(browser, width=390)
        wrong = []
        page.on("response", lambda r: wrong.append(r.url) if r.status == 404 else None)

        def slow_css(route):
            time.sleep(1)
            route.continue_()

        page.route("**/leaflet.css", slow_css)
        page.goto(f"{url}entries/syn-1/")
        page.locator("#lw-map").scroll_into_view_if_needed()
        page.wait_for_selector("#lw-map.lw-map--ready")
        icon = page.locator(".leaflet-marker-icon")
        assert "/assets/vendor/leaflet/images/marker-icon" in icon.get_attribute("src")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=icon.element_handle())
        assert wrong == [] and page.errors == []
        page.context.close()


def test_entry_without_location_has_no_broken_map(browser, base_url, entries):
    entry = next(e for e in entries.values() if not e.get("location"))
    page = new_page(browser)
    page.goto(f"{base_url}entries/{entry['id']}/")
    assert page.locator("#lw-map").count() == 0
    assert "no address listed yet" in page.locator("article").inner_text()
    assert page.errors == []
    page.context.close()


def test_print_layout_hides_navigation(browser, base_url, entries):
    entry = _entry_with_most_fields(entries)
    page = new_page(browser)
    page.goto(f"{base_url}entries/{entry['id']}/")
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert not page.locator(".lw-actions").is_visible()
    assert page.locator("h1").is_visible() and page.locator(".lw-notice").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    screenshot(page, "entry-print")
    page.context.close()


def test_borough_and_category_pages_rank_and_link(browser, base_url, entries):
    page = new_page(browser)
    page.goto(f"{base_url}boroughs/hackney/")
    items = page.locator(".lw-item")
    expected = [e for e in entries.values() if e["borough"] == "hackney"]
    assert items.count() == len(expected)
    page.locator(".lw-item a").first.click()
    page.wait_for_url("**/entries/**")
    assert page.locator("h1").inner_text() in {e["name"] for e in expected}
    page.goto(f"{base_url}categories/creative/")
    assert page.locator(".lw-item").count() == sum("creative" in e["categories"] for e in entries.values())
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("path", ["entries/{entry}/", "boroughs/hackney/", "categories/connected/", "boroughs/"])
def test_axe_no_serious_or_critical_violations(browser, base_url, entries, path):
    page = new_page(browser)
    page.goto(base_url + path.format(entry=_entry_with_most_fields(entries)["id"]))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots_of_each_page_type(browser, base_url, entries, width):
    entry = _entry_with_most_fields(entries)
    pages = {"entry": f"entries/{entry['id']}/", "borough": "boroughs/hackney/", "category": "categories/active/",
             "boroughs-index": "boroughs/", "map": "map/"}
    for name, path in pages.items():
        page = new_page(browser, width=WIDTHS[width], height=800)
        page.goto(base_url + path)
        if name == "map":
            page.wait_for_selector(".lw-borough-counts li")
            assert page.locator(".leaflet-interactive").count() == page.locator(".lw-borough-counts li").count()
        assert screenshot(page, f"{name}-{width}").stat().st_size > 1000
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width}"
        assert page.errors == [], (name, page.errors)
        page.context.close()
