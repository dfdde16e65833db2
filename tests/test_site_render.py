"""The renderer's helpers give exactly what the plain (slower) forms give, and list items are
escaped like the templates escape."""

from __future__ import annotations

import copy
import datetime as dt
import re

from conftest import VALID_ENTRY
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from test_site_xss import RAW_HOSTILE

from linkwell.freshness import freshness
from linkwell.site import words
from linkwell.site.render import Renderer, SiteInfo, collapse_spaces, html_text, label_html

TODAY = dt.date(2026, 6, 1)
SPACEY = st.lists(st.sampled_from(["a", "bc", " ", "  ", "\n", "\n\n", "\t", "\xa0", "\u2028", "\x1c", "\x85", "é",
                                   "<", "&"]), max_size=600).map("".join)


@given(SPACEY, st.integers(min_value=0, max_value=300))
def test_collapse_spaces_is_a_long_enough_prefix_of_re_sub(text, keep):
    full = re.sub(r"\s+", " ", text)
    got = collapse_spaces(text, keep)
    assert full.startswith(got)
    assert got == full or len(got.strip()) > keep
    # what the two callers take from it is the same as from the whole text
    assert got[:155] == full[:155] or keep < 155
    if keep >= 180:
        short, short_full = got.strip(), full.strip()
        assert (len(short) <= 180) == (len(short_full) <= 180)
        assert short[:177] == short_full[:177]


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
