"""One OpenActive opportunity (the ``data`` of an RPDE item) to a ``Draft``.

``draft_from_data(record_id, data, modified)`` reads SessionSeries, EventSeries, Event,
HeadlineEvent, CourseInstance, OnDemandEvent, FacilityUse and IndividualFacilityUse as the
OpenActive modelling specification 2.0 describes them and as operators publish them: ``type``
or ``@type``, ``id`` or ``@id``, ``beta:`` properties (``beta:formattedDescription`` when there is
no plain description, ``beta:isWheelchairAccessible``, ``beta:virtualLocation``), ``eventSchedule``
(``byDay`` as schema.org URLs, ``schema:Monday`` or RRULE days; ``exceptDate`` does not change the
weekly pattern), ``hoursAvailable``, ``offers``, ``ageRange``, ``genderRestriction`` and
``accessibilitySupport``. ``inherit(child, parent)`` fills a child's missing properties from its
parent (ScheduledSession from SessionSeries, SessionSeries from EventSeries, CourseInstance from
Course), as the specification's property inheritance says. ``verified_date`` turns
``dateModified`` or an RPDE ``modified`` (Unix seconds, milliseconds, .NET ticks or an ISO date)
into the date the operator last changed the record.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .candidate import Draft, guess_access
from .contacts import Contact
from .mapping import accessibility_from_text
from .text import DAYS, parse_date, parse_days, parse_time

LONDON = ZoneInfo("Europe/London")
INHERITED = ("name", "description", "beta:formattedDescription", "activity", "organizer", "provider", "location",
             "url", "offers", "ageRange", "genderRestriction", "accessibilitySupport", "category", "eventSchedule",
             "beta:isWheelchairAccessible", "virtualLocation", "beta:virtualLocation", "isAccessibleForFree")
_TICKS_AT_1970 = 621_355_968_000_000_000  # .NET DateTime ticks (100 ns) at the Unix epoch


def node_type(node) -> str:
    if not isinstance(node, dict):
        return ""
    value = node.get("@type", node.get("type", ""))
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def node_id(node) -> str | None:
    if isinstance(node, str | int) and not isinstance(node, bool):
        return str(node)
    if isinstance(node, dict):
        value = node.get("@id", node.get("id", node.get("identifier")))
        return str(value) if value not in (None, "") else None
    return None


def inherit(child: dict, parent) -> dict:
    """The child with each missing inheritable property taken from an embedded parent."""
    if not isinstance(parent, dict):
        return child
    merged = dict(child)
    for key in INHERITED:
        if merged.get(key) in (None, "", []) and parent.get(key) not in (None, "", []):
            merged[key] = parent[key]
    return merged


def _list(value) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _labels(data: dict) -> list[str]:
    labels = []
    for key in ("activity", "facilityType", "category"):
        for value in _list(data.get(key)):
            if isinstance(value, dict):
                labels.append(value.get("prefLabel") or value.get("name"))
            elif isinstance(value, str) and not value.startswith("http"):
                labels.append(value)
    return [str(label) for label in labels if label]


def _days(value) -> list[str]:
    return parse_days([str(d).rsplit(":", 1)[-1] if not str(d).startswith("http") else d for d in _list(value)])


def _slot(days, opens, closes, frequency="weekly") -> dict | None:
    days = _days(days)
    if not days:
        return None
    slot = {"days": days}
    opens, closes = parse_time(opens), parse_time(closes)
    if opens:
        slot["opens"] = opens
    if closes and (not opens or closes > opens):
        slot["closes"] = closes
    slot["frequency"] = frequency
    return slot


def _frequency(value) -> str:
    return {"P2W": "fortnightly", "P1M": "monthly", "P4W": "monthly"}.get(str(value or "P1W").upper(), "weekly")


def session_slot(session: dict) -> dict | None:
    """A weekly slot from a ScheduledSession's startDate/endDate, in London time."""
    try:
        start = dt.datetime.fromisoformat(str(session.get("startDate")).replace("Z", "+00:00"))
    except ValueError:
        return None
    try:
        end = dt.datetime.fromisoformat(str(session.get("endDate")).replace("Z", "+00:00"))
    except ValueError:
        end = None
    start = start.astimezone(LONDON) if start.tzinfo else start
    if end is not None and end.tzinfo:
        end = end.astimezone(LONDON)
    closes = end.strftime("%H:%M") if end is not None and end.date() == start.date() else None
    return _slot([DAYS[start.weekday()]], start.strftime("%H:%M"), closes)


def _schedule(data: dict) -> list[dict]:
    slots = []
    for s in _list(data.get("eventSchedule")):
        if isinstance(s, dict):
            frequency = _frequency(s.get("repeatFrequency"))
            slots.append(_slot(s.get("byDay"), s.get("startTime"), s.get("endTime"), frequency))
    for s in _list(data.get("hoursAvailable")) + _list(data.get("openingHoursSpecification")):
        if isinstance(s, dict):
            slots.append(_slot(s.get("dayOfWeek"), s.get("opens"), s.get("closes")))
    for sub in _list(data.get("subEvent")):  # a SessionSeries with its ScheduledSessions embedded
        if isinstance(sub, dict) and node_type(sub) in ("ScheduledSession", "Event", ""):
            slots.append(session_slot(sub))
    unique = []
    for slot in slots:
        if slot and slot not in unique:
            unique.append(slot)
    return sorted(unique, key=lambda s: (DAYS.index(s["days"][0]), s.get("opens", "")))


