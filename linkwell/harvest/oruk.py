"""Open Referral UK harvester: a council's (or anyone's) ORUK API into candidate entries.

Source options (``oruk:`` in the sources file): ``page_size`` (default 100), ``detail``
(``auto``: fetch ``/services/{id}`` when a list record is partial, i.e. has no locations,
schedules or contacts; ``always``; ``never``), ``max_pages`` (a guard, default 10,000).

Pages through ``<url>/services?page=N&per_page=SIZE`` and accepts both envelopes: ORUK v1
(``totalElements, totalPages, number, content``) and ORUK/HSDS 3.0 (``total_items,
total_pages, page_number, contents``); a bare JSON list is accepted as one page. Records of
ORUK v1 (``physical_addresses``, ``regular_schedules``, ``service_taxonomys``, ``eligibilitys``)
and 3.0 (``addresses``, ``schedules``, ``attributes[].taxonomy_term``, ``organization_identifiers``)
are both mapped: organisation (with GB-CHC / GB-COH numbers), the first physical location and its
postcode, schedules (byday, opens_at, closes_at, freq/interval), phones, email, url, costs, ages,
eligibility groups, accessibility, languages, taxonomy labels, status, and ``assured_date`` (else
``last_modified``) as the date the record was last confirmed. Descriptions become plain text.
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote

from .candidate import Draft, Finisher, SourceResult, guess_access
from .http import Fetcher, FetchError
from .mapping import accessibility_from_text, groups_from_text, language_code
from .text import one_line, parse_days, parse_time

_DETAIL_KEYS = ("service_at_locations", "locations", "regular_schedules", "schedules", "contacts", "phones")
_STATUS = {"active": "active", "inactive": "temporarily-closed", "temporarily closed": "temporarily-closed",
           "temporarily-closed": "temporarily-closed", "defunct": "closed", "closed": "closed"}


class SourceFormatError(Exception):
    pass


def services_url(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith("/services") else base + "/services"


def read_page(data, url: str) -> tuple[list, int | None]:
    """(records, total pages or None) from a v1 or v3 page, or a bare list."""
    if isinstance(data, list):
        return data, 1
    if not isinstance(data, dict):
        raise SourceFormatError(f"{url}: expected a page of services (a JSON object), got {type(data).__name__}")
    if "contents" in data:
        records, pages = data["contents"], data.get("total_pages")
    elif "content" in data:
        records, pages = data["content"], data.get("totalPages")
    else:
        raise SourceFormatError(f"{url}: not an ORUK page: neither 'contents' (ORUK 3.0) nor 'content' "
                                "(ORUK v1) is present")
    if not isinstance(records, list):
        raise SourceFormatError(f"{url}: the page's services are not a list")
    return records, pages if isinstance(pages, int) and pages >= 0 else None


def _text(value) -> str:
    return one_line(value) if isinstance(value, str | int | float) else ""


def _first_physical_location(record: dict) -> tuple[dict | None, bool]:
    """(the first physical location, whether any location is virtual)."""
    locations = []
    for sal in record.get("service_at_locations") or []:
        if isinstance(sal, dict) and isinstance(sal.get("location"), dict):
            locations.append(sal["location"])
    locations += [loc for loc in record.get("locations") or [] if isinstance(loc, dict)]
    virtual = any(str(loc.get("location_type", "")).lower() == "virtual" for loc in locations)
    physical = [loc for loc in locations if str(loc.get("location_type", "physical")).lower() != "virtual"]
    return (physical[0] if physical else None), virtual


def _address(location: dict) -> tuple[str | None, str | None]:
    """(address line, postcode) from 3.0 ``addresses`` or v1 ``physical_addresses``."""
    addresses = [a for a in (location.get("addresses") or location.get("physical_addresses") or [])
                 if isinstance(a, dict)]
    addresses.sort(key=lambda a: 0 if a.get("address_type", "physical") == "physical" else 1)
    if not addresses:
        return None, None
    a = addresses[0]
    parts = [_text(a.get(k)) for k in ("address_1", "address_2", "city")]
    return ", ".join(p for p in parts if p) or None, _text(a.get("postal_code")) or None


def _schedules(record: dict, location: dict | None) -> list[dict]:
    raw = list(record.get("schedules") or record.get("regular_schedules") or [])
    if location:
        raw += list(location.get("schedules") or location.get("regular_schedules") or [])
    slots = []
    for s in raw:
        if not isinstance(s, dict):
            continue
        days = parse_days(s.get("byday") or s.get("weekday"))
        if not days:
            continue
        slot = {"days": days}
        opens, closes = parse_time(s.get("opens_at")), parse_time(s.get("closes_at"))
        if opens:
            slot["opens"] = opens
        if closes and (not opens or closes > opens):
            slot["closes"] = closes
        freq, interval = str(s.get("freq") or "").upper(), s.get("interval")
        if freq == "MONTHLY":
            slot["frequency"] = "monthly"
        elif freq == "WEEKLY":
            slot["frequency"] = "fortnightly" if interval == 2 else "weekly"
        note = one_line(s.get("description") or s.get("notes"), 200)
        if note and ("frequency" not in slot or (interval not in (None, 1, 2))):
            slot["note"] = note
        slots.append(slot)
    return slots


def _cost(record: dict) -> tuple[str | None, str | None]:
    options = [o for o in record.get("cost_options") or [] if isinstance(o, dict)]
    amounts = []
    for option in options:
        try:
            amounts.append(float(option.get("amount")))
        except (TypeError, ValueError):
            continue
    notes = [_text(record.get("fees_description")), _text(record.get("fees"))]
    notes += [" ".join(filter(None, [_text(o.get("option")), _text(o.get("amount_description"))])) for o in options]
    note = "; ".join(dict.fromkeys(n for n in notes if n and n != "fees_description")) or None
    fees_text = " ".join(n for n in notes if n).lower()
    if amounts:
        if max(amounts) == 0:
            return "free", note
        if min(amounts) == 0:
            return "varies", note
        return ("low-cost" if max(amounts) <= 5 else "paid"), note
    if re.search(r"\bfree\b", fees_text) and not re.search(r"£\s*\d", fees_text):
        return "free", note
    return None, note


def _phones(record: dict) -> list[str]:
    numbers = [p.get("number") for p in record.get("phones") or [] if isinstance(p, dict)]
    org = record.get("organization") or {}
    numbers += [p.get("number") for p in org.get("phones") or [] if isinstance(p, dict)]
    for contact in record.get("contacts") or []:  # named people's phones are personal: skip them
        if isinstance(contact, dict) and not contact.get("name"):
            numbers += [p.get("number") for p in contact.get("phones") or [] if isinstance(p, dict)]
    return [str(n) for n in numbers if n]


def _labels(record: dict) -> list[str]:
    labels = []
    for attribute in record.get("attributes") or []:
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        if isinstance(term, dict):
            labels.append(term.get("name") or term.get("term"))
    for item in record.get("service_taxonomys") or []:
        taxonomy = item.get("taxonomy") if isinstance(item, dict) else None
        if isinstance(taxonomy, dict):
            labels.append(taxonomy.get("name"))
    for term in record.get("taxonomy_terms") or []:
        if isinstance(term, dict):
            labels.append(term.get("name") or term.get("term"))
    return [str(label) for label in labels if label]


def draft_from_record(record: dict, record_url: str | None = None) -> Draft:  # noqa: C901 - to split (issue 13)
    """Map one ORUK v1 or 3.0 service record to a ``Draft``."""
    org = record.get("organization") if isinstance(record.get("organization"), dict) else {}
    organisation = {"name": org.get("name"), "website": org.get("website") or org.get("url")}
    for ident in org.get("organization_identifiers") or []:
        if not isinstance(ident, dict):
            continue
        scheme = str(ident.get("identifier_scheme") or ident.get("identifier_type") or "").upper()
        if "CHC" in scheme or "CHARITY" in scheme:
            organisation["charity_number"] = ident.get("identifier")
        elif "COH" in scheme or "COMPAN" in scheme:
            organisation["company_number"] = ident.get("identifier")
    organisation.setdefault("charity_number", org.get("charity_number"))
    organisation.setdefault("company_number", org.get("company_number"))

    location, virtual = _first_physical_location(record)
    address, postcode = _address(location) if location else (None, None)
    delivery = []
    if location:
        delivery.append("in-person")
    if virtual:
        delivery.append("online")
    attending = " ".join(str(record.get(k) or "") for k in ("attending_type", "deliverable_type")).lower()
    if "online" in attending or "virtual" in attending or "remote" in attending:
        delivery.append("online")
    if "phone" in attending or "telephone" in attending:
        delivery.append("phone")
    if ("in person" in attending or "in-person" in attending) and location:
        delivery.append("in-person")

    eligibility = [record.get("eligibility_description")]
    eligibility += [e.get("eligibility") for e in record.get("eligibilitys") or [] if isinstance(e, dict)]
    min_age, max_age = record.get("minimum_age"), record.get("maximum_age")
    for e in record.get("eligibilitys") or []:
        if isinstance(e, dict):
            min_age = min_age if min_age is not None else e.get("minimum_age")
            max_age = max_age if max_age is not None else e.get("maximum_age")
    access_text = " ".join(str(x) for x in (location or {}).get("accessibility") or [] if isinstance(x, str))
    for item in ((location or {}).get("accessibility") or []) + list(
            (location or {}).get("accessibility_for_disabilities") or []):
        if isinstance(item, dict):
            access_text += " " + " ".join(str(item.get(k) or "") for k in ("description", "details",
                                                                             "accessibility"))
    languages = []
    for lang in record.get("languages") or []:
        value = lang.get("code") or lang.get("name") or lang.get("language") if isinstance(lang, dict) else lang
        code = language_code(value)
        if code:
            languages.append(code)
    cost, cost_note = _cost(record)
    phones = _phones(record)
    url = record.get("url")
    return Draft(
        record_id=str(record.get("id")),
        name=record.get("name"),
        description=record.get("description"),
        organisation=organisation,
        labels=_labels(record),
        venue=(location or {}).get("name"),
        address=address,
        postcode=postcode,
        lat=(location or {}).get("latitude"),
        lon=(location or {}).get("longitude"),
        delivery=delivery,
        schedule=_schedules(record, location),
        cost=cost,
        cost_note=cost_note,
        access=guess_access(" ".join(str(record.get(k) or "") for k in ("application_process", "description"))),
        min_age=min_age if isinstance(min_age, int) else None,
        max_age=max_age if isinstance(max_age, int) else None,
        groups=groups_from_text(" ".join(str(e) for e in eligibility if e)),
        accessibility=accessibility_from_text(access_text),
        languages=languages,
        website=url if isinstance(url, str) else None,
        email=record.get("email"),
        phone=phones[0] if phones else None,
        status=_STATUS.get(str(record.get("status") or "active").lower(), "active"),
        verified_on=record.get("assured_date") or record.get("last_modified"),
        url=record_url,
    )


def _page_number(data) -> int | None:
    """The page number an answer says it is (v3 ``page_number``, v1 ``number``), if any."""
    if isinstance(data, dict):
        number = data.get("page_number", data.get("number"))
        if isinstance(number, int) and not isinstance(number, bool):
            return number
    return None


def _total_items(data) -> int | None:
    if isinstance(data, dict):
        total = data.get("total_items", data.get("totalElements"))
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            return total
    return None


def _says_first(data) -> bool | None:
    """Whether the answer says it is the first page (v3 ``first_page``, v1 ``first``)."""
    if isinstance(data, dict):
        first = data.get("first_page", data.get("first"))
        if isinstance(first, bool):
            return first
    return None


class _Pages:
    """The paging loop's memory: stops at once on a page seen before, and after as many pages as
    ``total_items`` needs (plus one), whatever ``total_pages`` claims."""

    def __init__(self, max_pages: int):
        self.max_pages = max_pages
        self.seen: dict[tuple, int] = {}  # the ids of a page -> the page that had them first
        self.total_items: int | None = None
        self.first_size = 0
        self.notes: list[str] = []
        self.repeated = False

    def repeats(self, page: int, ids: tuple) -> bool:
        if ids and ids in self.seen:
            self.repeated = True
            self.notes.append(f"page {page} repeats page {self.seen[ids]} (the server seems to ignore ?page=); "
                              "stopped there")
            return True
        self.seen[ids] = page
        return False

    def cap(self) -> int:
        """How many pages to ask for at most."""
        if self.total_items is None or not self.first_size:
            return self.max_pages
        return min(self.max_pages, math.ceil(self.total_items / self.first_size) + 1)


def _read_pages(fetcher: Fetcher, base: str, size: int, first: int, pages: _Pages,
                answers: dict[int, object]) -> dict[str, dict]:
    """Every record of ``base?page=first, first+1, ...`` until the end; {id: record}. ``answers``
    holds pages already fetched, by number."""
    records: dict[str, dict] = {}
    page, total_pages, asked = first, None, 0
    while True:
        url = f"{base}?page={page}&per_page={size}"
        data = answers.pop(page) if page in answers else fetcher.get_json(url)
        asked += 1
        items, pages_said = read_page(data, url)
        total_pages = pages_said if pages_said is not None else total_pages
        if pages.total_items is None:
            pages.total_items = _total_items(data)
            pages.first_size = len(items)
        ids = []
        for item in items:
            if not isinstance(item, dict) or not item.get("id"):
                raise SourceFormatError(f"{url}: a service without an id; every ORUK service needs one")
            ids.append(str(item["id"]))
        if pages.repeats(page, tuple(ids)):
            break
        for record_id, item in zip(ids, items, strict=True):
            records[record_id] = item
        last = total_pages - 1 + first if total_pages is not None else None
        if not items or (last is not None and page >= last) or asked >= pages.cap():
            break
        if total_pages is None and len(items) < size:
            break
        page += 1
    if asked >= pages.cap() and pages.cap() < pages.max_pages and (last is None or page < last):
        pages.notes.append(f"stopped after {asked} pages: {pages.total_items} services at {pages.first_size} a page "
                           "need no more, whatever total_pages says")
    return records


def _zero_based(data, asked: int) -> bool:
    """Whether the answer to ``?page=asked`` shows the pages are numbered from 0."""
    number, first = _page_number(data), _says_first(data)
    return first is False and asked == 1 or (number == 0 and asked == 1 and first is not True)


def harvest(source, fetcher: Fetcher, finisher: Finisher, result: SourceResult) -> None:
    """Fill ``result`` from the source's ``/services`` pages; raises ``FetchError`` or
    ``SourceFormatError`` when the source cannot be read completely.

    Pages are numbered from 1 unless the first answer says otherwise (``first``/``first_page``
    false, or ``number`` 0 for page 1), or the pages from 1 hold fewer services than
    ``total_items`` says and page 0 holds the rest: then page 0 is read too."""
    base = services_url(source.url)
    size = source.option("oruk", "page_size", 100)
    detail = source.option("oruk", "detail", "auto")
    pages = _Pages(source.option("oruk", "max_pages", 10_000))
    answers = {1: fetcher.get_json(f"{base}?page=1&per_page={size}")}
    start = 0 if _zero_based(answers[1], 1) else 1
    records = _read_pages(fetcher, base, size, start, pages, answers)
    if start == 1 and not pages.repeated and pages.total_items is not None and len(records) < pages.total_items:
        extra = _read_pages(fetcher, base, size, 0, _Pages(1), {})
        added = {k: v for k, v in extra.items() if k not in records}
        if added:
            records.update(added)
            start = 0
    if start == 0:
        result.notes.append(f"{base} numbers its pages from 0; page 0 was read too")
    if pages.total_items is not None and len(records) < pages.total_items:
        result.notes.append(f"{base} says it has {pages.total_items} services but listed {len(records)}")
    result.notes += [f"{base}: {note}" for note in pages.notes]
    for record_id in sorted(records):
        record = records[record_id]
        record_url = f"{base}/{quote(record_id, safe='')}"
        if detail == "always" or (detail == "auto" and not any(k in record for k in _DETAIL_KEYS)):
            full = fetcher.get_json(record_url)
            if not isinstance(full, dict) or str(full.get("id", record_id)) != record_id:
                raise SourceFormatError(f"{record_url}: did not return the service {record_id}")
            record = full
        draft = draft_from_record(record, record_url)
        finisher.add(draft)


__all__ = ["FetchError", "SourceFormatError", "draft_from_record", "harvest", "read_page", "services_url"]
