"""``directory.csv``: one row per listing for spreadsheets, in the column order of ``COLUMNS``.

UTF-8 with a byte-order mark (so Excel shows Welsh, Bengali or Polish names correctly; other
readers use ``encoding="utf-8-sig"``), RFC 4180 quoting, ``\\r\\n`` line ends. Lists are joined
with ``"; "``. Guard against spreadsheet formula injection: a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading apostrophe
(``'+44 20 7946 0000``); latitude and longitude are numbers and are written as they are.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkwell.listings.describe import schedule_text
from linkwell.publish.feeds import common
from linkwell.publish.output import write_joined

FILE_NAME = "directory.csv"

#: (column, meaning) — documented on the for-councils page.
COLUMNS = [
    ("id", "Linkwell id (slug), stable forever"),
    ("oruk_id", "ORUK service id (UUID)"),
    ("name", "Name of the service or activity"),
    ("organisation", "Organisation running it"),
    ("charity_number", "Charity Commission number"),
    ("company_number", "Companies House number"),
    ("description", "Plain-text description"),
    ("categories", "creative / connected / active / safe"),
    ("activities", "Activities from the controlled list"),
    ("borough", "Borough slug"),
    ("borough_name", "Borough name"),
    ("areas_served", "Areas it takes people from, when known: borough slugs, or london for all of London"),
    ("venue", "Venue"),
    ("address", "Street address"),
    ("postcode", "Postcode"),
    ("latitude", "Latitude (WGS84), from the entry or its postcode"),
    ("longitude", "Longitude (WGS84), from the entry or its postcode"),
    ("delivery", "in-person / online / phone"),
    ("schedule", "When it runs, e.g. 'Tuesday 10:00-11:30 (weekly)'"),
    ("cost", "free / low-cost / paid / varies"),
    ("cost_note", "Details of the cost"),
    ("access", "How to get in: drop-in, self-referral, link-worker-referral, gp-referral, booking"),
    ("min_age", "Minimum age"),
    ("max_age", "Maximum age"),
    ("audience", "Groups it is for"),
    ("accessibility", "Accessibility features"),
    ("languages", "ISO 639-1 language codes"),
    ("website", "Website"),
    ("email", "Organisational email"),
    ("phone", "Organisational phone"),
    ("status", "active / temporarily-closed / closed"),
    ("last_verified", "Date the details were last confirmed with the provider"),
    ("verified_by", "Who confirmed them (unverified = nobody yet)"),
    ("freshness", "fresh / stale / unverified on the build day"),
    ("freshness_notice", "The notice the website shows"),
    ("sources", "Where the listing came from (source id or title)"),
]

_NAMES = [name for name, _ in COLUMNS]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | float | int:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, (int, float)):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def _values(entry: dict, today: dt.date, facts: common.Facts | None) -> dict:
    """The entry's raw values by column name, in ``COLUMNS`` order."""
    org = entry["organisation"]
    location = entry.get("location") or {}
    contact = entry.get("contact") or {}
    audience = entry.get("audience") or {}
    facts = facts or common.facts(entry, today)
    point, fresh = facts.point, facts.freshness
    return {
        "id": entry["id"], "oruk_id": facts.service_id, "name": entry["name"],
        "organisation": org["name"], "charity_number": org.get("charity_number"),
        "company_number": org.get("company_number"), "description": entry["description"],
        "categories": "; ".join(entry["categories"]), "activities": "; ".join(entry.get("activities", [])),
        "borough": entry["borough"], "borough_name": common.borough_name(entry["borough"]),
        "areas_served": "; ".join(entry.get("areas_served", [])),
        "venue": location.get("venue"), "address": location.get("address"), "postcode": location.get("postcode"),
        "latitude": point[0] if point else None, "longitude": point[1] if point else None,
        "delivery": "; ".join(entry["delivery"]), "schedule": schedule_text(entry.get("schedule")),
        "cost": entry["cost"], "cost_note": entry.get("cost_note"), "access": "; ".join(entry["access"]),
        "min_age": audience.get("min_age"), "max_age": audience.get("max_age"),
        "audience": "; ".join(audience.get("groups", [])),
        "accessibility": "; ".join(entry.get("accessibility", [])),
        "languages": "; ".join(entry.get("languages", [])),
        "website": common.website(entry), "email": contact.get("email"), "phone": contact.get("phone"),
        "status": entry["status"], "last_verified": entry["last_verified"], "verified_by": entry["verified_by"],
        "freshness": fresh.state, "freshness_notice": fresh.notice,
        "sources": "; ".join(s.get("source_id") or s.get("title") or s["kind"] for s in entry["sources"]),
    }


def row(entry: dict, today: dt.date, facts: common.Facts | None = None) -> list:
    """The entry's cells in ``COLUMNS`` order (``facts``: ``common.facts(entry, today)``, optional)."""
    return ["" if value is None else safe_cell(value) for value in _values(entry, today, facts).values()]


def write(entries: list[dict], out_dir: Path, generated_at: dt.datetime) -> Path:
    today = generated_at.date()
    return write_lines([row_text(e, today).encode() for e in entries], out_dir)


def _line(cells, guard_formulas: bool = False) -> str:
    """The line ``csv.writer`` writes for ``cells``, ``\\r\\n`` included: RFC 4180 quoting where a cell
    holds a comma, a double quote or a line break; ``None`` is an empty cell; numbers as ``str``.
    ``guard_formulas``: each cell goes through ``safe_cell`` first.

    Written out here because ``csv.writer`` copies every character into its own buffer one by one:
    this is about twice as fast on our long rows (``tests/test_feeds_encoding.py`` checks the two
    agree on any cells)."""
    out = []
    for cell in cells:
        if type(cell) is not str:
            if cell is None:
                out.append("")
                continue
            if guard_formulas and not isinstance(cell, (int, float)):
                cell = safe_cell(cell)
            else:
                cell = str(cell)
        elif guard_formulas and cell.startswith(_DANGEROUS):  # safe_cell, inlined: most cells are text
            cell = "'" + cell
        if "," in cell or '"' in cell or "\n" in cell or "\r" in cell:
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    if out == [""]:  # csv.writer quotes a lone empty cell, or the line would be blank
        return '""\r\n'
    return ",".join(out) + "\r\n"


def row_text(entry: dict, today: dt.date, facts: common.Facts | None = None) -> str:
    """One entry's CSV line, ``\\r\\n`` included: ``_line(row(entry, today, facts))`` in one pass."""
    return _line(_values(entry, today, facts).values(), guard_formulas=True)


def write_lines(lines: list[bytes], out_dir: Path) -> Path:
    """Write the file from each listing's line as UTF-8 (``row_text(...).encode()``)."""
    path = Path(out_dir) / FILE_NAME
    write_joined(path, _line(_NAMES).encode("utf-8-sig"), lines, b"", b"")
    return path
