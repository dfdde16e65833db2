"""One ORUK service record, in any shape councils' platforms publish, to a ``Draft``.

``draft_from_record(record, record_url, organisations)`` recognises each part by the keys the
record carries, so one source needs no per-platform switch:

- organisation: ``organization`` (ORUK) or ``organisation`` (Outpost), or ``organization_id`` looked
  up in ``organisations`` (Open Place Directory lists them at ``/organizations``); charity and
  company numbers from ``organization_identifiers``;
- locations: ``service_at_locations[].location`` (v1 and 3.0) or flat ``locations[]`` (Outpost); the
  address from ``addresses`` (3.0), ``physical_addresses`` (v1) or the location itself (Outpost's
  ``address_1``/``postal_code``); coordinates from ``latitude``/``longitude`` or GeoJSON
  ``geometry`` ``[lon, lat]``; ``mask_exact_address`` keeps only the postcode district;
- schedules: ``schedules`` (3.0) or ``regular_schedules`` (v1, Outpost), days from ``byday`` or
  ``weekday``;
- labels: ``attributes[].taxonomy_term`` (3.0), ``service_taxonomys[].taxonomy`` (v1),
  ``taxonomies`` (Outpost), ``taxonomy_terms``;
- contacts: the service's and organisation's email and phones, and ``contacts[]`` with their
  ``name`` (``candidate`` leaves personal ones out);
- ages: ``minimum_age``/``maximum_age`` (-1 means not set), Outpost's ``min_age``/``max_age``,
  ``eligibilitys[]``; cost from ``cost_options``, ``free``, ``fees``/``fees_description``;
- areas served: ``service_areas[]`` (3.0 ``name``/``extent``/``extent_type``/``uri``, v1
  ``service_area``), read by ``candidate`` into ``areas_served``;
- the date the source last confirmed the record: ``assured_date``, else ``updated_at``, else
  ``last_modified``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from linkwell.listings.areas import read_area

from .candidate import Draft, guess_access
from .contacts import Contact
from .mapping import accessibility_from_text, groups_from_text, language_code
from .text import one_line, parse_days, parse_time

STATUS = {"active": "active", "inactive": "temporarily-closed", "temporarily closed": "temporarily-closed",
          "temporarily-closed": "temporarily-closed", "defunct": "closed", "closed": "closed"}


def _dicts(value) -> list[dict]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _text(value) -> str:
    return one_line(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


@dataclass
class _Location:
    venue: str | None = None
    address: str | None = None
    postcode: str | None = None
    lat: object = None
    lon: object = None
    accessibility: list[str] = field(default_factory=list)
    schedules: list[dict] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


def _address_of(location: dict) -> tuple[str | None, str | None]:
    """(address line, postcode) from 3.0 ``addresses``, v1 ``physical_addresses`` or a flat location."""
    addresses = _dicts(location.get("addresses")) or _dicts(location.get("physical_addresses"))
    addresses.sort(key=lambda a: 0 if a.get("address_type", "physical") == "physical" else 1)
    a = addresses[0] if addresses else location
    if location.get("mask_exact_address") is True:
        district = _text(a.get("postal_code"))
        city = _text(a.get("city"))
        where = ", ".join(p for p in (city, district) if p)
        return (f"{where} (the source does not publish the exact address)" if where else None), district or None
    parts = [_text(a.get(k)) for k in ("address_1", "address_2", "city")]
    return ", ".join(p for p in parts if p) or None, _text(a.get("postal_code")) or None


def _read_location(location: dict) -> _Location:
    address, postcode = _address_of(location)
    lat, lon = location.get("latitude"), location.get("longitude")
    geometry = location.get("geometry")
    if isinstance(geometry, dict) and isinstance(geometry.get("coordinates"), list) \
            and len(geometry["coordinates"]) == 2:
        lon, lat = geometry["coordinates"]  # GeoJSON order
    accessibility = [_text(x) for x in location.get("accessibility") or [] if isinstance(x, str)]
    for item in (_dicts(location.get("accessibility")) + _dicts(location.get("accessibility_for_disabilities"))
                 + _dicts(location.get("accessibilities"))):
        accessibility += [_text(item.get(k)) for k in ("description", "details", "accessibility", "name")]
    return _Location(venue=_text(location.get("name")) or None, address=address, postcode=postcode, lat=lat,
                     lon=lon, accessibility=[a for a in accessibility if a],
                     schedules=_dicts(location.get("schedules")) + _dicts(location.get("regular_schedules")),
                     phones=[_text(p.get("number")) for p in _dicts(location.get("phones"))])


def _locations(record: dict) -> tuple[_Location | None, bool]:
    """(the first physical location, whether any location is virtual)."""
    raw = [sal["location"] for sal in _dicts(record.get("service_at_locations"))
           if isinstance(sal.get("location"), dict)]
    raw += _dicts(record.get("locations"))
    virtual = any(str(loc.get("location_type", "")).lower() == "virtual" for loc in raw)
    physical = [loc for loc in raw if str(loc.get("location_type") or "physical").lower() != "virtual"]
    return (_read_location(physical[0]) if physical else None), virtual


def _schedules(record: dict, location: _Location | None) -> list[dict]:
    raw = _dicts(record.get("schedules")) + _dicts(record.get("regular_schedules"))
    raw += location.schedules if location else []
    slots = []
    for s in raw:
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
        if note and ("frequency" not in slot or interval not in (None, 1, 2)):
            slot["note"] = note
        slots.append(slot)
    return slots


def _cost(record: dict) -> tuple[str | None, str | None]:
    options = _dicts(record.get("cost_options"))
    amounts = []
    for option in options:
        try:
            amounts.append(float(option.get("amount")))
        except (TypeError, ValueError):
            continue
    notes = [_text(record.get("fees_description")), _text(record.get("fees"))]
    notes += [" ".join(filter(None, [_text(o.get("option")), _text(o.get("amount_description"))])) for o in options]
    note = "; ".join(dict.fromkeys(n for n in notes if n)) or None
    fees_text = " ".join(n for n in notes if n).lower()
    if amounts:
        if max(amounts) == 0:
            return "free", note
        return ("varies" if min(amounts) == 0 else "low-cost" if max(amounts) <= 5 else "paid"), note
    if record.get("free") is True or (re.search(r"\bfree\b", fees_text) and not re.search(r"£\s*\d", fees_text)):
        return "free", note
    return None, note


def _contacts(record: dict, org: dict, location: _Location | None) -> list[Contact]:
    """Every contact the record gives, the service's own first."""
    found = [Contact(email=record.get("email"))]
    found += [Contact(phone=p.get("number")) for p in _dicts(record.get("phones"))]
    for c in _dicts(record.get("contacts")):
        phones = [p.get("number") for p in _dicts(c.get("phones"))] + [c.get("phone")]
        found += [Contact(c.get("name"), c.get("email"), number) for number in phones if number] or \
            [Contact(c.get("name"), c.get("email"))]
    found += [Contact(phone=number) for number in (location.phones if location else [])]
    found += [Contact(email=org.get("email"))] + [Contact(phone=p.get("number")) for p in _dicts(org.get("phones"))]
    return [c for c in found if c.email or c.phone]


