"""Small pieces: HTML to plain text, days/times/dates, and what every request sends."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwell.harvest.http import USER_AGENT, Fetcher, FetchError, make_session
from linkwell.harvest.text import parse_date, parse_days, parse_time, plain_text


@given(st.text())
def test_plain_text_never_leaves_markup(text):
    out = plain_text(text)
    assert "\n" not in out
    import re
    assert not re.search(r"<[A-Za-z/!?]", out)


@pytest.mark.parametrize("html, text", [
    ("<p>Tea&nbsp;&amp; cake</p><p>Mondays</p>", "Tea & cake Mondays"),
    ("<script>document.write('x')</script>Hello", "Hello"),
    ("a <b>bold</b> move", "a bold move"),
    ("5 < 6 and <br/>done", "5 < 6 and done"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "< script>alert(1)< /script>"),
])
def test_plain_text(html, text):
    assert plain_text(html) == text


def test_days_times_dates():
    assert parse_days("TH,FR") == ["th", "fr"]
    assert parse_days("Mon-Wed") == ["mo", "tu", "we"]
    assert parse_days(["https://schema.org/Sunday"]) == ["su"]
    assert parse_days("Tuesdays and Thursdays") == ["tu", "th"]
    assert parse_time("2.30pm") == "14:30" and parse_time("10:00:00") == "10:00" and parse_time("12am") == "00:00"
    assert parse_time("25:00") is None and parse_time("10") is None
    for text in ("2025-03-01", "01/03/2025", "1 March 2025", "1st Mar 2025", "2025-03-01T10:30:45.123Z"):
        assert parse_date(text) == dt.date(2025, 3, 1), text
    assert parse_date("31/31/2025") is None


def test_requests_send_user_agent_and_refuse_other_schemes(httpserver, tmp_path):
    httpserver.expect_request("/x", headers={"User-Agent": USER_AGENT}).respond_with_json({"ok": True})
    fetcher = Fetcher(make_session(timeout=5, retries=0), tmp_path, pace_seconds=0)
    assert fetcher.get_json(httpserver.url_for("/x")) == {"ok": True}
    with pytest.raises(FetchError, match="only http"):
        fetcher.get_json("file:///etc/passwd")
