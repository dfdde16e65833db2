"""``areas_served``: which areas a listing takes people from, from the file to every output.

Validation explains mistakes in words a volunteer can act on (a borough name instead of its slug,
a misspelling, repeats, london with boroughs); the add-your-group answer becomes the field; the
listing page and the borough lists say "Serves ..."; the search record carries the words; the
ORUK feed publishes each area's GSS code (HSDS-valid, still under 2,500 bytes a record), and
directory.json, CSV and GeoJSON carry the field. Without the field nothing about areas is shown.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from oruk_schemas import oruk, problems, response
from test_from_issue import GOOD, render
from test_from_issue import directory as directory  # noqa: F401  (the fixture)
from test_from_issue import run as run_from_issue

from linkwell.cli import cli
from linkwell.listings.freshness import freshness
from linkwell.listings.loader import load_entry_file
from linkwell.publish.feeds import openreferral, openreferral_api, write_feeds
from linkwell.publish.search.index import entry_facts
from linkwell.publish.site.render import Renderer, SiteInfo
from linkwell.reference import schema
from tests.conftest import VALID_ENTRY

TODAY = dt.date(2026, 11, 23)
BUILD_TIME = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def with_areas(areas, **more) -> dict:
    entry = copy.deepcopy(VALID_ENTRY)
    if areas is not None:
        entry["areas_served"] = areas
    entry.update(more)
    return entry


def problems_of(make_listing, areas) -> list[str]:
    path = make_listing(entry=with_areas(areas))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    return [line for line in result.output.splitlines() if "areas_served" in line]


# --- validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize("areas", [["lewisham"], ["lewisham", "greenwich", "southwark"], ["london"]])
def test_valid_areas_pass(make_listing, areas):
    path = make_listing(entry=with_areas(areas))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("areas, expected", [
    (["Lewisham"], "'Lewisham' is not a London borough slug, like lewisham or tower-hamlets, or london for all of "
                   "London; did you mean lewisham?"),
    (["lewsiham"], "did you mean lewisham?"),
    (["London Borough of Tower Hamlets"], "did you mean tower-hamlets?"),
    (["Greater London"], "did you mean london?"),
    (["kent"], "'kent' is not a London borough slug"),
    (["lewisham", "greenwich", "lewisham"], "areas_served: lists lewisham more than once; give each area once"),
    (["london", "lewisham"], "london already means all of London; write areas_served: [london] alone"),
    ([], "needs at least one value; leave areas_served out when you do not know"),
    ("lewisham", "must be a list"),
])
def test_mistakes_are_explained(make_listing, areas, expected):
    lines = problems_of(make_listing, areas)
    assert lines and any(expected in line for line in lines), lines
    assert all("Traceback" not in line for line in lines)


def test_every_borough_listed_means_london(make_listing):
    boroughs = schema.vocabulary("borough")
    lines = problems_of(make_listing, boroughs)
    assert any("names every London borough; write areas_served: [london] instead" in line for line in lines)


def test_the_borough_field_suggests_its_slug_too(make_listing):
    entry = with_areas(None, borough="Lewisham")
    path = make_listing(entry=entry, borough="lewisham")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "borough: 'Lewisham' is not a London borough slug, like lewisham or tower-hamlets; did you mean " \
           "lewisham?" in result.output


def test_unknown_keys_are_still_errors(make_listing):
    entry = with_areas(["lewisham"], area_served=["lewisham"])
    result = CliRunner().invoke(cli, ["validate", str(make_listing(entry=entry))])
    assert result.exit_code == 1 and "area_served: is not a field Linkwell knows; did you mean 'areas_served'?" \
        in result.output


# --- the add-your-group form --------------------------------------------------------------------

def test_the_form_answer_becomes_areas_served(directory):  # noqa: F811
    answers = dict(GOOD, areas_served=["Lewisham", "Greenwich"])
    result = run_from_issue(directory, render("add-your-group.yml", answers))
    assert result.exit_code == 0, result.output
    entry = load_entry_file(directory / "lewisham" / "hither-green-chair-yoga.yml").data
    assert entry["areas_served"] == ["lewisham", "greenwich"]


def test_all_of_london_with_boroughs_is_all_of_london(directory):  # noqa: F811
    answers = dict(GOOD, areas_served=["All of London", "Lewisham"])
    assert run_from_issue(directory, render("add-your-group.yml", answers)).exit_code == 0
    assert load_entry_file(directory / "lewisham" / "hither-green-chair-yoga.yml").data["areas_served"] == ["london"]


def test_no_answer_leaves_the_field_out(directory):  # noqa: F811
    assert run_from_issue(directory, render("add-your-group.yml", GOOD)).exit_code == 0
    assert "areas_served" not in load_entry_file(directory / "lewisham" / "hither-green-chair-yoga.yml").data


def test_a_made_up_area_is_refused_by_name(directory):  # noqa: F811
    answers = dict(GOOD, areas_served=["Lewisham", "Kent"])
    result = run_from_issue(directory, render("add-your-group.yml", answers))
    assert result.exit_code == 1
    assert "Which areas do you take people from?" in result.output and "Kent" in result.output


# --- the site -----------------------------------------------------------------------------------

@pytest.mark.parametrize("areas, words", [
    (["lewisham", "greenwich", "southwark"], "Serves Lewisham, Greenwich and Southwark"),
    (["london"], "Serves all of London"),
    (["city-of-london"], "Serves City of London"),
])
def test_listing_page_and_borough_list_say_which_areas(areas, words):
    entry = with_areas(areas)
    renderer = Renderer(SiteInfo())
    page = renderer.entry_page(entry, TODAY).content
    assert f'<p class="lw-serves">{words}</p>' in page
    item = renderer.listing_item(entry, freshness(entry, TODAY), 2)
    assert f'<p class="lw-item__serves">{words}</p>' in item
    served = renderer.json_ld(entry, None)["areaServed"]
    assert [a["name"] for a in served] == [{"london": "London", "lewisham": "Lewisham", "greenwich": "Greenwich",
                                           "southwark": "Southwark", "city-of-london": "City of London"}[a]
                                          for a in areas]


def test_nothing_is_said_when_the_areas_are_not_known():
    entry = with_areas(None)
    renderer = Renderer(SiteInfo())
    assert "Serves" not in renderer.entry_page(entry, TODAY).content
    assert "Serves" not in renderer.listing_item(entry, freshness(entry, TODAY), 2)


def test_the_search_record_carries_the_words():
    index_of = {"bor": {"lewisham": 0}, "cat": {"active": 0}, "cost": {"free": 0}, "del": {"in-person": 0},
                "acc": {"drop-in": 0, "self-referral": 1}, "a11y": {}, "lang": {}, "grp": {}, "day": {}, "time": {},
                "act": {}}
    record = json.loads(entry_facts(with_areas(["london"]), TODAY, index_of, {})[2])
    assert record["v"] == "all of London"
    assert "v" not in json.loads(entry_facts(with_areas(None), TODAY, index_of, {})[2])


# --- the feeds ----------------------------------------------------------------------------------

def test_oruk_service_areas_give_the_areas_gss_codes():
    record = openreferral.service_record(with_areas(["lewisham", "greenwich"]), TODAY)
    assert [(a["name"], a["extent_type"], a["extent"]) for a in record["service_areas"]] == [
        ("Lewisham", "ons-gss-code", "E09000023"), ("Greenwich", "ons-gss-code", "E09000011")]
    london = openreferral.service_record(with_areas(["london"]), TODAY)
    assert [(a["name"], a["extent"]) for a in london["service_areas"]] == [("London", "E12000007")]
    unknown = openreferral.service_record(with_areas(None), TODAY)["service_areas"]
    assert [(a["name"], a["extent"]) for a in unknown] == [("Lewisham", "E09000023")]  # the borough, as before
    for r in (record, london):
        assert problems(response("/services/{id}"), r) == [] and problems(oruk("service"), r) == []
        assert len({a["id"] for a in r["service_areas"]}) == len(r["service_areas"])


def test_oruk_records_stay_under_the_size_target():
    """bench/feeds.py's target is 2,500 bytes a service: all of London or one borough costs what the
    borough alone cost before; each further borough about 115 bytes; five neighbours keep to it."""
    def size(areas):
        return len(openreferral_api.dumps(openreferral.service_record(with_areas(areas), TODAY)))

    before = size(None)
    assert size(["london"]) <= before and size(["lewisham"]) <= before
    five = ["lewisham", "greenwich", "southwark", "lambeth", "bexley"]
    assert size(five) < 2500
    assert size(five) - before <= 4 * 120


def test_json_csv_and_geojson_carry_the_field(tmp_path):
    entries = [with_areas(["lewisham", "greenwich"]), with_areas(None, id="another-walk", name="Another walk",
                                                                  location={"venue": "Hall", "postcode": "SE8 3DX"},
                                                                  contact={"website": "https://example.org/b"})]
    write_feeds(entries, tmp_path, BUILD_TIME)
    document = json.loads((tmp_path / "directory.json").read_bytes())
    by_id = {e["id"]: e for e in document["entries"]}
    assert by_id["deptford-walking-group"]["areas_served"] == ["lewisham", "greenwich"]
    assert "areas_served" not in by_id["another-walk"]
    with open(tmp_path / "directory.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert rows["deptford-walking-group"]["areas_served"] == "lewisham; greenwich"
    assert rows["another-walk"]["areas_served"] == ""
    features = {f["id"]: f["properties"] for f in json.loads((tmp_path / "directory.geojson").read_bytes())["features"]}
    assert features["deptford-walking-group"]["areas_served"] == ["lewisham", "greenwich"]
    assert "areas_served" not in features["another-walk"]


def test_the_feed_schema_checks_the_field(tmp_path):
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    entry = schema.load("entry.schema.json")
    registry = Registry().with_resource(entry["$id"], Resource.from_contents(entry))
    validator = Draft202012Validator(schema.load("feed.schema.json"), registry=registry)
    write_feeds([with_areas(["london"])], tmp_path, BUILD_TIME)
    document = json.loads((tmp_path / "directory.json").read_bytes())
    assert list(validator.iter_errors(document)) == []
    document["entries"][0]["areas_served"] = ["kent"]
    assert list(validator.iter_errors(document))