def _labels(record: dict) -> list[str]:
    labels = []
    for attribute in _dicts(record.get("attributes")):
        term = attribute.get("taxonomy_term")
        if isinstance(term, dict):
            labels.append(term.get("name") or term.get("term"))
    for item in _dicts(record.get("service_taxonomys")):
        if isinstance(item.get("taxonomy"), dict):
            labels.append(item["taxonomy"].get("name"))
    for term in _dicts(record.get("taxonomy_terms")) + _dicts(record.get("taxonomies")):
        labels.append(term.get("name") or term.get("term"))
    return [_text(label) for label in labels if _text(label)]


def _org_node(record: dict, organisations: dict) -> dict:
    for key in ("organization", "organisation"):  # ORUK, Outpost
        if isinstance(record.get(key), dict):
            return record[key]
    found = organisations.get(str(record.get("organization_id")))
    return found if isinstance(found, dict) else {}


def _organisation(org: dict) -> dict:
    organisation = {"name": org.get("name"), "website": org.get("website") or org.get("url"),
                    "charity_number": org.get("charity_number"), "company_number": org.get("company_number")}
    for ident in _dicts(org.get("organization_identifiers")):
        scheme = str(ident.get("identifier_scheme") or ident.get("identifier_type") or "").upper()
        if "CHC" in scheme or "CHARITY" in scheme:
            organisation["charity_number"] = ident.get("identifier")
        elif "COH" in scheme or "COMPAN" in scheme:
            organisation["company_number"] = ident.get("identifier")
    return organisation


