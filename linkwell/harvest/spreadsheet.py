"""Spreadsheet harvester: a CVS's or council's CSV / XLSX list of groups into candidate entries.

Source options (``spreadsheet:`` in the sources file): ``sheet`` (XLSX sheet name; default the
first). The file comes from ``path`` (relative to the sources file) or ``url`` (downloaded
politely, robots.txt respected) and is read by ``sheets`` (bounded by the data really in it).

Headers are matched through ``HEADER_ALIASES``, ignoring case, spaces and punctuation ("Postal
Code", "post code" and "POSTCODE" are all ``postcode``); the header row is the row among the first
ten that matches most aliases, so title rows above it are fine, and merged header cells (XLSX) are
filled across their range, with a group header above ("Contact" over "Phone") tried as a prefix.
An "Area served" / "Areas covered" column (borough names, "London-wide", GSS codes, several in one
cell) fills ``areas_served``. Unknown columns are reported once and ignored; blank rows are
skipped. Each bad row is reported with its row number and field while good rows still load.
Dates may be written 2025-03-01, 01/03/2025 or 1 March 2025 (or be real spreadsheet dates). A
row's record id is its ``id`` column when there is one, else its name and postcode, so re-sorting
the sheet changes nothing.
"""

from __future__ import annotations

import re

from .candidate import Draft, Finisher, Skip, SourceResult
from .http import Fetcher
from .mapping import accessibility_from_text, groups_from_text, language_code
from .oruk import SourceFormatError
from .sheets import column_letter, read_rows
from .text import label_key, one_line, parse_date, parse_days, parse_time, slug

HEADER_ALIASES: dict[str, list[str]] = {
    "record_id": ["id", "reference", "ref", "record id", "listing id", "unique id"],
    "name": ["name", "service name", "activity name", "group name", "listing name", "service", "title",
             "name of activity", "name of service", "name of group"],
    "organisation": ["organisation", "organization", "organisation name", "organization name", "provider",
                     "run by", "lead organisation", "group", "organisation/group"],
    "description": ["description", "details", "about", "summary", "what happens", "what is it",
                    "service description", "activity description"],
    "categories": ["category", "categories", "theme", "themes", "type", "five ways"],
    "activities": ["activities", "activity", "activity type", "tags", "keywords", "subcategory"],
    "borough": ["borough", "local authority", "council", "london borough"],
    "areas": ["area served", "areas served", "areas covered", "area covered", "service area", "service areas",
              "catchment", "catchment area", "boroughs served", "boroughs covered", "coverage", "which areas"],
    "venue": ["venue", "location", "venue name", "place", "where"],
    "address": ["address", "street address", "address line 1", "full address", "venue address"],
    "postcode": ["postcode", "post code", "postal code", "zip", "venue postcode"],
    "delivery": ["delivery", "format", "delivery mode", "how delivered", "in person or online"],
    "days": ["days", "day", "day of week", "days of week", "when days", "day(s)"],
    "opens": ["opens", "start time", "from", "time from", "opening time", "start", "times from"],
    "closes": ["closes", "end time", "to", "time to", "closing time", "finish", "end", "times to"],
    "times": ["times", "time", "opening times", "opening hours", "hours", "when"],
    "frequency": ["frequency", "how often"],
    "cost": ["cost", "price", "fee", "fees", "charge", "costs"],
    "cost_note": ["cost note", "cost details", "price details", "fee details"],
    "access": ["access", "referral", "how to join", "referral route", "how to access", "referral type"],
    "min_age": ["min age", "minimum age", "age from", "youngest"],
    "max_age": ["max age", "maximum age", "age to", "oldest"],
    "groups": ["audience", "who for", "groups", "who is it for", "target group", "who can attend", "eligibility"],
    "accessibility": ["accessibility", "access needs", "disabled access", "accessibility features"],
    "languages": ["languages", "language", "languages spoken"],
    "website": ["website", "web", "url", "web address", "site", "webpage", "contact website"],
    "email": ["email", "e-mail", "email address", "contact email"],
    "phone": ["phone", "telephone", "tel", "phone number", "contact number", "telephone number", "contact phone"],
    "charity_number": ["charity number", "charity no", "registered charity number", "charity reg", "charity"],
    "company_number": ["company number", "company no", "companies house number"],
    "status": ["status", "open or closed", "running"],
    "last_verified": ["last verified", "verified", "date verified", "last updated", "updated", "date checked",
                      "last checked", "checked", "verified on"],
}
_ALIAS = {label_key(alias): field for field, aliases in HEADER_ALIASES.items() for alias in aliases}


def header_field(text) -> str | None:
    return _ALIAS.get(label_key(text)) if text not in (None, "") else None


# --- reading the file -----------------------------------------------------------------------

