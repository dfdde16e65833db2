"""ORUK 3.0 / HSDS 3.0 records for the static API (``openreferral_api`` writes the files).

``service_record(entry, today, facts)`` is one listing's full service (``GET /services/{id}``);
``summary(record)`` its list view (``GET /services``: the direct fields, no nested lists or
objects); ``organization_record``, ``taxonomy_record``, ``term_record`` / ``all_terms()`` the
records of the optional endpoints.

Ids are ``uuid5(LINKWELL_NAMESPACE, ...)`` of our slugs (see ``common``), so they never change.
Mapping: categories, activities, access routes and audience groups become ``attributes`` that
point at our taxonomy terms by ``taxonomy_term_id`` (the terms themselves are published once, at
``/taxonomy_terms``), as do accessibility features and delivery modes that no location states;
``status`` active / temporarily-closed /
closed becomes ``active`` / ``temporarily closed`` / ``defunct``; ``assured_date`` is
``last_verified`` only when someone verified the listing (``verified_by`` is not
``unverified``); a stale, unverified, closed or temporarily closed listing says so in
``alert``. A location is published when the entry has one (coordinates from the entry or its
postcode; an ``addresses`` item only when there is a postcode and an address or venue, since
HSDS requires address_1 and postal_code); online delivery adds a ``virtual`` location.
``service_areas`` are the areas it serves when the entry says (``areas_served``: each borough's
GSS code, or the London region's ``E12000007`` for all of London), else its borough. Nested
records carry their own ``id`` but not their parent's (``service_id``, ``location_id``,
``link_id`` are optional in HSDS and implied by the nesting). Fields with no value are omitted,
never ``null`` or ``""``. Provenance (sources) is in ``directory.json``, not in ORUK ``metadata``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from linkwell.listings.areas import LONDON, LONDON_GSS, area_name
from linkwell.listings.describe import LANGUAGE_NAMES, schedule_text
from linkwell.listings.freshness import Freshness, freshness
from linkwell.publish.feeds import common
from linkwell.reference import schema, vocabulary
from linkwell.reference.boroughs import BOROUGHS

FOLDER = "openreferral"
PAGE_SIZE = 500
VERSION = "3.0"
PROFILE = "https://openreferraluk.org/"
OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"

STATUS = {"active": "active", "temporarily-closed": "temporarily closed", "closed": "defunct"}

TAXONOMIES = {  # taxonomy code -> (entry field, name, description)
    "linkwell-categories": ("categories", "Linkwell categories",
                            "The four ways Linkwell groups social-prescribing activity."),
    "linkwell-activities": ("activities", "Linkwell activities", "What people do at a listing."),
    "linkwell-access": ("access", "Linkwell access routes", "How people get to use a service."),
    "linkwell-audience": (("audience", "groups"), "Linkwell audience groups", "Who a listing is especially for."),
    "linkwell-accessibility": ("accessibility", "Linkwell accessibility features",
                               "Accessibility features of a venue or service."),
    "linkwell-delivery": ("delivery", "Linkwell delivery", "How a service is delivered."),
}
CATEGORY_DESCRIPTIONS = {
    "creative": "Arts, music, crafts, culture and other creative activity.",
    "connected": "Befriending, social groups, volunteering and other ways to meet people and feel less alone.",
    "active": "Walking, sport, dance, gardening and other ways to get moving.",
    "safe": "Advice and support: money, benefits, housing, legal help, domestic abuse and mental health.",
}
ORGANIZATION_DESCRIPTION = "Listed in Linkwell."

SubId = Callable[[str], str]


def _values(entry: dict, field) -> list[str]:
    if isinstance(field, tuple):
        return list((entry.get(field[0]) or {}).get(field[1], []))
    return list(entry.get(field) or [])


def _vocabulary(field) -> list[str]:
    return schema.vocabulary(*field) if isinstance(field, tuple) else schema.vocabulary(field)


def taxonomy_record(code: str) -> dict:
    _field, name, description = TAXONOMIES[code]
    return {"id": common.stable_id("taxonomy", code), "name": name, "description": description,
            "version": common.FEED_SCHEMA_VERSION}


@cache
def term_record(taxonomy: str, code: str) -> dict:
    field = TAXONOMIES[taxonomy][0]
    name = vocabulary.label("groups" if field == ("audience", "groups") else field, code)
    if taxonomy == "linkwell-categories":
        description = CATEGORY_DESCRIPTIONS[code]
    else:
        description = f"{TAXONOMIES[taxonomy][1]}: {name}."
    return {"id": common.stable_id("taxonomy", taxonomy, code), "code": code, "name": name,
            "description": description, "taxonomy": taxonomy,
            "taxonomy_id": common.stable_id("taxonomy", taxonomy)}


def all_terms() -> list[dict]:
    return [term_record(t, code) for t, (field, _n, _d) in TAXONOMIES.items() for code in _vocabulary(field)]


def organization_record(org: dict) -> dict:
    record = {"id": common.organisation_id(org), "name": org["name"], "description": ORGANIZATION_DESCRIPTION}
    if org.get("website"):
        record["website"] = org["website"]
    identifiers = []
    number = org.get("charity_number")
    if number:
        scheme = "GB-SC" if number.startswith("SC") else "GB-CHC"
        identifiers.append({"id": common.stable_id("identifier", scheme, number), "identifier_scheme": scheme,
                            "identifier_type": "Charity number", "identifier": number})
    if org.get("company_number"):
        number = org["company_number"]
        identifiers.append({"id": common.stable_id("identifier", "GB-COH", number), "identifier_scheme": "GB-COH",
                            "identifier_type": "Company number", "identifier": number})
    if identifiers:
        record["organization_identifiers"] = identifiers
    return record


def _alert(entry: dict, today: dt.date, fresh: Freshness | None = None) -> str | None:
    notes = []
    if entry["status"] == "closed":
        notes.append("This service has closed.")
    elif entry["status"] == "temporarily-closed":
        notes.append("Temporarily closed.")
    fresh = fresh or freshness(entry, today)
    if fresh.state != "fresh":
        notes.append(fresh.notice + ".")
    return " ".join(notes) or None


def _eligibility(audience: dict) -> str | None:
    parts = []
    if audience.get("groups"):
        parts.append("For: " + ", ".join(vocabulary.in_sentence("groups", g) for g in audience["groups"]) + ".")
    low, high = audience.get("min_age"), audience.get("max_age")
    if low is not None and high is not None:
        parts.append(f"Ages {low} to {high}.")
    elif low is not None:
        parts.append(f"Ages {low} and over.")
    elif high is not None:
        parts.append(f"Ages up to {high}.")
    return " ".join(parts) or None


def _put(record: dict, key: str, value) -> None:
    """Set ``key`` only when there is a value: ORUK fields are never ``null`` or empty."""
    if value is not None and value != "" and value != []:
        record[key] = value


def _direct_fields(entry: dict, today: dt.date, facts: common.Facts) -> dict:
    """The service's one-to-one fields (``summary`` adds ``organization_id`` for the list view)."""
    contact = entry.get("contact") or {}
    audience = entry.get("audience") or {}
    record = {"id": facts.service_id, "name": entry["name"], "description": entry["description"]}
    _put(record, "url", common.website(entry))
    _put(record, "email", contact.get("email"))
    record["status"] = STATUS[entry["status"]]
    cost = vocabulary.label("cost", entry["cost"])
    record["fees_description"] = cost + (f": {entry['cost_note']}" if entry.get("cost_note") else "")
    record["application_process"] = ", ".join(vocabulary.label("access", a) for a in entry["access"]) + "."
    _put(record, "eligibility_description", _eligibility(audience))
    _put(record, "minimum_age", audience.get("min_age"))
    _put(record, "maximum_age", audience.get("max_age"))
    if entry["verified_by"] != "unverified":
        record["assured_date"] = entry["last_verified"]
    _put(record, "alert", _alert(entry, today, facts.freshness))
    return record


