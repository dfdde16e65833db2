"""``openreferral/``: a static Open Referral UK (ORUK 3.0 / HSDS 3.0) API over the directory.

Files (all JSON, UTF-8), relative to ``openreferral/``:

- ``index.json`` — the API root: ``version``, ``profile``, ``openapi_url`` (and where the rest is);
- ``services/page-<n>.json`` — services in the ORUK page envelope (``total_items, total_pages,
  page_number, size, first_page, last_page, empty, contents``), ``PAGE_SIZE`` per page, sorted
  by Linkwell id; list items are the service without its nested lists (as ORUK ``/services``);
- ``services/<uuid>.json`` — one full service record per listing;
- ``organizations/page-<n>.json``, ``taxonomies/page-<n>.json``, ``taxonomy_terms/page-<n>.json``.

Ids are ``uuid5(LINKWELL_NAMESPACE, ...)`` of our slugs (see ``common``), so they never change.
Mapping: categories, activities, access routes, audience groups, accessibility and delivery
become ``attributes`` linking to our taxonomy terms; ``status`` active / temporarily-closed /
closed becomes ``active`` / ``temporarily closed`` / ``defunct``; ``assured_date`` is
``last_verified`` only when someone verified the listing (``verified_by`` is not
``unverified``); a stale, unverified, closed or temporarily closed listing says so in
``alert``. A location is published when the entry has one (coordinates from the entry or its
postcode; an ``addresses`` item only when there is a postcode and an address or venue, since
HSDS requires address_1 and postal_code); online delivery adds a ``virtual`` location. Fields
with no value are omitted, never ``null`` or ``""``. Provenance (sources) is in
``directory.json``, not in ORUK ``metadata``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from functools import cache
from pathlib import Path

from linkwell.listings.describe import LANGUAGE_NAMES, schedule_text
from linkwell.listings.freshness import Freshness, freshness
from linkwell.publish.feeds import common
from linkwell.reference import schema, vocabulary
from linkwell.reference.boroughs import BOROUGHS

FOLDER = "openreferral"
PAGE_SIZE = 500
VERSION = "3.0"
PROFILE = "https://openreferraluk.org/"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"

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
    record = {"id": common.organisation_id(org), "name": org["name"],
              "description": f"{org['name']}: an organisation with listings in Linkwell, "
                             "the London social prescribing directory."}
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


def _schedules(sub_id, sid: str, schedule: list[dict]) -> list[dict]:
    records = []
    for i, slot in enumerate(schedule or []):
        record = {"id": sub_id(f"schedule/{i}"), "service_id": sid}
        frequency = slot.get("frequency")
        if frequency in ("weekly", "fortnightly"):
            record["freq"] = "WEEKLY"
            record["interval"] = 2 if frequency == "fortnightly" else 1
        elif frequency == "monthly":
            record["freq"] = "MONTHLY"  # which week of the month is not recorded, so no byday
        if frequency != "monthly":
            record["byday"] = ",".join(d.upper() for d in slot["days"])
        if slot.get("opens"):
            record["opens_at"] = slot["opens"] + ":00"
        if slot.get("closes"):
            record["closes_at"] = slot["closes"] + ":00"
        record["description"] = schedule_text([slot])
        if slot.get("note"):
            record["notes"] = slot["note"]
        records.append(record)
    return records


def _locations(entry: dict, sub_id, sid: str, point: tuple[float, float, str] | None) -> list[dict]:
    location = entry.get("location") or {}
    found = []
    if location:
        loc = {"id": sub_id("location"), "location_type": "physical"}
        name = location.get("venue") or location.get("address")
        if name:
            loc["name"] = name
        if point:
            loc["latitude"], loc["longitude"] = point[0], point[1]
        line = location.get("address") or location.get("venue")
        if location.get("postcode") and line:
            loc["addresses"] = [{"id": sub_id("address"), "location_id": loc["id"],
                                 "address_1": line, "city": "London",
                                 "state_province": common.borough_name(entry["borough"]),
                                 "postal_code": location["postcode"].upper(), "country": "GB",
                                 "address_type": "physical"}]
        if entry.get("accessibility"):
            loc["accessibility"] = [{"id": sub_id(f"accessibility/{code}"), "location_id": loc["id"],
                                     "description": vocabulary.label("accessibility", code)}
                                    for code in entry["accessibility"]]
        found.append(loc)
    if "online" in entry["delivery"]:
        loc = {"id": sub_id("online"), "location_type": "virtual", "name": "Online"}
        url = common.website(entry)
        if url:
            loc["url"] = url
        found.append(loc)
    return [{"id": sub_id("service-at-location/" + loc["id"]), "service_id": sid,
             "location_id": loc["id"], "location": loc} for loc in found]


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


def _eligibility(entry: dict) -> str | None:
    audience = entry.get("audience") or {}
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


def service_record(entry: dict, today: dt.date, facts: common.Facts | None = None) -> dict:  # noqa: C901
    """The full ORUK 3.0 service record for one entry (no empty values anywhere); ``facts``
    (``common.facts(entry, today)``) spares working them out again."""
    facts = facts or common.facts(entry, today)
    sub_id = common.sub_ids(entry["id"])  # the ids of the records hanging off this service
    sid = facts.service_id
    org = organization_record(entry["organisation"])
    contact = entry.get("contact") or {}
    record = {"id": sid, "organization_id": org["id"], "name": entry["name"], "description": entry["description"]}
    url = common.website(entry)
    if url:
        record["url"] = url
    if contact.get("email"):
        record["email"] = contact["email"]
    record["status"] = STATUS[entry["status"]]
    cost = vocabulary.label("cost", entry["cost"])
    record["fees_description"] = cost + (f": {entry['cost_note']}" if entry.get("cost_note") else "")
    record["application_process"] = ", ".join(vocabulary.label("access", a) for a in entry["access"]) + "."
    eligibility = _eligibility(entry)
    if eligibility:
        record["eligibility_description"] = eligibility
    audience = entry.get("audience") or {}
    if audience.get("min_age") is not None:
        record["minimum_age"] = audience["min_age"]
    if audience.get("max_age") is not None:
        record["maximum_age"] = audience["max_age"]
    if entry["verified_by"] != "unverified":
        record["assured_date"] = entry["last_verified"]
    alert = _alert(entry, today, facts.freshness)
    if alert:
        record["alert"] = alert
    if contact.get("phone"):
        record["phones"] = [{"id": sub_id("phone"), "service_id": sid, "number": contact["phone"]}]
    schedules = _schedules(sub_id, sid, entry.get("schedule"))
    if schedules:
        record["schedules"] = schedules
    borough = BOROUGHS.get(entry["borough"])
    if borough:
        record["service_areas"] = [{
            "id": sub_id("service-area"), "service_id": sid, "name": borough.name,
            "description": f"{borough.name}, London", "extent_type": "ons-gss-code", "extent": borough.gss,
            "uri": f"http://statistics.data.gov.uk/id/statistical-geography/{borough.gss}"}]
    at_locations = _locations(entry, sub_id, sid, facts.point)
    if at_locations:
        record["service_at_locations"] = at_locations
    if entry.get("languages"):
        record["languages"] = []
        for code in entry["languages"]:
            language = {"id": sub_id(f"language/{code}"), "service_id": sid, "code": code}
            if code in LANGUAGE_NAMES:
                language["name"] = LANGUAGE_NAMES[code]
            record["languages"].append(language)
    record["organization"] = org
    option = {"id": sub_id("cost"), "service_id": sid, "option": cost, "currency": "GBP"}
    if entry["cost"] == "free":
        option["amount"] = 0
    if entry.get("cost_note"):
        option["amount_description"] = entry["cost_note"]
    record["cost_options"] = [option]
    if contact.get("email") or contact.get("phone"):
        person = {"id": sub_id("contact"), "service_id": sid, "name": entry["organisation"]["name"]}
        if contact.get("email"):
            person["email"] = contact["email"]
        if contact.get("phone"):
            person["phones"] = [{"id": sub_id("contact/phone"), "contact_id": person["id"],
                                 "number": contact["phone"]}]
        record["contacts"] = [person]
    attributes = []
    for taxonomy, (field, _name, _description) in TAXONOMIES.items():
        for code in _values(entry, field):
            term = term_record(taxonomy, code)
            attributes.append({"id": sub_id(f"attribute/{taxonomy}/{code}"), "link_id": sid,
                               "link_type": taxonomy, "link_entity": "service",
                               "taxonomy_term_id": term["id"], "taxonomy_term": term})
    record["attributes"] = attributes
    return record


def summary(record: dict) -> dict:
    """A service as listed in ``/services``: the record without its nested lists."""
    return {k: v for k, v in record.items() if not isinstance(v, list)}


def page(items: list, number: int, total_pages: int, total_items: int, size: int = PAGE_SIZE) -> dict:
    """One ORUK page envelope; ``size`` is the page size (items per full page), as in ORUK."""
    return {"total_items": total_items, "total_pages": total_pages, "page_number": number,
            "size": size, "first_page": number == 1, "last_page": number == total_pages,
            "empty": not items, "contents": items}


def pages(items: list, size: int = PAGE_SIZE):
    """Yield ``(number, envelope)`` for every page; an empty list gives one empty page."""
    total_pages = max(1, math.ceil(len(items) / size))
    for number in range(1, total_pages + 1):
        yield number, page(items[(number - 1) * size:number * size], number, total_pages, len(items), size)


def root(generated_at: dt.datetime) -> dict:
    return {"version": VERSION, "profile": PROFILE, "openapi_url": OPENAPI_URL,
            "generated_at": generated_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "page_size": PAGE_SIZE,
            "services": "services/page-1.json", "service": "services/{id}.json",
            "organizations": "organizations/page-1.json", "taxonomies": "taxonomies/page-1.json",
            "taxonomy_terms": "taxonomy_terms/page-1.json", "licence": common.OGL["url"]}


def dumps(data) -> bytes:
    """Compact UTF-8 JSON (``common.dumps``); a service record with coordinates goes through
    ``common.facts(entry, today).dumps``."""
    return common.dumps(data)


def _dump(path: Path, data, writer=dumps) -> Path:
    path.write_bytes(writer(data))
    return path


def write(entries: list[dict], out_dir: Path, generated_at: dt.datetime) -> list[Path]:
    """Write the whole API into ``out_dir/openreferral/`` (replacing a previous build's copy)."""
    today = generated_at.date()
    base = Path(out_dir) / FOLDER
    if base.exists():
        shutil.rmtree(base)
    for sub in ("services", "organizations", "taxonomies", "taxonomy_terms"):
        (base / sub).mkdir(parents=True)
    parts = []
    for entry in entries:
        facts = common.facts(entry, today)
        record = service_record(entry, today, facts)
        _dump(base / "services" / f"{record['id']}.json", record, facts.dumps)
        parts.append(record_parts(record))
    return write_lists(parts, out_dir, generated_at)


def record_parts(record: dict) -> tuple[bytes, str, str, bytes]:
    """(summary JSON, organisation id, organisation sort key, organisation JSON) of a service record
    (neither has coordinates, which are in the record's lists)."""
    org = record["organization"]
    return (dumps(summary(record)), org["id"], org["name"].casefold(), dumps(org))


def _page_text(items: list[bytes], number: int, total_pages: int, total_items: int) -> bytes:
    """``dumps(page(...))`` from the items' JSON (``contents`` is the envelope's last key)."""
    envelope = page(items, number, total_pages, total_items)
    envelope["contents"] = []
    return dumps(envelope)[:-3] + b"[" + b",".join(items) + b"]}"


def _write_if_changed(path: Path, data: bytes) -> Path:
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return path
    except OSError:
        pass
    path.write_bytes(data)
    return path


def write_lists(parts: list[tuple[bytes, str, str, bytes]], out_dir: Path,
                generated_at: dt.datetime) -> list[Path]:
    """Write ``index.json`` and every paged list from each service's ``record_parts`` (in id order),
    and remove any file the lists no longer have. Service records are written by the caller."""
    base = Path(out_dir) / FOLDER
    for sub in ("services", "organizations", "taxonomies", "taxonomy_terms"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    written = [_dump(base / "index.json", root(generated_at))]
    organisations: dict[str, tuple[str, bytes]] = {}
    for _summary, org_id, org_key, org_text in parts:
        organisations.setdefault(org_id, (org_key, org_text))
    listings = {
        "services": [p[0] for p in parts],
        "organizations": [text for _id, (_key, text) in sorted(organisations.items(), key=lambda o: (o[1][0], o[0]))],
        "taxonomies": [dumps(taxonomy_record(code)) for code in TAXONOMIES],
        "taxonomy_terms": [dumps(term) for term in all_terms()],
    }
    for name, items in listings.items():
        total_pages = max(1, math.ceil(len(items) / PAGE_SIZE))
        for number in range(1, total_pages + 1):
            data = _page_text(items[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], number, total_pages, len(items))
            written.append(_write_if_changed(base / name / f"page-{number}.json", data))
        wanted = {f"page-{n}.json" for n in range(1, total_pages + 1)}
        with os.scandir(base / name) as found:  # not glob(): services/ holds a file per service
            for old in found:
                if old.name.startswith("page-") and old.name.endswith(".json") and old.name not in wanted:
                    os.unlink(old.path)
    return written
