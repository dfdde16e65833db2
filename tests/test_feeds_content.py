"""What the feeds say for awkward listings: missing optional fields, non-ASCII names, a date far
in the past, closed services, no location, formula-looking text, and attribution per source."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json

import pytest

from linkwell.publish.feeds import FeedError, common, hosting, write_feeds
from linkwell.publish.feeds.openreferral import service_record
from linkwell.publish.feeds.tabular import COLUMNS
from tests.conftest import CHECKOUT as PROJECT_DIR
from tests.conftest import VALID_ENTRY

BUILD_TIME = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
NAMES = {"welsh": "Cymdeithas Gymraeg Llundain", "bengali": "বাংলা", "polish": "Zażółć gęślą jaźń"}


def make(entry_id, **changes):
    entry = copy.deepcopy(VALID_ENTRY)
    entry["id"] = entry_id
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


def minimal(entry_id):
    """Only the required fields: phone-only, no location, contact, schedule or website anywhere."""
    return {"id": entry_id, "name": "Phone befriending", "organisation": {"name": "Small Group"},
            "description": "A weekly phone call.", "categories": ["connected"], "borough": "lewisham",
            "delivery": ["phone"], "cost": "free", "access": ["self-referral"], "status": "active",
            "last_verified": "2026-10-01", "verified_by": "provider",
            "sources": [{"kind": "form", "first_seen": "2026-10-01", "last_seen": "2026-10-01"}]}


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def oruk(out, entry_id):
    return load(out / "openreferral" / "services" / common.service_id(entry_id))


def terms_by_id(out):
    """Every published taxonomy term, by id (service attributes refer to them by id)."""
    return {t["id"]: t for t in load(out / "openreferral" / "taxonomy_terms" / "index.html")["contents"]}


@pytest.fixture
def built(tmp_path):
    entries = [
        make("deptford-walking-group"),
        make("welsh-society", name=NAMES["welsh"], organisation={"name": NAMES["welsh"]}),
        make("bengali-group", name=NAMES["bengali"], description=f"{NAMES['bengali']} group"),
        make("polish-group", name=NAMES["polish"], location={"venue": NAMES["polish"], "postcode": "SE8 4RJ",
                                                              "address": "1 Giffin Street"}),
        make("very-old", last_verified="1990-01-01"),
        make("closed-club", status="closed"),
        make("paused-club", status="temporarily-closed"),
        minimal("phone-only"),
        make("online-only", delivery=["online"], location=None),
        make("formula-group", name="=HYPERLINK(\"http://evil.example\")", cost_note="-2+3",
             contact={"phone": "+44 20 7946 0000", "email": "info@example.org"}),
        make("with-coordinates", location={"venue": "Hall", "lat": 51.47, "lon": -0.02}),
    ]
    write_feeds(entries, tmp_path, BUILD_TIME)
    return tmp_path


def test_non_ascii_names_survive_every_feed_byte_exact(built):
    files = [built / "directory.json", built / "directory.geojson", built / "directory.csv",
             built / "openreferral" / "services" / "page-1.json", built / "openreferral" / "services" / "index.html"]
    files += [built / "openreferral" / "services" / common.service_id(i)
              for i in ("welsh-society", "bengali-group", "polish-group")]
    for name in NAMES.values():
        encoded = name.encode("utf-8")
        for path in files[:5]:
            assert encoded in path.read_bytes(), (name, path.name)
    assert oruk(built, "welsh-society")["organization"]["name"] == NAMES["welsh"]
    assert oruk(built, "bengali-group")["name"] == NAMES["bengali"]
    polish = oruk(built, "polish-group")["service_at_locations"][0]["location"]
    assert polish["name"] == NAMES["polish"] and polish["addresses"][0]["address_1"] == "1 Giffin Street"
    rows = {r["id"]: r for r in read_csv(built / "directory.csv")}
    assert rows["polish-group"]["venue"] == NAMES["polish"]
    assert rows["bengali-group"]["name"] == NAMES["bengali"]


def test_minimal_entry_gives_a_record_without_empty_fields(built):
    record = oruk(built, "phone-only")
    assert record["name"] == "Phone befriending" and record["status"] == "active"
    for absent in ("url", "email", "phones", "schedules", "service_at_locations", "languages", "contacts",
                   "minimum_age", "eligibility_description", "organization_id"):
        assert absent not in record
    assert record["organization"]["name"] == "Small Group" and "website" not in record["organization"]
    assert record["assured_date"] == "2026-10-01"
    text = json.dumps(record)
    assert "null" not in text and '""' not in text


def test_status_mapping_and_alerts(built):
    assert oruk(built, "closed-club")["status"] == "defunct"
    assert oruk(built, "closed-club")["alert"].startswith("This service has closed.")
    assert oruk(built, "paused-club")["status"] == "temporarily closed"
    assert oruk(built, "deptford-walking-group")["status"] == "active"
    assert "alert" not in oruk(built, "deptford-walking-group")
    features = {f["id"]: f for f in load(built / "directory.geojson")["features"]}
    assert features["closed-club"]["properties"]["status"] == "closed"


def test_a_date_far_in_the_past_is_stale_everywhere(built):
    entries = {e["id"]: e for e in load(built / "directory.json")["entries"]}
    old = entries["very-old"]["freshness"]
    assert old["state"] == "stale" and old["due_on"] == "1991-01-01"
    assert old["days_overdue"] == (dt.date(2026, 11, 23) - dt.date(1991, 1, 1)).days
    assert old["notice"] == "Last verified 36 years ago — check before referring"
    assert oruk(built, "very-old")["alert"] == "Last verified 36 years ago — check before referring."
    assert oruk(built, "very-old")["assured_date"] == "1990-01-01"
    assert {r["id"]: r for r in read_csv(built / "directory.csv")}["very-old"]["freshness"] == "stale"


def test_unverified_listing_has_no_assured_date():
    entry = make("x-unverified", verified_by="unverified")
    record = service_record(entry, BUILD_TIME.date())
    assert "assured_date" not in record
    assert record["alert"] == "Not yet verified — check before referring."


def test_geojson_points_are_lon_lat_and_listings_without_a_place_are_left_out(built):
    collection = load(built / "directory.geojson")
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert "phone-only" not in features and "online-only" not in features
    lon, lat = features["with-coordinates"]["geometry"]["coordinates"]
    assert (lon, lat) == (-0.02, 51.47)
    assert features["with-coordinates"]["properties"]["located_by"] == "entry"
    deptford = features["deptford-walking-group"]  # postcode only: the postcode's centre
    lon, lat = deptford["geometry"]["coordinates"]
    assert 51.4 < lat < 51.5 and -0.1 < lon < 0.0
    assert deptford["properties"]["located_by"] == "postcode"
    assert deptford["properties"]["categories"] == ["active"]
    assert deptford["properties"]["borough"] == "lewisham"
    assert deptford["properties"]["url"] == "https://example.org/walks"


def test_no_location_means_no_physical_location_in_oruk(built):
    assert "service_at_locations" not in oruk(built, "phone-only")
    online = oruk(built, "online-only")["service_at_locations"]
    assert [s["location"]["location_type"] for s in online] == ["virtual"]
    physical = oruk(built, "polish-group")["service_at_locations"][0]["location"]
    assert physical["addresses"][0]["postal_code"] == "SE8 4RJ"
    assert physical["addresses"][0]["address_1"] == "1 Giffin Street"


def test_schedule_and_taxonomy_mapping(built):
    record = oruk(built, "deptford-walking-group")
    [slot] = record["schedules"]
    assert (slot["freq"], slot["byday"]) == ("WEEKLY", "TU") and "interval" not in slot  # 1 is RRULE's default
    assert (slot["opens_at"], slot["closes_at"]) == ("10:00:00", "11:30:00")
    published = terms_by_id(built)
    for attribute in record["attributes"]:
        assert set(attribute) == {"id", "taxonomy_term_id"}, "terms are referenced by id, never repeated"
    terms = {(published[a["taxonomy_term_id"]]["taxonomy"], published[a["taxonomy_term_id"]]["code"])
             for a in record["attributes"]}
    assert terms == {("linkwell-categories", "active"), ("linkwell-activities", "walking"),
                     ("linkwell-access", "drop-in"), ("linkwell-access", "self-referral")}
    # in-person delivery is the physical location; accessibility would be that location's own list
    assert record["service_at_locations"][0]["location"]["location_type"] == "physical"
    phone_only = {(published[a["taxonomy_term_id"]]["taxonomy"], published[a["taxonomy_term_id"]]["code"])
                  for a in oruk(built, "phone-only")["attributes"]}
    assert ("linkwell-delivery", "phone") in phone_only  # no location says "by phone": an attribute does
    assert record["cost_options"] == [{"id": common.sub_ids("deptford-walking-group")("cost"),
                                       "option": "Free", "amount": 0}]
    assert record["phones"][0]["number"] == "020 7946 0000"
    fortnightly = make("fortnightly", schedule=[{"days": ["mo"], "opens": "10:00", "frequency": "fortnightly"}])
    [slot] = service_record(fortnightly, BUILD_TIME.date())["schedules"]
    assert (slot["freq"], slot["interval"], slot["byday"]) == ("WEEKLY", 2, "MO")
    monthly = make("monthly", schedule=[{"days": ["th"], "frequency": "monthly"}])
    [slot] = service_record(monthly, BUILD_TIME.date())["schedules"]
    assert slot["freq"] == "MONTHLY" and "byday" not in slot and "Thursday" in slot["description"]


def test_csv_columns_and_formula_injection_guard(built):
    with open(built / "directory.csv", "rb") as f:
        assert f.read(3) == b"\xef\xbb\xbf"  # UTF-8 byte-order mark for Excel
    rows = read_csv(built / "directory.csv")
    assert list(rows[0]) == [name for name, _ in COLUMNS]
    assert len(rows) == 11
    row = {r["id"]: r for r in rows}["formula-group"]
    assert row["name"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["cost_note"] == "'-2+3"
    assert row["phone"] == "'+44 20 7946 0000"
    coordinates = {r["id"]: r for r in rows}["with-coordinates"]
    assert (coordinates["latitude"], coordinates["longitude"]) == ("51.47", "-0.02")


def test_ids_are_stable_and_documented():
    assert str(common.LINKWELL_NAMESPACE) == "3eb6b928-0f47-5ebd-8d95-b6dca4170c85"
    import uuid

    assert common.LINKWELL_NAMESPACE == uuid.uuid5(uuid.NAMESPACE_URL, "https://linkwell.london/openreferral")
    assert common.service_id("deptford-walking-group") == str(uuid.uuid5(common.LINKWELL_NAMESPACE,
                                                                          "deptford-walking-group"))


def test_fast_uuid5_matches_the_standard_library():
    import uuid

    for name in ["", "a", "syn-1/attribute/linkwell-access/drop-in", "café/ŵ/日本", "x" * 300,
                 *(f"entry-{i}/schedule/{i % 7}" for i in range(500))]:
        assert common.uuid5(name) == str(uuid.uuid5(common.LINKWELL_NAMESPACE, name)), name


def test_sub_ids_are_the_uuid5_of_slug_and_path():
    import uuid

    for slug in ["syn-1", "café-ŵ", "a" * 200]:
        sub_id = common.sub_ids(slug)
        for what in ["phone", "attribute/linkwell-access/drop-in", "schedule/3", "language/日本", ""]:
            expected = str(uuid.uuid5(common.LINKWELL_NAMESPACE, f"{slug}/{what}"))
            assert sub_id(what) == expected == common.stable_id(slug, *what.split("/")), (slug, what)


def test_builds_are_deterministic_and_replace_old_records(tmp_path):
    entries = [make("a-group"), make("b-group")]
    write_feeds(entries, tmp_path / "one", BUILD_TIME)
    write_feeds(list(reversed(entries)), tmp_path / "two", BUILD_TIME)
    for name in ("directory.json", "directory.csv", "directory.geojson", "openreferral/services/page-1.json",
                 "openreferral/services/index.html"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    write_feeds(entries[:1], tmp_path / "one", BUILD_TIME)
    files = sorted(p.name for p in (tmp_path / "one" / "openreferral" / "services").iterdir())
    assert files == sorted([common.service_id("a-group"), "index.html", "page-1.json"])


def test_empty_directory_gives_empty_page(tmp_path):
    write_feeds([], tmp_path, BUILD_TIME)
    for name in ("page-1.json", "index.html"):
        envelope = load(tmp_path / "openreferral" / "services" / name)
        assert envelope["empty"] is True and envelope["total_items"] == 0 and envelope["contents"] == []
        assert envelope["total_pages"] == 1 and envelope["first_page"] and envelope["last_page"]
    assert load(tmp_path / "directory.json")["total"] == 0


def test_invalid_output_raises_a_clear_feed_error(tmp_path):
    bad = make("bad-entry", name="")
    with pytest.raises(FeedError, match=r"directory.json does not match schema/feed.schema.json: .*name"):
        write_feeds([bad], tmp_path, BUILD_TIME)


def test_licence_and_source_attribution(tmp_path):
    sources_file = tmp_path / "sources.yml"
    sources_file.write_text(
        "sources:\n"
        "  - id: lewisham-oruk\n"
        "    title: Lewisham Council directory\n"
        "    licence: OGL v3.0\n"
        "    attribution: Contains Lewisham Council data (OGL v3.0)\n", encoding="utf-8")
    harvested = make("harvested", sources=[{"kind": "oruk", "source_id": "lewisham-oruk", "record_id": "42",
                                            "first_seen": "2026-01-01", "last_seen": "2026-11-01",
                                            "harvested": {"name": "x"}}])
    manual = make("manual", sources=[{"kind": "manual", "title": "NAVCA report 2022", "first_seen": "2026-01-01",
                                      "last_seen": "2026-01-01"}])
    write_feeds([harvested, manual], tmp_path / "out", BUILD_TIME, sources_file=sources_file)
    document = load(tmp_path / "out" / "directory.json")
    assert document["licence"]["id"] == "OGL-UK-3.0"
    assert document["generated_at"] == "2026-11-23T12:00:00Z"
    assert document["schema_version"] == common.FEED_SCHEMA_VERSION
    assert "Contains Lewisham Council data (OGL v3.0)" in document["attribution"]
    assert "Listed in: NAVCA report 2022" in document["attribution"]
    by_id = {s.get("source_id", s.get("title")): s for s in document["sources"]}
    assert by_id["lewisham-oruk"]["licence"] == "OGL v3.0" and by_id["lewisham-oruk"]["entries"] == 1
    entry = {e["id"]: e for e in document["entries"]}["harvested"]
    assert "harvested" not in entry["sources"][0]  # harvest bookkeeping stays out of the feed


def test_schema_copy_is_published(built):
    assert (built / "schema" / "feed.schema.json").read_bytes() == \
        (PROJECT_DIR / "schema" / "feed.schema.json").read_bytes()


def test_harvester_sources_file_gives_licence_and_attribution():
    path = PROJECT_DIR / "harvesters" / "sources.yml"
    if not path.exists():
        pytest.skip("harvesters/sources.yml is not there yet")
    import yaml

    listed = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    catalogue = common.source_catalogue(path)
    assert set(catalogue) == {s["id"] for s in listed}
    for source in listed:
        assert catalogue[source["id"]]["licence"] == source["licence"].strip()
        assert catalogue[source["id"]]["attribution"] == source["attribution"].strip()


def test_host_configuration_files_keep_rules_of_their_own(tmp_path):
    (tmp_path / "_redirects").write_text("/old-page  /new-page  301\n", encoding="utf-8")
    write_feeds([make("a-group")], tmp_path, BUILD_TIME)
    write_feeds([make("a-group")], tmp_path, BUILD_TIME)
    redirects = (tmp_path / "_redirects").read_text(encoding="utf-8")
    assert redirects.startswith("/old-page  /new-page  301\n")
    assert redirects.count(hosting.BEGIN) == 1 and redirects.count(hosting.REDIRECTS) == 1
    assert "/openreferral/services   page=:page  /openreferral/services/page-:page.json  200!" in redirects
    headers = (tmp_path / "_headers").read_text(encoding="utf-8")
    assert headers == f"{hosting.BEGIN}\n{hosting.HEADERS}{hosting.END}\n"
    assert "Access-Control-Allow-Origin: *" in headers


def test_maintainers_accounts_stay_out_of_the_feed(entry):
    from linkwell.publish.feeds.directory_json import feed_entry
    out = feed_entry({**entry, "maintainers": ["deptford-walkers"]}, dt.date(2026, 12, 1))
    assert "maintainers" not in out and out["name"] == entry["name"]