def _columns(top: list, bottom: list | None) -> tuple[dict[int, str], list[str]]:
    """Fields per column from one header row (``bottom`` None) or two (a group row over a sub-header
    row, as merged header cells make them)."""
    columns, unknown, used = {}, [], set()
    width = max(len(top), len(bottom or []))
    for c in range(width):
        upper = top[c] if c < len(top) else None
        lower = bottom[c] if bottom is not None and c < len(bottom) else None
        field = None
        if bottom is not None and lower not in (None, ""):
            field = (header_field(f"{upper} {lower}") if upper not in (None, "", lower) else None) \
                or header_field(lower)
        if field is None:
            field = header_field(upper)
        shown = lower if lower not in (None, "") else upper
        if field is None or field in used:
            if shown not in (None, ""):
                why = "repeats an earlier column" if field in used else "is not a column Linkwell knows"
                unknown.append(f"column {column_letter(c)} {one_line(shown, 60)!r} {why}; ignored")
            continue
        columns[c] = field
        used.add(field)
    return columns, unknown


def find_header(rows: list[list]) -> tuple[int, dict[int, str], list[str]]:
    """(index of the last header row, {column: field}, unknown column descriptions).

    The header is the row (or pair of rows: a group row over a sub-header row) among the first ten
    that names the most known columns."""
    best, best_score = None, 1
    for i, row in enumerate(rows[:10]):
        single = _columns(row, None)[0]
        if len(single) > best_score:
            best, best_score = (i, False), len(single)
        if i + 1 < len(rows) and len({header_field(x) for x in rows[i + 1]} - {None}) >= 2:
            double = _columns(row, rows[i + 1])[0]
            if len(double) > max(best_score, len(single)):
                best, best_score = (i, True), len(double)
    if best is None:
        raise SourceFormatError("no header row found in the first 10 rows: expected column names such as "
                                "Name, Description, Postcode (see HEADER_ALIASES in linkwell/harvest/spreadsheet.py)")
    i, two_rows = best
    columns, unknown = _columns(rows[i], rows[i + 1] if two_rows else None)
    last = i + 1 if two_rows else i
    if "name" not in columns.values():
        raise SourceFormatError(f"row {last + 1} looks like the header but has no Name column")
    return last, columns, unknown


# --- one row ----------------------------------------------------------------------------------

class RowError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _split(value) -> list[str]:
    return [p.strip() for p in re.split(r"[,;/\n]|\band\b", str(value)) if p.strip()] if value else []


def _words(value, table: dict[str, str]) -> list[str]:
    text = str(value or "").lower()
    return sorted({ours for pattern, ours in table.items() if re.search(pattern, text)})


_DELIVERY = {r"in[- ]person|face[- ]to[- ]face|venue": "in-person", r"online|zoom|teams|virtual": "online",
             r"phone|telephone": "phone"}
_ACCESS = {r"drop[- ]?in": "drop-in", r"self[- ]?refer|just turn up|anyone": "self-referral",
           r"link[- ]worker|social prescrib": "link-worker-referral", r"\bgp\b|doctor": "gp-referral",
           r"book": "booking"}
_STATUS = {"active": "active", "open": "active", "running": "active", "yes": "active",
           "temporarily closed": "temporarily-closed", "paused": "temporarily-closed",
           "temporarily-closed": "temporarily-closed", "closed": "closed", "no": "closed"}


def _cost(value) -> tuple[str | None, str | None]:
    text = one_line(value).lower()
    if not text:
        return None, None
    if text in ("free", "low-cost", "low cost", "paid", "varies"):
        return text.replace(" ", "-"), None
    amounts = [float(x) for x in re.findall(r"£\s*(\d+(?:\.\d+)?)", text)]
    if "free" in text and not amounts:
        return "free", one_line(value, 300)
    if amounts:
        return ("low-cost" if max(amounts) <= 5 else "paid"), one_line(value, 300)
    return "varies", one_line(value, 300)