def _cost(data: dict) -> str | None:
    prices = []
    for offer in _list(data.get("offers")):
        try:
            prices.append(float(offer.get("price")))
        except (AttributeError, TypeError, ValueError):
            continue
    if data.get("isAccessibleForFree") is True or (prices and max(prices) == 0):
        return "free"
    if prices:
        return "varies" if min(prices) == 0 else ("low-cost" if max(prices) <= 5 else "paid")
    return None


def _place(data: dict) -> tuple[dict, list[str]]:
    location = data.get("location") if isinstance(data.get("location"), dict) else {}
    online = bool(data.get("virtualLocation") or data.get("beta:virtualLocation")) or node_type(data) == "OnDemandEvent"
    if node_type(location) == "VirtualLocation":
        location, online = {}, True
    delivery = (["in-person"] if location else []) + (["online"] if online else [])
    return location, delivery


def _address(location: dict) -> tuple[str | None, str | None]:
    address = location.get("address")
    if isinstance(address, str):
        return address, None
    if not isinstance(address, dict):
        return None, None
    parts = [address.get(k) for k in ("streetAddress", "addressLocality")]
    return ", ".join(str(p) for p in parts if p) or None, address.get("postalCode")


def _organisation(data: dict) -> tuple[dict, list[Contact]]:
    organiser = data.get("organizer") if isinstance(data.get("organizer"), dict) else {}
    provider = data.get("provider") if isinstance(data.get("provider"), dict) else {}
    org = organiser if node_type(organiser) != "Person" and organiser.get("name") else provider
    contacts = [Contact(None, org.get("email"), org.get("telephone"))]
    if node_type(organiser) == "Person":  # a leader's own details are personal
        contacts.insert(0, Contact(organiser.get("name"), organiser.get("email"), organiser.get("telephone")))
    return {"name": org.get("name"), "website": org.get("url")}, [c for c in contacts if c.email or c.phone]


def _audience(data: dict) -> tuple[int | None, int | None, list[str], list[str]]:
    age = data.get("ageRange") if isinstance(data.get("ageRange"), dict) else {}
    low = age.get("minValue") if isinstance(age.get("minValue"), int) else None
    high = age.get("maxValue") if isinstance(age.get("maxValue"), int) else None
    gender = str(data.get("genderRestriction") or "")
    groups = ["women"] if gender.endswith("FemaleOnly") else ["men"] if gender.endswith("MaleOnly") else []
    if low is not None and low >= 60:
        groups.append("older-people")
    support = " ".join(str(x.get("prefLabel") if isinstance(x, dict) else x)
                       for x in _list(data.get("accessibilitySupport")))
    if data.get("beta:isWheelchairAccessible") is True:
        support += " wheelchair"
    return low, high, groups, accessibility_from_text(support)


def verified_date(data: dict, modified, today: dt.date) -> str | None:
    """The date the operator last changed the record, when ``dateModified`` or ``modified`` is a time."""
    found = parse_date(data.get("dateModified"))
    number = modified if isinstance(modified, int | float) and not isinstance(modified, bool) else None
    if found is None and isinstance(modified, str):
        number = int(modified) if modified.isdigit() else None
        found = None if number is not None else parse_date(modified)
    if found is None and number is not None:
        for seconds in (number, number / 1000, (number - _TICKS_AT_1970) / 10_000_000):
            try:
                day = dt.datetime.fromtimestamp(seconds, dt.UTC).date()
            except (OverflowError, OSError, ValueError):
                continue
            if dt.date(2000, 1, 1) <= day <= today:
                found = day
                break
    return found.isoformat() if found else None


def draft_from_data(record_id: str, data: dict, modified=None, today: dt.date | None = None) -> Draft:
    """Map a SessionSeries / Event / CourseInstance / FacilityUse to a ``Draft``."""
    location, delivery = _place(data)
    address, postcode = _address(location)
    geo = location.get("geo") if isinstance(location.get("geo"), dict) else {}
    organisation, contacts = _organisation(data)
    low, high, groups, accessibility = _audience(data)
    description = data.get("description") or data.get("beta:formattedDescription")
    return Draft(
        record_id=record_id,
        name=data.get("name"),
        description=description,
        organisation=organisation,
        labels=_labels(data),
        venue=location.get("name"),
        address=address,
        postcode=postcode,
        lat=geo.get("latitude"),
        lon=geo.get("longitude"),
        delivery=delivery,
        schedule=_schedule(data),
        cost=_cost(data),
        access=guess_access(str(description or "")) or (["booking"] if data.get("offers") else []),
        min_age=low,
        max_age=high,
        groups=groups,
        accessibility=accessibility,
        website=data.get("url") if isinstance(data.get("url"), str) else None,
        contacts=contacts,
        verified_on=verified_date(data, modified, today or dt.date.today()),
        modified=modified,
    )
