"""Records shaped like the ones real platforms publish, built for the harvester tests (all fictional).

Each builder follows a platform's public documentation or source (read, not copied):

- ``outpost_service``: Outpost (wearefuturegov/outpost) ORUK v1 as its public API serves it:
  the ``IndexedServicesSerializer`` field set (integer ``id``, ``updated_at``, ``min_age/max_age``,
  ``needs_referral``, ``free``, ``organisation``, flat ``locations[]`` with ``address_1``, ``city``,
  ``postal_code``, ``geometry {type: Point, coordinates: [lon, lat]}``, ``mask_exact_address`` (then
  the postcode is only its district and the coordinates are rounded to 2 places), ``taxonomies
  [{id, name, slug, parent_id}]``, ``regular_schedules [{weekday: "Monday", opens_at, closes_at}]``,
  ``contacts [{id, name, title, email, phone}]``, ``cost_options [{option, amount, cost_type}]``,
  ``links``, ``send_needs``, ``suitabilities``, ``local_offer``); pages ``number/size/totalPages/
  totalElements/first/last/content``, bodies starting with a UTF-8 byte-order mark.
- ``porism_service`` / ``localgov_service``: ORUK v1 as the ORUK API specification and the Porism and
  LocalGov Drupal implementations publish it (``service_at_locations[].location.physical_addresses``,
  ``service_taxonomys[].taxonomy {id, name, vocabulary, parent}``, ``regular_schedules[].byday``,
  ``eligibilitys``, ``contacts[].phones``, ``languages[].language``).
- ``opd_service`` / ``opd_list_item``: ORUK 3.0 as Open Place Directory (Placecube) publishes it: HTML
  descriptions, ``minimum_age``/``maximum_age`` -1 for "not set", ``last_modified`` without a time
  zone, ``pc_*`` extension fields, phones without ``id`` whose ``number`` has free text, placeholder
  URLs, list pages without locations (``/services/{id}`` has them), ``organization_id`` only.
- OpenActive: items as the OpenActive modelling specification 2.0 and RPDE 1.0 describe them.

Contact details use reserved ranges only: 020 7946 0xxx (Ofcom drama numbers), 07700 900xxx and
example.org / example.com addresses.
"""

from __future__ import annotations

import json
import math

BOM = "\ufeff"


# --- Outpost (ORUK v1, flat locations) ------------------------------------------------------

def outpost_location(n: int, postcode: str, lat: float, lon: float, *, masked: bool = False,
                     name: str = "Bruce Grove Youth Space", address: str = "  12 Example Road",
                     city: str = "London") -> dict:
    """One of Outpost's ``locations``; masked ones give only the postcode district."""
    return {
        "id": 800 + n, "name": name,
        "address_1": None if masked else address,
        "city": city, "state_province": None,
        "postal_code": postcode.split()[0] if masked else postcode,
        "country": "United Kingdom",
        "geometry": {"type": "Point",
                     "coordinates": [round(lon, 2), round(lat, 2)] if masked else [lon, lat]},
        "mask_exact_address": masked,
        "accessibilities": [{"id": 3, "name": "Wheelchair accessible"}, {"id": 5, "name": "Accessible toilet"}],
    }