def _age(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    m = re.search(r"\d+", str(value))
    if not m or int(m.group()) > 120:
        raise RowError(field, f"{one_line(value)!r} is not an age in years")
    return int(m.group())


def _schedule(cells: dict) -> list[dict]:
    days = parse_days(cells.get("days"))
    if not days:
        if cells.get("days") not in (None, ""):
            raise RowError("days", f"{one_line(cells['days'])!r} names no day of the week (write Mon, Tuesday, "
                                   "Mon-Fri ...)")
        return []
    opens, closes = cells.get("opens"), cells.get("closes")
    if opens in (None, "") and cells.get("times"):
        parts = re.split(r"\s*(?:-|–|to|until)\s*", str(cells["times"]), maxsplit=1)
        opens, closes = parts[0], parts[1] if len(parts) > 1 else None
    slot = {"days": days}
    for key, value in (("opens", opens), ("closes", closes)):
        if value in (None, ""):
            continue
        time = parse_time(value)
        if time is None:
            raise RowError(key, f"{one_line(value)!r} is not a time (write 10:00 or 10am)")
        slot[key] = time
    if "opens" in slot and "closes" in slot and slot["closes"] <= slot["opens"]:
        raise RowError("closes", f"closing time {slot['closes']} is not after opening time {slot['opens']}")
    frequency = label_key(cells.get("frequency") or "")
    if frequency:
        slot["frequency"] = ("fortnightly" if "fortnight" in frequency or "every2" in frequency
                             else "monthly" if "month" in frequency else "weekly")
    return [slot]


def draft_from_row(cells: dict, row_number: int) -> Draft:
    name = one_line(cells.get("name"))
    postcode = one_line(cells.get("postcode"))
    if postcode and not re.fullmatch(r"[A-Za-z]{1,2}[0-9][0-9A-Za-z]? ?[0-9][A-Za-z]{2}", postcode):
        raise RowError("postcode", f"{postcode!r} is not shaped like a UK postcode (for example SE8 4RJ)")
    verified = cells.get("last_verified")
    verified_on = parse_date(verified)
    if verified not in (None, "") and verified_on is None:
        raise RowError("last_verified", f"{one_line(verified)!r} is not a date; write 2025-03-01, 01/03/2025 "
                                        "or 1 March 2025")
    record_id = one_line(cells.get("record_id")) or "-".join(filter(None, [slug(name), slug(postcode)]))
    cost, cost_note = _cost(cells.get("cost"))
    labels = _split(cells.get("categories")) + _split(cells.get("activities"))
    status_text = one_line(cells.get("status")).lower()
    if status_text and status_text not in _STATUS:
        raise RowError("status", f"{status_text!r} is not a status; write active, temporarily closed or closed")
    languages = [language_code(x) for x in _split(cells.get("languages"))]
    groups_text = one_line(cells.get("groups"))
    return Draft(
        record_id=record_id or f"row-{row_number}",
        name=cells.get("name"),
        description=cells.get("description"),
        organisation={"name": cells.get("organisation"), "charity_number": cells.get("charity_number"),
                      "company_number": cells.get("company_number")},
        labels=labels,
        venue=cells.get("venue"),
        address=cells.get("address"),
        postcode=postcode or None,
        borough=cells.get("borough"),
        areas=[cells["areas"]] if isinstance(cells.get("areas"), str) else [],
        delivery=_words(cells.get("delivery"), _DELIVERY),
        schedule=_schedule(cells),
        cost=cost,
        cost_note=one_line(cells.get("cost_note")) or cost_note,
        access=_words(cells.get("access"), _ACCESS),
        min_age=_age(cells.get("min_age"), "min_age"),
        max_age=_age(cells.get("max_age"), "max_age"),
        groups=groups_from_text(groups_text) + [slug(g) for g in _split(groups_text)],
        accessibility=accessibility_from_text(one_line(cells.get("accessibility"))) + [
            slug(x) for x in _split(cells.get("accessibility"))],
        languages=[x for x in languages if x],
        website=cells.get("website"),
        email=cells.get("email"),
        phone=cells.get("phone"),
        status=_STATUS.get(status_text, "active"),
        verified_on=verified_on,
        where=f"row {row_number}",
    )


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def harvest(source, fetcher: Fetcher, finisher: Finisher, result: SourceResult) -> None:
    if source.url:
        data = fetcher.get_bytes(source.url, accept="text/csv, application/vnd.openxmlformats-officedocument."
                                                    "spreadsheetml.sheet, */*;q=0.5")
        name = source.url
    else:
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            raise SourceFormatError(f"{source.path}: cannot be read ({exc.strerror})") from None
        name = str(source.path)
    rows = read_rows(data, name, source.option("spreadsheet", "sheet"))
    try:
        header, columns, unknown = find_header(rows)
    except SourceFormatError as exc:
        raise SourceFormatError(f"{name}: {exc}") from None
    result.notes += [f"{name}: {message}" for message in unknown]
    seen: dict[str, int] = {}
    blank = 0
    for i, row in enumerate(rows[header + 1:], start=header + 2):
        cells = {field: _cell(row[c]) for c, field in columns.items() if c < len(row)}
        if all(v in (None, "") for v in cells.values()):
            blank += 1
            continue
        try:
            draft = draft_from_row(cells, i)
        except RowError as exc:
            result.records += 1
            record_id = one_line(cells.get("record_id")) or slug(one_line(cells.get("name"))) or f"row-{i}"
            result.skipped.append(Skip(record_id, exc.field, exc.message, f"row {i}"))
            continue
        if draft.record_id in seen:
            result.records += 1
            result.skipped.append(Skip(draft.record_id, "name", f"repeats row {seen[draft.record_id]} (same name "
                                                                "and postcode, or same id); only the first is used",
                                       f"row {i}"))
            continue
        seen[draft.record_id] = i
        finisher.add(draft)
    if blank:
        result.notes.append(f"{name}: {blank} blank row{'s' if blank != 1 else ''} skipped")
