"""OpenActive harvester: an RPDE feed (Realtime Paged Data Exchange) into candidate entries.

Source options (``openactive:`` in the sources file): ``max_pages`` (a guard, default 100,000).

Starts at the source's ``url`` (or, on later runs, at the page where the last applied run
stopped: ``state["next"]``), follows ``next`` (relative or absolute) until a page has no items and
``next`` equals its own URL. A ``next`` leading back to a page already read (A -> B -> A) stops the
run at once as a broken feed, and one leading to another site is not followed (see ``http``).
Each item is ``{state, kind, id, modified, data}``; for the same id only a newer ``modified`` wins
(also across runs: the last ``modified`` per id is kept in the state). ``state: deleted`` records
are reported as deleted (the merge marks them "not seen since";
nothing is deleted). JSON-LD ``@type``/``type`` and ``@id``/``id`` are both accepted.

Mapped types: ``SessionSeries`` (and ``Event``/``CourseInstance``) with ``eventSchedule``;
``ScheduledSession`` rolled up into its ``superEvent`` series (embedded, or a series seen in the
same run), its start/end times becoming weekly schedule slots (Europe/London time); and
``FacilityUse``/``IndividualFacilityUse`` with ``hoursAvailable``. Activities, facility types and
the organiser map to labels and organisation; ``offers`` to cost; ``ageRange``, ``genderRestriction``
and ``accessibilitySupport`` to audience and accessibility. A result read from a saved position is
``incremental``: records not in it are unchanged, not gone.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from .candidate import Draft, Finisher, Skip, SourceResult, guess_access
from .http import Fetcher
from .mapping import accessibility_from_text
from .oruk import SourceFormatError
from .text import DAYS, parse_days, parse_time

LONDON = ZoneInfo("Europe/London")
_SERIES = {"SessionSeries", "Event", "CourseInstance", "OnDemandEvent", "HeadlineEvent"}
_FACILITY = {"FacilityUse", "IndividualFacilityUse", "Slot"}


def _type(node) -> str:
    if not isinstance(node, dict):
        return ""
    value = node.get("@type", node.get("type", ""))
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def _id(node) -> str | None:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        value = node.get("@id", node.get("id", node.get("identifier")))
        return str(value) if value not in (None, "") else None
    return None


def _modified_key(value) -> tuple:
    """Order RPDE ``modified`` values: numbers numerically, strings as strings, numbers first."""
    if isinstance(value, int | float):
        return (0, value, "")
    if isinstance(value, str) and value.isdigit():
        return (0, int(value), "")
    return (1, 0, str(value))


def _labels(data: dict) -> list[str]:
    labels = []
    for key in ("activity", "facilityType", "category"):
        values = data.get(key) or []
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, dict):
                labels.append(value.get("prefLabel") or value.get("name"))
            elif isinstance(value, str) and not value.startswith("http"):
                labels.append(value)
    return [str(label) for label in labels if label]


def _place(data: dict) -> tuple[dict, list[str]]:
    location = data.get("location") if isinstance(data.get("location"), dict) else {}
    delivery = ["in-person"] if location else []
    if data.get("virtualLocation") or _type(location) == "VirtualLocation":
        delivery.append("online")
        if _type(location) == "VirtualLocation":
            location, delivery = {}, ["online"]
    return location, delivery


def _address(location: dict) -> tuple[str | None, str | None]:
    address = location.get("address")
    if isinstance(address, str):
        return address, None
    if not isinstance(address, dict):
        return None, None
    parts = [address.get(k) for k in ("streetAddress", "addressLocality")]
    return ", ".join(str(p) for p in parts if p) or None, address.get("postalCode")


def _frequency(value) -> str:
    return {"P2W": "fortnightly", "P1M": "monthly", "P4W": "monthly"}.get(str(value or "P1W").upper(), "weekly")


def _slot(days, opens, closes, frequency="weekly") -> dict | None:
    days = parse_days(days)
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


def _session_slot(session: dict) -> dict | None:
    """A weekly slot from a ScheduledSession's startDate/endDate, in London time."""
    try:
        start = dt.datetime.fromisoformat(str(session.get("startDate")).replace("Z", "+00:00"))
    except ValueError:
        return None
    end = None
    try:
        end = dt.datetime.fromisoformat(str(session.get("endDate")).replace("Z", "+00:00"))
    except ValueError:
        pass
    if start.tzinfo:
        start = start.astimezone(LONDON)
    if end is not None and end.tzinfo:
        end = end.astimezone(LONDON)
    closes = end.strftime("%H:%M") if end is not None and end.date() == start.date() else None
    return _slot([DAYS[start.weekday()]], start.strftime("%H:%M"), closes)