def outpost_service(i: int, locations: list[dict], **overrides) -> dict:
    record = {
        "id": 4100 + i,
        "updated_at": "2026-05-14T09:12:33.456Z",
        "name": f"Youth drop-in {i}",
        "description": "A weekly youth club with games, cooking and a quiet room.\r\n\r\nJust turn up.",
        "url": f"https://example.org/outpost/services/{i}",
        "visible_from": None, "visible_to": None,
        "min_age": 11, "max_age": 19,
        "age_band_under_2": False, "age_band_2": False, "age_band_3_4": False, "age_band_5_7": False,
        "age_band_8_plus": True, "age_band_all": False,
        "needs_referral": False, "free": True,
        "created_at": "2021-03-02T10:00:00.000Z",
        "status": "active",
        "target_directories": [{"name": "Family Information Service", "label": "fis"}],
        "locations": locations,
        "contacts": [{"id": 900 + i, "name": None, "title": "Youth team", "email": "youth@example.org",
                      "phone": "020 7946 0311"}],
        "meta": [],
        "organisation": {"id": 60 + i, "name": f"Example Youth Trust {i}", "description": None,
                         "email": None, "url": "https://example.org/youth-trust"},
        "taxonomies": [{"id": 41, "name": "Youth clubs", "slug": "youth-clubs", "parent_id": 7},
                       {"id": 7, "name": "Activities and clubs", "slug": "activities-and-clubs",
                        "parent_id": None}],
        "regular_schedules": [{"id": 700 + i, "weekday": "Tuesday", "opens_at": "16:00", "closes_at": "18:30"}],
        "cost_options": [],
        "links": [{"label": "Facebook", "url": "https://www.facebook.com/example-youth"}],
        "send_needs": [], "suitabilities": [{"id": 2, "name": "Autism"}],
        "local_offer": None,
    }
    record.update(overrides)
    return record


def outpost_page(records: list, page: int, size: int, total: int) -> dict:
    pages = max(1, math.ceil(total / size))
    return {"number": page, "size": size, "totalPages": pages, "totalElements": total,
            "first": page == 1, "last": page >= pages, "content": records}


def outpost_body(page: dict) -> bytes:
    """Outpost's pages as served: a byte-order mark before the JSON."""
    return (BOM + json.dumps(page)).encode("utf-8")


def outpost_taxonomies() -> list:
    """``/taxonomies``: Outpost's nested tree (label, slug, level, children)."""
    return [{"id": 7, "label": "Activities and clubs", "slug": "activities-and-clubs", "level": 0, "children": [
        {"id": 41, "label": "Youth clubs", "slug": "youth-clubs", "level": 1, "children": []},
        {"id": 42, "label": "Sports and leisure", "slug": "sports-and-leisure", "level": 1, "children": []}]}]


# --- Porism / LocalGov Drupal (ORUK v1, service_at_locations) ------------------------------

def v1_location(n: int, postcode: str, *, name: str = "Tottenham Green Library",
                address: str = "1 Example Lane", lat: float | None = None, lon: float | None = None) -> dict:
    return {"id": f"loc-{n}", "name": name, "description": "", "latitude": lat, "longitude": lon,
            "accessibility_for_disabilities": [{"id": f"acc-{n}", "accessibility": "Step-free access"}],
            "physical_addresses": [{"id": f"addr-{n}", "address_1": address, "city": "London",
                                    "state_province": "", "postal_code": postcode, "country": "England"}]}


def porism_service(i: int, location: dict | None, **overrides) -> dict:
    record = {
        "id": f"2c1b6a3e-0b7e-4a8e-9d1f-{i:012d}",
        "name": f"Memory cafe {i}",
        "description": "A friendly cafe for people living with dementia and their carers.",
        "url": f"https://example.org/porism/{i}",
        "email": "cafe@example.org",
        "status": "active",
        "fees": "Free",
        "accreditations": "",
        "deliverable_type": "Information",
        "attending_type": "In person",
        "attending_access": "Drop-in",
        "assured_date": "2026-04-02T00:00:00",
        "organization": {"id": f"org-{i}", "name": f"Example Dementia Support {i}", "description": "",
                         "url": "https://example.org/dementia", "logo": "", "uri": ""},
        "contacts": [{"id": f"con-{i}", "name": "", "title": "Helpline",
                      "phones": [{"id": f"ph-{i}", "number": "020 7946 0422", "language": ""}]}],
        "cost_options": [],
        "eligibilitys": [{"id": f"el-{i}", "eligibility": "Carers and people living with dementia",
                          "minimum_age": 18, "maximum_age": None}],
        "fundings": [], "holiday_schedules": [], "reviews": [],
        "languages": [{"id": f"lang-{i}", "language": "English"}],
        "regular_schedules": [{"id": f"rs-{i}", "opens_at": "10:30:00", "closes_at": "12:00:00",
                               "valid_from": None, "valid_to": None, "dtstart": None, "freq": "WEEKLY",
                               "interval": 1, "byday": "TH", "bymonthday": None, "description": ""}],
        "service_areas": [{"id": f"sa-{i}", "service_area": "Haringey", "extent": None, "uri": ""}],
        "service_at_locations": [{"id": f"sal-{i}", "location": location}] if location else [],
        "service_taxonomys": [{"id": f"st-{i}", "taxonomy": {"id": "dementia", "name": "Dementia support",
                                                             "vocabulary": "Council directory", "parent": None}}],
    }
    record.update(overrides)
    return record


