"""The renderer's helpers give exactly what the plain (slower) forms give, and list items are
escaped like the templates escape."""

from __future__ import annotations

import copy
import datetime as dt
import re
from urllib.parse import urlencode

from conftest import VALID_ENTRY
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from test_site_xss import RAW_HOSTILE

from linkwell.listings.freshness import freshness
from linkwell.publish.site import words
from linkwell.publish.site.render import Renderer, SiteInfo, collapse_spaces, html_text, label_html
from linkwell.publish.site.shell import Shell

TODAY = dt.date(2026, 6, 1)
WHITESPACE = [chr(c) for c in range(0x3000 + 1) if chr(c).isspace() or re.match(r"\s", chr(c))]
SPACEY = st.lists(st.sampled_from(["a", "bc", "é", "<", "&", *WHITESPACE, "  ", "\n\n"]), max_size=300).map("".join)


def test_python_and_re_agree_on_whitespace():
    assert all(c.isspace() and re.match(r"\s", c) for c in WHITESPACE)
    assert "\xa0" in WHITESPACE and "\u2028" in WHITESPACE and "\x1c" in WHITESPACE


@given(SPACEY)
def test_collapse_spaces_is_re_sub(text):
    assert collapse_spaces(text) == re.sub(r"\s+", " ", text)
    assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip()  # what listing_item relies on


def test_html_text_escapes_like_the_templates():
    hostile = "<script>alert('x') & \"y\"</script>"
    assert html_text(hostile) == str(escape(hostile)) == \
        "&lt;script&gt;alert(&#39;x&#39;) &amp; &#34;y&#34;&lt;/script&gt;"
    assert label_html(hostile) == html_text(hostile)
    assert html_text(None) == "None" and html_text(7) == "7"
    assert type(html_text("a")) is str and type(label_html("a")) is str  # never Markup: + must not escape again


def test_words_lookups_fall_back_to_readable_slugs():
    assert words.category("safe") == "Safe" and words.category("peer-support") == "Peer support"
    assert words.activity("lunch-club") == "Lunch club" and words.activity("tai-chi") == "Tai chi"


def test_listing_item_text():
    entry = copy.deepcopy(VALID_ENTRY)
    entry.update(name="Knit & natter", status="temporarily-closed", cost="free", description="word " * 100)
    fresh = freshness(entry, TODAY)
    item = Renderer(SiteInfo()).listing_item(entry, fresh, 3)
    assert item.startswith(f'<li class="lw-item lw-item--{fresh.state}">\n'
                           f'  <h3 class="lw-item__name"><a href="../../../entries/{entry["id"]}/">Knit &amp; natter'
                           '</a></h3>\n')
    assert " · Free · " in item and "<strong>Temporarily closed</strong></p>" in item
    assert f'<p class="lw-item__text">{("word " * 35).strip()}…</p>' in item
    assert item.endswith(f'<p class="lw-item__fresh">{html_text(fresh.notice)}</p>\n</li>')


def test_listing_item_escapes_hostile_text():
    item = Renderer(SiteInfo()).listing_item(RAW_HOSTILE, freshness(RAW_HOSTILE, TODAY), 2)
    for bad in ("<script", "<img", "<svg", "<iframe", "<a href=\"javascript"):
        assert bad not in item
    assert html_text(RAW_HOSTILE["name"]) in item
    assert html_text(RAW_HOSTILE["organisation"]["name"]) in item


@given(st.text(max_size=40), st.text(max_size=20))
def test_suggest_change_url_is_urlencode(name, listing_id):
    site = SiteInfo(repo_url="https://github.com/example/linkwell/", update_form="update listing.yml")
    query = urlencode({"template": site.update_form, "title": f"Update: {name}", "listing": listing_id})
    url = Renderer(site).suggest_change_url({"name": name, "id": listing_id})
    assert url == f"https://github.com/example/linkwell/issues/new?{query}"
    assert Renderer(SiteInfo(repo_url="javascript:alert(1)")).suggest_change_url({"name": name}) is None


def test_audience_line():
    assert words.audience("", []) == "Anyone"
    assert words.audience("Ages 18 to 65", []) == "Ages 18 to 65"
    assert words.audience("", ["carers"]) == "Especially for carers"
    assert words.audience("Ages 65 and over", ["carers", "LGBTQ+ people"]) == \
        "Ages 65 and over; especially for carers and LGBTQ+ people"


@given(st.text(max_size=30), st.text(max_size=30), st.text(max_size=60), st.text(max_size=20))
def test_shell_fill_bytes_is_fill_encoded(title, description, content, path):
    shell = Shell('<html lang="en"><title>@@LINKWELL:TITLE@@ · Linkwell</title>'
                  '<meta content="@@LINKWELL:DESCRIPTION@@">'
                  '<link href="https://x.org/@@LINKWELL:PATH@@">@@LINKWELL:HEAD@@<h1>@@LINKWELL:TITLE@@</h1>'
                  '<main>@@LINKWELL:CONTENT@@</main>— @@LINKWELL:SCRIPTS@@</html>')
    values = dict(title=title, description=description, head="<link>", content=content, scripts="<script>", path=path)
    try:
        expected = shell.fill(**values).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: neither form can be written
        return
    assert shell.fill_bytes(**values) == expected
    assert html_text("<") in shell.fill(title="<", content="") and "<main></main>" in shell.fill(title="<")