def _schedules(sub_id: SubId, schedule: list[dict] | None) -> list[dict]:
    records = []
    for i, slot in enumerate(schedule or []):
        record = {"id": sub_id(f"schedule/{i}")}
        frequency = slot.get("frequency")
        if frequency in ("weekly", "fortnightly"):
            record["freq"] = "WEEKLY"
            if frequency == "fortnightly":
                record["interval"] = 2
        elif frequency == "monthly":
            record["freq"] = "MONTHLY"  # which week of the month is not recorded, so no byday
        if frequency != "monthly":
            record["byday"] = ",".join(d.upper() for d in slot["days"])
        if slot.get("opens"):
            record["opens_at"] = slot["opens"] + ":00"
        if slot.get("closes"):
            record["closes_at"] = slot["closes"] + ":00"
        record["description"] = schedule_text([slot])
        _put(record, "notes", slot.get("note"))
        records.append(record)
    return records


def _service_areas(sub_id: SubId, entry: dict) -> list[dict]:
    """The areas it serves (``areas_served``: borough GSS codes, or the London region's), else its borough."""
    areas = entry.get("areas_served")
    if areas:
        return [{"id": sub_id(f"service-area/{area}"), "name": area_name(area), "extent_type": "ons-gss-code",
                 "extent": LONDON_GSS if area == LONDON else BOROUGHS[area].gss}
                for area in areas if area == LONDON or area in BOROUGHS]
    borough = BOROUGHS.get(entry["borough"])
    if not borough:
        return []
    return [{"id": sub_id("service-area"), "name": borough.name, "extent_type": "ons-gss-code",
             "extent": borough.gss}]