def _verified(data: dict, modified) -> str | None:
    if data.get("dateModified"):
        return str(data["dateModified"])
    if isinstance(modified, int | float) or (isinstance(modified, str) and modified.isdigit()):
        number = float(modified)
        if 1e12 <= number < 4e12:
            number /= 1000  # milliseconds
        if 1e9 <= number < 4e9:  # a Unix time; RPDE change numbers are often not times at all
            return dt.datetime.fromtimestamp(number, dt.UTC).date().isoformat()
    return None


def draft_from_data(record_id: str, data: dict, modified=None) -> Draft:
    """Map a SessionSeries / FacilityUse (``data`` of an RPDE item) to a ``Draft``."""
    location, delivery = _place(data)
    address, postcode = _address(location)
    geo = location.get("geo") if isinstance(location.get("geo"), dict) else {}
    organiser = data.get("organizer") if isinstance(data.get("organizer"), dict) else {}
    provider = data.get("provider") if isinstance(data.get("provider"), dict) else {}
    organisation_node = organiser if _type(organiser) != "Person" and organiser.get("name") else provider
    organisation = {"name": organisation_node.get("name"), "website": organisation_node.get("url")}
    schedule = []
    for s in data.get("eventSchedule") or []:
        if isinstance(s, dict):
            slot = _slot(s.get("byDay"), s.get("startTime"), s.get("endTime"), _frequency(s.get("repeatFrequency")))
            if slot:
                schedule.append(slot)
    for s in (data.get("hoursAvailable") or []) + (data.get("openingHoursSpecification") or []):
        if isinstance(s, dict):
            slot = _slot(s.get("dayOfWeek"), s.get("opens"), s.get("closes"))
            if slot:
                schedule.append(slot)
    prices = []
    for offer in data.get("offers") or []:
        if isinstance(offer, dict):
            try:
                prices.append(float(offer.get("price")))
            except (TypeError, ValueError):
                pass
    cost = None
    if data.get("isAccessibleForFree") is True or (prices and max(prices) == 0):
        cost = "free"
    elif prices:
        cost = "varies" if min(prices) == 0 else ("low-cost" if max(prices) <= 5 else "paid")
    age = data.get("ageRange") if isinstance(data.get("ageRange"), dict) else {}
    groups = []
    gender = str(data.get("genderRestriction") or "")
    if gender.endswith("FemaleOnly"):
        groups.append("women")
    elif gender.endswith("MaleOnly"):
        groups.append("men")
    if isinstance(age.get("minValue"), int) and age["minValue"] >= 60:
        groups.append("older-people")
    support = " ".join(str(x.get("prefLabel") if isinstance(x, dict) else x)
                       for x in data.get("accessibilitySupport") or [])
    contact = organisation_node if organisation_node is organiser else provider
    return Draft(
        record_id=record_id,
        name=data.get("name"),
        description=data.get("description"),
        organisation=organisation,
        labels=_labels(data),
        venue=location.get("name"),
        address=address,
        postcode=postcode,
        lat=geo.get("latitude"),
        lon=geo.get("longitude"),
        delivery=delivery,
        schedule=schedule,
        cost=cost,
        access=guess_access(str(data.get("description") or "")) or (["booking"] if data.get("offers") else []),
        min_age=age.get("minValue") if isinstance(age.get("minValue"), int) else None,
        max_age=age.get("maxValue") if isinstance(age.get("maxValue"), int) else None,
        groups=groups,
        accessibility=accessibility_from_text(support),
        website=data.get("url") if isinstance(data.get("url"), str) else None,
        email=contact.get("email") if _type(contact) != "Person" else None,
        phone=contact.get("telephone") if _type(contact) != "Person" else None,
        verified_on=_verified(data, modified),
        modified=modified,
    )