def localgov_service(i: int, location: dict | None, **overrides) -> dict:
    """LocalGov Drupal's localgov_openreferral output: numeric string ids, fewer fields, ``byday``."""
    record = {
        "id": str(310 + i),
        "name": f"Chair-based exercise {i}",
        "description": "<p>Gentle exercise sitting down, for older residents.</p>",
        "url": f"https://example.org/localgov/directory/{i}",
        "email": "active@example.org",
        "status": "active",
        "organization": {"id": str(20 + i), "name": f"Example Active Ageing {i}",
                         "url": "https://example.org/active-ageing"},
        "contacts": [],
        "regular_schedules": [{"id": f"{310 + i}-0", "byday": "MO,WE", "opens_at": "10:00", "closes_at": "11:00",
                               "freq": "WEEKLY", "interval": 1}],
        "service_at_locations": [{"id": f"{310 + i}-loc", "location": location}] if location else [],
        "service_taxonomys": [{"id": f"{310 + i}-t", "taxonomy": {"id": "94", "name": "Keeping active",
                                                                 "vocabulary": "localgov_directories_facets"}}],
    }
    record.update(overrides)
    return record


# --- Open Place Directory (ORUK 3.0, Placecube) ----------------------------------------------

def opd_service(i: int, postcode: str | None, **overrides) -> dict:
    sal = []
    if postcode:
        sal = [{"id": f"opd-sal-{i}", "description": None, "location": {
            "id": f"opd-loc-{i}", "location_type": "physical", "name": "Northumberland Park Community Centre",
            "latitude": None, "longitude": None,
            "addresses": [{"id": f"opd-ad-{i}", "address_1": "Example Road", "address_2": "", "city": "London",
                           "region": "", "state_province": "", "postal_code": postcode, "country": "GB",
                           "address_type": "physical"}]}}]
    record = {
        "id": f"opd-{i:05d}",
        "organization_id": f"opd-org-{i}",
        "name": f"Knit and natter {i}",
        "alternate_name": "",
        "description": "<h1>About us</h1><p>Bring your knitting&nbsp;and meet people.</p><p>Tea provided.</p>",
        "url": "http://www.example.com",
        "email": "knit@example.org",
        "status": "active",
        "fees_description": "Free",
        "eligibility_description": "Adults",
        "minimum_age": -1,
        "maximum_age": -1,
        "assured_date": None,
        "last_modified": "2026-06-03T14:05:10",
        "phones": [{"number": "Community team: 020 7946 0533", "extension": None, "type": "voice",
                    "description": ""}],
        "schedules": [{"id": f"opd-sc-{i}", "freq": "WEEKLY", "interval": 1, "byday": "FR",
                       "opens_at": "13:00", "closes_at": "15:00"}],
        "service_at_locations": sal,
        "attributes": [{"id": f"opd-at-{i}", "link_type": "service", "taxonomy_term": {
            "id": "tt-crafts", "code": "crafts", "term": "Crafts and hobbies", "description": "",
            "taxonomy": "Open Place Directory"}}],
        "pc_service_type": "Group activity",
        "pc_targetAudience": ["Adults"],
        "pc_last_reviewed_by": "directory team",
    }
    record.update(overrides)
    return record