def _age(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _ages(record: dict) -> tuple[int | None, int | None]:
    low = _age(record.get("minimum_age", record.get("min_age")))
    high = _age(record.get("maximum_age", record.get("max_age")))
    for e in _dicts(record.get("eligibilitys")):
        low = low if low is not None else _age(e.get("minimum_age"))
        high = high if high is not None else _age(e.get("maximum_age"))
    return low, high


def _delivery(record: dict, location: _Location | None, virtual: bool) -> list[str]:
    delivery = ["in-person"] if location else []
    attending = " ".join(_text(record.get(k)) for k in ("attending_type", "deliverable_type")).lower()
    if virtual or re.search(r"online|virtual|remote", attending):
        delivery.append("online")
    if "phone" in attending:
        delivery.append("phone")
    if not delivery:  # no location and no attending type: what the service says of itself
        text = " ".join(_text(record.get(k)) for k in ("name", "description")).lower()
        delivery += ["online"] if re.search(r"\bonline\b|\bvirtual\b|\bzoom\b|\bvideo call", text) else []
        delivery += ["phone"] if re.search(r"\bhelpline\b|\b(tele)?phone\b", text) else []
    return delivery


def _access(record: dict) -> list[str]:
    text = " ".join(_text(record.get(k)) for k in ("application_process", "attending_access", "description"))
    access = guess_access(text)
    if record.get("needs_referral") is True and not access:
        access = ["link-worker-referral"]
    elif record.get("needs_referral") is False and not access:
        access = ["self-referral"]
    return access


def _languages(record: dict) -> list[str]:
    codes = []
    for lang in record.get("languages") or []:
        value = (lang.get("code") or lang.get("name") or lang.get("language")) if isinstance(lang, dict) else lang
        code = language_code(value)
        if code:
            codes.append(code)
    return codes


_GSS_RE = re.compile(r"[EWSN]\d{8}")


def _service_areas(record: dict) -> list[str]:
    """Each ``service_areas`` item as one text: its GSS code (``extent`` with ``extent_type``
    ons-gss-code, or a bare code; a ``uri`` ending in one) when that is a London area, else its
    ``name`` (3.0) or ``service_area`` (v1), else the code (so the report names what was left out).
    A GeoJSON or KML ``extent`` is not read; the name is."""
    out = []
    for item in _dicts(record.get("service_areas")):
        extent, uri = _text(item.get("extent")), _text(item.get("uri"))
        code = extent if _GSS_RE.fullmatch(extent.upper()) else None
        if not code and uri and _GSS_RE.fullmatch(uri.rstrip("/").rsplit("/", 1)[-1].upper()):
            code = uri
        name = _text(item.get("name")) or _text(item.get("service_area"))
        text = code if code and (read_area(code) or not name) else name
        if text:
            out.append(text)
    return out


def draft_from_record(record: dict, record_url: str | None = None, organisations: dict | None = None) -> Draft:
    """Map one ORUK service record (v1, 3.0, Outpost) to a ``Draft``; see the module docstring."""
    org = _org_node(record, organisations or {})
    location, virtual = _locations(record)
    min_age, max_age = _ages(record)
    eligibility = [_text(record.get("eligibility_description"))]
    eligibility += [_text(e.get("eligibility")) for e in _dicts(record.get("eligibilitys"))]
    eligibility += [_text(s.get("name")) for s in _dicts(record.get("suitabilities"))]
    cost, cost_note = _cost(record)
    return Draft(
        record_id=str(record.get("id")),
        name=record.get("name"),
        description=record.get("description"),
        organisation=_organisation(org),
        labels=_labels(record),
        venue=location.venue if location else None,
        address=location.address if location else None,
        postcode=location.postcode if location else None,
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        areas=_service_areas(record),
        delivery=_delivery(record, location, virtual),
        schedule=_schedules(record, location),
        cost=cost,
        cost_note=cost_note,
        access=_access(record),
        min_age=min_age,
        max_age=max_age,
        groups=groups_from_text(" ".join(e for e in eligibility if e)),
        accessibility=accessibility_from_text(" ".join(location.accessibility) if location else ""),
        languages=_languages(record),
        website=record.get("url") if isinstance(record.get("url"), str) else None,
        contacts=_contacts(record, org, location),
        status=STATUS.get(str(record.get("status") or "active").lower(), "active"),
        verified_on=record.get("assured_date") or record.get("updated_at") or record.get("last_modified"),
        url=record_url,
    )