def read_feed(fetcher: Fetcher, start: str, known: dict, max_pages: int) -> tuple[dict, str, int]:
    """Follow the feed from ``start``; returns ({id: item} newest per id, next start URL, items read)."""
    items: dict[str, dict] = {}
    url, count = start, 0
    visited = {start}
    for _ in range(max_pages):
        page = fetcher.get_json(url, accept="application/json, application/vnd.openactive.rpde+json")
        if not isinstance(page, dict) or not isinstance(page.get("items"), list) or not isinstance(
                page.get("next"), str):
            raise SourceFormatError(f"{url}: not an RPDE page (needs 'items' as a list and 'next' as a URL)")
        for item in page["items"]:
            if not isinstance(item, dict) or item.get("id") in (None, "") or "modified" not in item:
                raise SourceFormatError(f"{url}: an item without 'id' or 'modified'; every RPDE item needs both")
            if item.get("state") not in ("updated", "deleted"):
                raise SourceFormatError(f"{url}: item {item.get('id')}: state must be 'updated' or 'deleted'")
            key = f"{item.get('kind', '')}|{item['id']}"
            best = items.get(key)
            if best is None or _modified_key(item["modified"]) > _modified_key(best["modified"]):
                items[key] = item
            count += 1
        next_url = urljoin(url, page["next"])
        if next_url == url:
            return items, url, count  # the last page: next run starts here
        if next_url in visited:
            raise SourceFormatError(f"{url}: its next link goes back to {next_url}, a page already read: the "
                                    "feed goes round in a circle and never ends; tell its publisher")
        fetcher.check_origin(next_url, f"{url}: its next link {next_url} is")
        visited.add(next_url)
        url = next_url
    raise SourceFormatError(f"{start}: still not at the end after {max_pages} pages; raise openactive.max_pages "
                            "if the feed really is that long")


def harvest(source, fetcher: Fetcher, finisher: Finisher, result: SourceResult, state: dict) -> None:
    known = dict(state.get("modified") or {})
    record_ids = dict(state.get("records") or {})  # item key -> the record id its entry carries
    start = state.get("next") or source.url
    result.incremental = bool(state.get("next"))
    items, next_url, count = read_feed(fetcher, start, known, source.option("openactive", "max_pages", 100_000))
    if count == 0 and not result.incremental:
        result.notes.append(f"{start} has no items at all")
    drafts: dict[str, Draft] = {}
    sessions: list[tuple[str, dict, dict]] = []
    for key in sorted(items):
        item = items[key]
        record_id = str(item["id"])
        previous = known.get(key)
        if previous is not None and _modified_key(item["modified"]) <= _modified_key(previous):
            continue  # an older or replayed version: what we have is newer
        known[key] = item["modified"]
        if item["state"] == "deleted":
            result.deleted.append(record_ids.get(key, record_id))
            continue
        data = item.get("data")
        kind = _type(data) or str(item.get("kind", ""))
        if not isinstance(data, dict):
            result.records += 1
            result.skipped.append(Skip(record_id, "data", "an updated item without data"))
            continue
        if kind in _SERIES or kind in _FACILITY:
            series_id = _id(data) or record_id
            record_ids[key] = series_id
            drafts[series_id] = draft_from_data(series_id, data, item["modified"])
        elif kind == "ScheduledSession":
            sessions.append((record_id, data, item))
        else:
            result.unmapped[f"OpenActive type {kind or '(none)'}"] += 1
    for record_id, data, item in sessions:
        parent = data.get("superEvent")
        parent_id = _id(parent)
        if parent_id is None:
            result.records += 1
            result.skipped.append(Skip(record_id, "superEvent", "a ScheduledSession without its SessionSeries"))
            continue
        if parent_id not in drafts:
            if isinstance(parent, dict) and parent.get("name"):
                drafts[parent_id] = draft_from_data(parent_id, parent, item["modified"])
            else:
                result.records += 1
                result.skipped.append(Skip(record_id, "superEvent", f"refers to the SessionSeries {parent_id}, "
                                                                     "which is not in this feed run"))
                continue
        slot = _session_slot(data)
        if slot and slot not in drafts[parent_id].schedule:
            drafts[parent_id].schedule.append(slot)
    for record_id in sorted(drafts):
        draft = drafts[record_id]
        draft.schedule.sort(key=lambda s: (DAYS.index(s["days"][0]), s.get("opens", "")))
        finisher.add(draft)
    result.state = {"next": next_url, "modified": dict(sorted(known.items())),
                    "records": dict(sorted(record_ids.items()))}