def opd_list_item(record: dict) -> dict:
    """What OPD's ``/services`` list carries: no locations, schedules or phones."""
    return {k: record[k] for k in ("id", "name", "description", "organization_id", "status", "last_modified")}


def opd_organizations(records: list) -> list:
    """``/organizations`` answered as a bare array (no envelope)."""
    return [{"id": r["organization_id"], "name": f"Example Makers Collective {r['id'][-1]}",
             "description": "", "website": "https://example.org/makers", "email": "hello@example.org"}
            for r in records]


# --- OpenActive (RPDE 1.0, modelling specification 2.0) -----------------------------------------

def serve_opd(httpserver, full: list[dict]) -> str:
    """Serve ``full`` (``opd_service`` records) as Open Place Directory does: one list page of
    summaries, each record's detail at ``/services/<id>``, organisations as a bare array; the base URL."""
    listing = {"total_items": len(full), "total_pages": 1, "page_number": 1, "size": 10, "first_page": True,
               "last_page": True, "empty": False, "contents": [opd_list_item(r) for r in full]}
    httpserver.expect_request("/opd/services", query_string="page=1&per_page=10").respond_with_json(listing)
    for record in full:
        httpserver.expect_request(f"/opd/services/{record['id']}").respond_with_json(record)
    httpserver.expect_request("/opd/organizations").respond_with_data(json.dumps(opd_organizations(full)),
                                                                     content_type="application/json")
    return httpserver.url_for("/opd")


def oa_item(item_id, modified, data=None, *, kind="SessionSeries", state="updated") -> dict:
    out = {"state": state, "kind": kind, "id": item_id, "modified": modified}
    if data is not None:
        out["data"] = data
    return out


def oa_series(n: int, postcode: str, **overrides) -> dict:
    data = {
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "type": "SessionSeries",
        "id": f"https://example.org/api/session-series/{n}",
        "name": f"Walking football {n}",
        "description": "Football at walking pace for the over 50s.",
        "url": f"https://example.org/sessions/{n}",
        "activity": [{"type": "Concept", "id": "https://openactive.io/activity-list#walking-football",
                      "prefLabel": "Walking Football", "inScheme": "https://openactive.io/activity-list"}],
        "organizer": {"type": "Organization", "name": "Example Leisure Trust", "url": "https://example.org/leisure",
                      "email": "bookings@example.org", "telephone": "020 7946 0640"},
        "location": {"type": "Place", "name": "Finsbury Park Track",
                     "address": {"type": "PostalAddress", "streetAddress": "Example Road",
                                 "addressLocality": "London", "postalCode": postcode, "addressCountry": "GB"},
                     "geo": {"type": "GeoCoordinates", "latitude": 51.57, "longitude": -0.1}},
        "ageRange": {"type": "QuantitativeValue", "minValue": 50},
        "offers": [{"type": "Offer", "price": 3.5, "priceCurrency": "GBP"}],
        "beta:isWheelchairAccessible": True,
        "beta:formattedDescription": "<p>Football at <b>walking</b> pace.</p>",
    }
    data.update(overrides)
    return data


def oa_session(n: int, series_ref, start: str, end: str) -> dict:
    return {"@context": "https://openactive.io/", "type": "ScheduledSession",
            "id": f"https://example.org/api/scheduled-sessions/{n}", "superEvent": series_ref,
            "startDate": start, "endDate": end, "duration": "PT1H"}


def rpde_page(items: list, next_url: str | None, *, licence: bool = True) -> dict:
    page = {"items": items}
    if next_url is not None:
        page["next"] = next_url
    if licence:
        page["license"] = "https://creativecommons.org/licenses/by/4.0/"
    return page
