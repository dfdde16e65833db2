"""Hostile text renders as inert text on every page: valid-but-dangerous listings through the real
`linkwell build`, and raw hostile strings (which validation would reject) fed straight to the
renderer and the MkDocs build, checked in headless Chromium: no dialog, no console error, the
text visible literally, and JSON-LD that still parses."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys

import pytest
from conftest import VALID_ENTRY
from test_site_support import PROJECT, build, new_page, screenshot, serve

from bench.synthetic import write_directory
from linkwell.listings.store import write_entries
from linkwell.publish.site.render import Renderer, SiteInfo, json_for_script, mailto, safe_url, tel
from linkwell.publish.site.shell import Shell

_SITES: dict = {}

VALID_HOSTILE = copy.deepcopy(VALID_ENTRY) | {
    "id": "hostile-valid",
    "name": "[x](javascript:alert(1)) & <%= 7*7 %> {{ 7*7 }}",
    "description": ("&lt;script&gt;alert(1)&lt;/script&gt; then [click me](javascript:alert(2)) and "
                    "![img](x) plus 1 < 2 > 0 & \"quotes\" 'apos' @@LINKWELL:CONTENT@@ @@LINKWELL:TITLE@@ "
                    "{% raw %} ${alert(3)}\n\n<  script>alert(4)<  /script>"),
    "organisation": {"name": "O'Brien & \"Sons\" `${alert(5)}`"},
    "location": {"venue": "Hall <%= alert(6) %>", "postcode": "SE8 4RJ"},
    "cost_note": "javascript:alert(7)",
}

RAW_HOSTILE = copy.deepcopy(VALID_ENTRY) | {
    "id": "hostile-raw",
    "name": '</script><script>alert("name")</script>',
    "description": ('<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) '
                    '<a href="javascript:alert(4)">raw link</a> </script><!-- @@LINKWELL:CONTENT@@ -->'),
    "organisation": {"name": "<img src=x onerror=alert(5)>", "website": "javascript:alert(55)"},
    "location": {"venue": "<svg onload=alert(9)>", "address": '"><iframe src=javascript:alert(10)>',
                 "postcode": "SE8 4RJ"},
    "contact": {"website": "javascript:alert(6)", "email": 'x@y.z"><script>alert(7)</script>',
                "phone": "javascript:alert(8)"},
    "schedule": [{"days": ["mo"], "opens": "10:00", "closes": "11:00",
                  "note": "</script><script>alert(11)</script>"}],
    "cost_note": '"><script>alert(13)</script>',
    "sources": [{"kind": "manual", "first_seen": "2026-01-01", "last_seen": "2026-01-01",
                 "title": "<b onmouseover=alert(12)>source</b>", "url": "javascript:alert(14)"}],
}

CHECK_INERT = """() => ({
  images: document.querySelectorAll('img[src="x"], svg[onload], iframe, [onerror], [onload], [onmouseover]')
    .length,
  jsLinks: Array.from(document.querySelectorAll('a[href]'))
    .filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
  scripts: Array.from(document.querySelectorAll('script:not([src])')).filter(s => s.type !== 'application/ld+json'
      && s.type !== 'application/json' && /alert/.test(s.textContent)).length,
})"""


def located_site(tmp_path_factory):
    """40 synthetic listings with locations plus one valid-but-hostile listing, built once."""
    if "located" not in _SITES:
        tmp = tmp_path_factory.mktemp("located")
        write_directory(tmp / "directory", 40)
        write_entries(tmp / "directory", [VALID_HOSTILE])
        result = build(tmp / "directory", tmp / "site", tmp / "cache")
        assert result.returncode == 0, result.stdout + result.stderr
        _SITES["located"] = tmp / "site"
    return _SITES["located"]


@pytest.fixture(scope="module")
def raw_site(tmp_path_factory):
    """The real MkDocs build fed raw hostile entries directly (bypassing validation)."""
    tmp = tmp_path_factory.mktemp("raw")
    (tmp / "entries.json").write_text(json.dumps([RAW_HOSTILE, VALID_ENTRY]))
    script = (
        "import json, sys\n"
        "from mkdocs.commands.build import build\n"
        "from linkwell.cli.build import _mkdocs_config\n"
        "from linkwell.project import find\n"
        "entries = json.load(open(sys.argv[1]))\n"
        "out = __import__('pathlib').Path(sys.argv[2])\n"
        "config, plugin = _mkdocs_config(find().config_file, out, entries)\n"
        "plugin.config['feeds'] = False  # the feed writers validate their output and refuse such entries\n"
        "build(config)\n")
    result = subprocess.run([sys.executable, "-c", script, str(tmp / "entries.json"), str(tmp / "site")],
                            cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp / "site"


def _assert_inert(page):
    assert page.dialogs == [], page.dialogs
    assert page.errors == [], page.errors
    assert page.evaluate(CHECK_INERT) == {"images": 0, "jsLinks": 0, "scripts": 0}


def test_valid_hostile_listing_is_inert_on_every_page(browser, tmp_path_factory):
    site = located_site(tmp_path_factory)
    with serve(site) as url:
        page = new_page(browser)
        page.goto(f"{url}entries/hostile-valid/")
        _assert_inert(page)
        assert page.locator("h1").inner_text() == VALID_HOSTILE["name"]
        text = page.locator("article").inner_text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "[click me](javascript:alert(2))" in text
        assert "@@LINKWELL:CONTENT@@ @@LINKWELL:TITLE@@" in text, "slot-like text is not substituted"
        assert VALID_HOSTILE["organisation"]["name"] in text
        assert page.title().startswith(VALID_HOSTILE["name"])
        data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
        assert data["name"] == VALID_HOSTILE["name"] and data["description"] == VALID_HOSTILE["description"]
        screenshot(page, "xss-valid-entry")
        for path in ("boroughs/lewisham/", "categories/active/"):
            page.goto(url + path)
            _assert_inert(page)
            assert VALID_HOSTILE["name"] in page.locator("article").inner_text()
        page.context.close()


def test_raw_hostile_strings_are_inert(browser, raw_site):
    with serve(raw_site) as url:
        page = new_page(browser)
        page.goto(f"{url}entries/hostile-raw/")
        _assert_inert(page)
        assert page.locator("h1").inner_text() == RAW_HOSTILE["name"]
        text = page.locator("article").inner_text()
        assert "<script>alert(1)</script><img src=x onerror=alert(2)>" in text
        assert RAW_HOSTILE["organisation"]["name"] in text
        assert "<svg onload=alert(9)>" in text
        assert page.get_by_role("link", name="javascript:alert(6)").count() == 0
        data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
        assert data["name"] == RAW_HOSTILE["name"]
        assert "url" not in data["provider"], "a javascript: website is not published as a link"
        screenshot(page, "xss-raw-entry")
        page.goto(f"{url}boroughs/lewisham/")
        _assert_inert(page)
        assert RAW_HOSTILE["name"] in page.locator("article").inner_text()
        page.context.close()


def test_renderer_escapes_directly():
    page = Renderer(SiteInfo(repo_url="https://example.org/repo")).entry_page(RAW_HOSTILE, dt.date(2026, 6, 1))
    html = page.head + page.content
    for bad in ("<script>alert", "<img src=x", "<svg", "<iframe", 'href="javascript:', "<b onmouseover"):
        assert bad not in html, bad
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in html
    ld = page.head.split('<script type="application/ld+json">', 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in ld and ">" not in ld and "&" not in ld
    assert json.loads(ld)["name"] == RAW_HOSTILE["name"]


def test_link_filters():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example",
                'https://x.org/"onmouseover=1', None, 5):
        assert safe_url(bad) is None, bad
    assert mailto("info@example.org") == "mailto:info@example.org"
    assert mailto('x@y.z"><script>') is None
    assert tel("020 7946 0000") == "tel:02079460000"
    assert tel("javascript:alert(1)") is None
    assert json_for_script({"a": "</script><!--&"}) == '{"a":"\\u003c/script\\u003e\\u003c!--\\u0026"}'


def test_shell_substitutes_once():
    shell = Shell("<title>@@LINKWELL:TITLE@@</title><main>@@LINKWELL:CONTENT@@</main>@@LINKWELL:SCRIPTS@@")
    out = shell.fill(title="<b>@@LINKWELL:CONTENT@@", content="<p>@@LINKWELL:TITLE@@</p>")
    assert out == "<title>&lt;b&gt;@@LINKWELL:CONTENT@@</title><main><p>@@LINKWELL:TITLE@@</p></main>"


def test_entry_with_every_optional_field_missing_renders_sensibly():
    minimal = {key: VALID_ENTRY[key] for key in ("id", "name", "organisation", "description", "categories",
                                                 "borough", "delivery", "cost", "access", "status",
                                                 "last_verified", "verified_by", "sources")}
    minimal["organisation"] = {"name": "Minimal Org"}
    minimal["delivery"] = ["phone"]
    page = Renderer(SiteInfo()).entry_page(minimal, dt.date(2026, 6, 1))
    assert "Times not given — ask the group." in page.content
    assert "No contact details listed yet." in page.content
    assert "Not stated; ask the provider about access needs." in page.content
    assert "Anyone" in page.content and "By phone" in page.content
    assert 'id="lw-map"' not in page.content and "leaflet" not in page.scripts
    assert "Suggest a change" not in page.content  # no repo_url configured: no dead link
