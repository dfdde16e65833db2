"""Plain-language words for entry fields, shared by every page the site renders.

Each function accepts the controlled-vocabulary values of ``schema/entry.schema.json`` (or a
whole entry) and returns plain text for people, never HTML; escaping is the templates' job.
The labels themselves come from ``linkwell.reference.vocabulary`` (the schema's ``x-labels``).
Unknown values fall back to a readable form of the slug rather than failing.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from linkwell.listings.areas import areas_text
from linkwell.listings.describe import LANGUAGE_NAMES
from linkwell.reference import vocabulary

CATEGORIES = {slug: (text, vocabulary.descriptions("categories").get(slug, ""))
              for slug, text in vocabulary.labels("categories").items()}
ACTIVITIES = vocabulary.labels("activities")
DAYS = vocabulary.labels("days")
SCHEMA_DAYS = {k: f"https://schema.org/{v}" for k, v in DAYS.items()}
FREQUENCY = vocabulary.descriptions("frequency")  # "every week"
DELIVERY = vocabulary.labels("delivery")
COST = vocabulary.labels("cost")
COST_UNKNOWN = "Cost not known — ask the group"  # "varies" with no note: a harvest's default, not a fact
ACCESS = vocabulary.descriptions("access")  # "Drop in — just turn up"
ACCESSIBILITY = vocabulary.labels("accessibility")
GROUPS = {slug: vocabulary.in_sentence("groups", slug) for slug in vocabulary.labels("groups")}
STATUS = vocabulary.labels("status")
VERIFIED_BY = {slug: vocabulary.in_sentence("verified_by", slug) for slug in vocabulary.labels("verified_by")}
SOURCE_KIND = {slug: vocabulary.in_sentence("source_kind", slug) for slug in vocabulary.labels("source_kind")}
SOURCE_FROM = {"manual": "a listing added by hand", "pull-request": "a change to the directory",
               "form": "the add-your-group form", "oruk": "an Open Referral UK directory",
               "openactive": "an OpenActive feed", "spreadsheet": "a shared spreadsheet"}


slug_words = vocabulary.slug_words


def category(slug: str) -> str:
    return CATEGORIES[slug][0] if slug in CATEGORIES else slug_words(slug)


def category_blurb(slug: str) -> str:
    return CATEGORIES.get(slug, ("", ""))[1]


def activity(slug: str) -> str:
    return ACTIVITIES[slug] if slug in ACTIVITIES else slug_words(slug)


def group(slug: str) -> str:
    return GROUPS.get(slug, slug.replace("-", " "))


def language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code.upper())


def serves(areas) -> str:
    """"Serves Lewisham, Greenwich and Southwark", "Serves all of London", or "" when not known."""
    text = areas_text(areas)
    return f"Serves {text}" if text else ""


def join_words(items: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def audience(ages: str, groups: list[str]) -> str:
    """The "who it is for" line: "Ages 18 to 65; especially for carers", "Especially for carers",
    "Ages 65 and over" or "Anyone"."""
    if not (ages or groups):
        return "Anyone"
    text = ages + ("; " if ages and groups else "")
    if groups:
        text += ("especially for " if ages else "Especially for ") + join_words(groups)
    return text


def delivery(values: list[str]) -> str:
    """["in-person", "online"] -> "In person or online"."""
    text = " or ".join(DELIVERY.get(v, v).lower() for v in values)
    return text[:1].upper() + text[1:]


def schedule_line(slot: dict) -> str:
    """One schedule slot as a sentence: "Tuesdays and Thursdays, 10:00 to 11:30, every week"."""
    days = join_words([DAYS.get(d, d) + "s" for d in slot.get("days", [])])
    opens, closes = slot.get("opens"), slot.get("closes")
    if opens and closes:
        time = f"{opens} to {closes}"
    elif opens:
        time = f"from {opens}"
    elif closes:
        time = f"until {closes}"
    else:
        time = ""
    parts = [days, time, FREQUENCY.get(slot.get("frequency", ""), "")]
    line = ", ".join(p for p in parts if p)
    return f"{line} ({slot['note']})" if slot.get("note") else line


@lru_cache(maxsize=4096)  # listings share dates
def long_date(value: str) -> str:
    """``2026-01-15`` -> ``15 January 2026`` (unchanged when it is not a date)."""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{day.day} {day:%B %Y}"


_CITED_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def unverified_notice(entry: dict) -> str:
    """What a never-verified listing says instead of a review date it never had: where it came from
    and how old that is ("Not yet verified — from an Open Referral UK directory, 2025"). The year is
    a citation's own ("… three boroughs (GLA, 2020)" gives 2020: the facts are that old), else the
    year Linkwell first saw the listing. Its ``last_verified`` is then only a placeholder, never shown."""
    sources = sorted(entry.get("sources") or (), key=lambda s: str(s.get("first_seen", "")))
    if not sources:
        return "Not yet verified"
    first = sources[0]
    title, _, details = " ".join(str(first.get("title") or "").split()).partition(" (")
    origin = title if len(title) <= 80 else title[:80].rsplit(" ", 1)[0] + "…"  # a citation's title
    origin = origin or SOURCE_FROM.get(first.get("kind"), slug_words(str(first.get("kind", ""))))
    cited = _CITED_YEAR.findall(details.split(")")[0])
    year = cited[-1] if cited else str(first.get("first_seen", ""))[:4]
    return f"Not yet verified — from {origin}" + (f", {year}" if year.isdigit() else "")


def cost_known(entry: dict) -> bool:
    """False for a bare "varies": what harvests and report listings set when the source gave no cost
    (the schema requires a value); "varies" with a ``cost_note`` says how it varies."""
    return not (entry.get("cost") == "varies" and not entry.get("cost_note"))


def cost(entry: dict) -> str:
    """The cost in words: "Cost varies" only where a note says how; otherwise not known."""
    value = entry.get("cost")
    return COST.get(value, value) if cost_known(entry) else COST_UNKNOWN
