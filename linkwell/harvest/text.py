"""Cleaning untrusted text from sources: HTML to plain text, days, times, dates, slugs.

``plain_text(html)`` turns an HTML fragment into one line of plain text (script and style content
dropped, entities unescaped, whitespace collapsed, and no ``<letter`` sequence left, so the result
can never be read as markup). ``one_line`` does the same for short fields; ``markdown_text`` makes
text safe inside a Markdown report (no mentions, HTML, entities, links, NUL or control characters).
``parse_days`` understands "TH,FR", schema.org day URLs, "Mon-Fri", "Tuesdays"; ``parse_time``
"10:00:00", "10am", "2.30pm", ``datetime.time``; ``parse_date`` "2025-03-01", "01/03/2025", "1 March
2025", ISO date-times and ``datetime`` values; ``slug`` makes ids.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from html.parser import HTMLParser

from linkwell.reports.markdown import inline

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "section", "article", "header", "footer", "blockquote", "table", "hr", "dd", "dt"}
_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "svg", "head", "title"}
_CONTROL_RE = re.compile(r"[\u0000-\u001f\u007f-\u009f\u2028\u2029]")
_MARKUP_RE = re.compile(r"<(?=[A-Za-z/!?])")


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _DROP_TAGS:
            self.dropping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _DROP_TAGS:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.dropping:
            self.parts.append(data)


def one_line(text, limit: int | None = None) -> str:
    """Whitespace and control characters collapsed to single spaces, markup-like ``<`` defused."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _CONTROL_RE.sub(" ", text)
    text = " ".join(text.split())
    text = _MARKUP_RE.sub("< ", text)
    if limit and len(text) > limit:
        cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
        text = (cut or text[: limit - 1]) + "…"
    return text


def plain_text(fragment, limit: int | None = None) -> str:
    """Plain text from an HTML (or plain) fragment; see the module docstring."""
    if fragment is None:
        return ""
    fragment = str(fragment)
    if "<" in fragment or "&" in fragment:
        parser = _TextExtractor()
        try:
            parser.feed(fragment)
            parser.close()
            fragment = "".join(parser.parts)
        except Exception:  # html.parser is lenient; never let odd markup stop a harvest
            fragment = html.unescape(re.sub(r"<[^>]*>", " ", fragment))
    return one_line(fragment, limit)


def markdown_text(text) -> str:
    """Text from a source made safe inside Markdown (a PR body): ``reports.markdown.inline`` (one
    line, no invisible characters, no mentions), then no HTML, entity, link or code syntax."""
    text = inline(text)
    return re.sub(r"([\\`*_\[\]<>|#!&~])", r"\\\1", text)


# --- days and times -------------------------------------------------------------------------

DAYS = ["mo", "tu", "we", "th", "fr", "sa", "su"]
_DAY_WORDS = {"mon": "mo", "tue": "tu", "tues": "tu", "wed": "we", "weds": "we", "thu": "th", "thur": "th",
              "thurs": "th", "fri": "fr", "sat": "sa", "sun": "su", "monday": "mo", "tuesday": "tu",
              "wednesday": "we", "thursday": "th", "friday": "fr", "saturday": "sa", "sunday": "su",
              **{d: d for d in DAYS}}


def _day(word: str) -> str | None:
    word = word.strip().lower().rstrip(".")
    word = word.rsplit("/", 1)[-1]  # https://schema.org/Monday
    if word.endswith("s") and word[:-1] in _DAY_WORDS and len(word) > 3:
        word = word[:-1]  # "Tuesdays"
    return _DAY_WORDS.get(word)


def parse_days(value) -> list[str]:
    """Days in week order from "TH,FR", ["https://schema.org/Monday"], "Mon-Fri", "weekdays"."""
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[,;&]|\band\b|\s+", str(value))
    found: set[str] = set()
    for item in items:
        text = str(item).strip().lower()
        if not text:
            continue
        if text in ("weekdays", "weekday"):
            found.update(DAYS[:5])
            continue
        if text in ("weekends", "weekend"):
            found.update(DAYS[5:])
            continue
        if text in ("daily", "everyday"):
            found.update(DAYS)
            continue
        m = re.fullmatch(r"(\S+?)\s*(?:-|–|to)\s*(\S+)", text)
        if m and _day(m.group(1)) and _day(m.group(2)):
            a, b = DAYS.index(_day(m.group(1))), DAYS.index(_day(m.group(2)))
            found.update(DAYS[a:b + 1] if a <= b else DAYS[a:] + DAYS[:b + 1])
            continue
        day = _day(re.sub(r"^\d+", "", text))  # RFC 5545 "1MO" (first Monday) -> mo
        if day:
            found.add(day)
    return [d for d in DAYS if d in found]


def parse_time(value) -> str | None:
    """'HH:MM' from "10:00:00", "10am", "2.30pm", "14:30", a ``datetime.time``; None otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    text = str(value).strip().lower().replace(" ", "")
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(?::\d{2}(?:\.\d+)?)?(am|pm)?(?:z|[+-]\d{2}:?\d{2})?", text)
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half is None and m.group(2) is None:
        return None  # a bare number is not a time
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


# --- dates ----------------------------------------------------------------------------------

_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], 1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9


def parse_date(value) -> dt.date | None:
    """A date from "2025-03-01", "01/03/2025" (day first, UK), "1 March 2025", "2023-03-15T10:30:45Z",
    a ``datetime``/``date``, or a Unix timestamp in milliseconds; None when not a real date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})", text)
        if m and m.group(2).lower() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:
        return None
    return None


# --- ids -------------------------------------------------------------------------------------

def slug(text: str, limit: int = 80) -> str:
    """'St Mary's Café & Garden' -> 'st-marys-cafe-and-garden'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0]
    return text


def label_key(text) -> str:
    """A label as the mapping tables compare it: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", str(text).lower().replace("&", "and"))