def _physical_location(entry: dict, sub_id: SubId, point) -> dict:
    """The venue: its name (unless the address line already is that name), coordinates, address and
    accessibility features."""
    location = entry["location"]
    loc = {"id": sub_id("location"), "location_type": "physical"}
    name = location.get("venue") or location.get("address")
    line = location.get("address") or location.get("venue")
    has_address = bool(location.get("postcode") and line)
    if name and not (has_address and name == line):
        loc["name"] = name
    if point:
        loc["latitude"], loc["longitude"] = point[0], point[1]
    if has_address:
        loc["addresses"] = [{"id": sub_id("address"), "address_1": line, "city": "London",
                             "state_province": common.borough_name(entry["borough"]),
                             "postal_code": location["postcode"].upper(), "country": "GB",
                             "address_type": "physical"}]
    if entry.get("accessibility"):
        loc["accessibility"] = [{"id": sub_id(f"accessibility/{code}"),
                                 "description": vocabulary.label("accessibility", code)}
                                for code in entry["accessibility"]]
    return loc


def _service_at_locations(entry: dict, sub_id: SubId, point) -> list[dict]:
    found = []
    if entry.get("location"):
        found.append(_physical_location(entry, sub_id, point))
    if "online" in entry["delivery"]:
        found.append({"id": sub_id("online"), "location_type": "virtual"})
    return [{"id": sub_id("service-at-location/" + loc["id"]), "location": loc} for loc in found]


def _languages(sub_id: SubId, codes: list[str] | None) -> list[dict]:
    records = []
    for code in codes or []:
        language = {"id": sub_id(f"language/{code}"), "code": code}
        _put(language, "name", LANGUAGE_NAMES.get(code))
        records.append(language)
    return records


def _cost_options(entry: dict, sub_id: SubId) -> list[dict]:
    """The amount when it is known (0 when free) or a note on it; ``fees_description`` says the rest."""
    if entry["cost"] != "free" and not entry.get("cost_note"):
        return []
    option = {"id": sub_id("cost"), "option": vocabulary.label("cost", entry["cost"])}
    if entry["cost"] == "free":
        option["amount"] = 0
    _put(option, "amount_description", entry.get("cost_note"))
    return [option]


def _phones(entry: dict, sub_id: SubId) -> list[dict]:
    phone = (entry.get("contact") or {}).get("phone")
    return [{"id": sub_id("phone"), "number": phone}] if phone else []


def _attributed(entry: dict, taxonomy: str, code: str) -> bool:
    """Whether a term needs an attribute: accessibility features and delivery modes that a location
    already states (a physical location's ``accessibility``, ``location_type`` physical / virtual) don't."""
    if taxonomy == "linkwell-accessibility":
        return not entry.get("location")
    if taxonomy == "linkwell-delivery":
        return code == "phone" or (code == "in-person" and not entry.get("location"))
    return True


def _attributes(entry: dict, sub_id: SubId) -> list[dict]:
    """Our taxonomy terms, by id only: the terms are published once, at ``/taxonomy_terms``."""
    return [{"id": sub_id(f"attribute/{taxonomy}/{code}"), "taxonomy_term_id": term_record(taxonomy, code)["id"]}
            for taxonomy, (field, _name, _description) in TAXONOMIES.items() for code in _values(entry, field)
            if _attributed(entry, taxonomy, code)]


def service_record(entry: dict, today: dt.date, facts: common.Facts | None = None) -> dict:
    """The full ORUK 3.0 service record for one entry (no empty values anywhere); ``facts``
    (``common.facts(entry, today)``) spares working them out again."""
    facts = facts or common.facts(entry, today)
    sub_id = common.sub_ids(entry["id"])  # the ids of the records hanging off this service
    record = _direct_fields(entry, today, facts)
    _put(record, "phones", _phones(entry, sub_id))
    _put(record, "schedules", _schedules(sub_id, entry.get("schedule")))
    _put(record, "service_areas", _service_areas(sub_id, entry))
    _put(record, "service_at_locations", _service_at_locations(entry, sub_id, facts.point))
    _put(record, "languages", _languages(sub_id, entry.get("languages")))
    record["organization"] = organization_record(entry["organisation"])
    _put(record, "cost_options", _cost_options(entry, sub_id))
    record["attributes"] = _attributes(entry, sub_id)
    return record


def summary(record: dict) -> dict:
    """A service as ``/services`` lists it: its direct fields and ``organization_id``, without nested
    lists or objects (the full record nests its organization instead)."""
    items = iter(record.items())
    listed = dict([next(items), ("organization_id", record["organization"]["id"])])
    listed.update((k, v) for k, v in items if not isinstance(v, (list, dict)))
    return listed
