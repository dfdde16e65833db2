"""The areas a service takes people from, harvested as platforms publish them, each feed served by a
real HTTP server on 127.0.0.1: ORUK 3.0 ``service_areas`` (Open Place Directory's shape: ``name``,
``extent`` with ``extent_type: ons-gss-code``, ``uri``), ORUK v1 ``service_areas[].service_area``
(Porism, LocalGov Drupal) and a CVS spreadsheet's "Areas covered" column. London areas fill
``areas_served``; areas outside London and text not understood are left out and reported; a second
harvest changes nothing; a person's edit of the field is kept."""

from __future__ import annotations

import json

import yaml
from fixtures_harvest import entries, run_harvest
from fixtures_harvest.platforms import (
    localgov_service,
    opd_list_item,
    opd_organizations,
    opd_service,
    porism_service,
    v1_location,
)
from test_harvest_platforms import harvest_twice, section, serve_v1

from linkwell.listings.areas import read_area, read_areas

TOTTENHAM = "N15 3AA"  # Haringey
WALTHAMSTOW = "E17 0AJ"  # Waltham Forest
AREAS_LEFT_OUT = "Areas served left out"
GSS_URI = "http://statistics.data.gov.uk/id/statistical-geography/"


def gss_area(n: int, name: str, code: str | None, **more) -> dict:
    """One ORUK 3.0 ``service_areas`` item as Open Place Directory publishes it."""
    item = {"id": f"opd-sa-{n}", "name": name, "description": "", "extent": code,
            "extent_type": "ons-gss-code" if code else None, "uri": f"{GSS_URI}{code}" if code else ""}
    item.update(more)
    return item


def serve_opd(httpserver, full: list[dict]) -> str:
    listing = {"total_items": len(full), "total_pages": 1, "page_number": 1, "size": 10, "first_page": True,
               "last_page": True, "empty": False, "contents": [opd_list_item(r) for r in full]}
    httpserver.expect_request("/opd/services", query_string="page=1&per_page=10").respond_with_json(listing)
    for record in full:
        httpserver.expect_request(f"/opd/services/{record['id']}").respond_with_json(record)
    httpserver.expect_request("/opd/organizations").respond_with_data(json.dumps(opd_organizations(full)),
                                                                     content_type="application/json")
    return httpserver.url_for("/opd")


def opd_feed() -> list[dict]:
    polygon = json.dumps({"type": "Polygon", "coordinates": [[[-0.1, 51.5], [-0.1, 51.6], [0.0, 51.6],
                                                              [-0.1, 51.5]]]})
    return [
        opd_service(1, TOTTENHAM, service_areas=[gss_area(1, "London Borough of Haringey", "E09000014"),
                                                 gss_area(2, "Enfield", "E09000010")]),
        opd_service(2, None, name="Phone befriending", service_areas=[gss_area(3, "Greater London", None)]),
        opd_service(3, TOTTENHAM, name="Walking netball", service_areas=[
            gss_area(4, "Hertfordshire", "E10000015"), gss_area(5, "Haringey", None)]),
        opd_service(4, TOTTENHAM, name="Sewing circle", service_areas=[gss_area(
            6, "Available to all residents of the MyCity area", polygon, extent_type="geojson")]),
        opd_service(5, TOTTENHAM, name="Craft cafe"),  # no service_areas at all
    ]


def test_oruk_3_service_areas_from_names_gss_codes_and_uris(httpserver, tmp_path):
    source = {"id": "opd", "kind": "oruk", "url": serve_opd(httpserver, opd_feed()), "borough": "haringey",
              "oruk": {"page_size": 10}, "mapping": {"Crafts and hobbies": ["creative"]}}
    result = harvest_twice(tmp_path, [source])
    listings = entries(tmp_path / "directory")
    assert listings["knit-and-natter-1"]["areas_served"] == ["haringey", "enfield"]
    assert listings["phone-befriending"]["areas_served"] == ["london"]
    assert listings["walking-netball"]["areas_served"] == ["haringey"]
    assert "areas_served" not in listings["sewing-circle"]  # a polygon and a sentence: never guessed
    assert "areas_served" not in listings["craft-cafe"]
    left_out = section(result.output, AREAS_LEFT_OUT)
    assert left_out == ['- `opd`: "Available to all residents of the MyCity area" (1 record)',
                        '- `opd`: "Hertfordshire" (1 record)']
    # the YAML keeps the field beside the borough, in the schema's order
    text = (tmp_path / "directory" / "haringey" / "knit-and-natter-1.yml").read_text(encoding="utf-8")
    assert "borough: haringey\nareas_served:\n- haringey\n- enfield\n" in text


def test_oruk_v1_service_area_names_from_porism_and_localgov(httpserver, tmp_path):
    porism = [porism_service(1, v1_location(1, TOTTENHAM)),  # "Haringey", as the fixture's feed says
              porism_service(2, v1_location(2, TOTTENHAM, name="Wood Green Library"), name="Memory cafe Wood Green",
                             service_areas=[{"id": "sa-2", "service_area": "London-wide", "extent": None, "uri": ""}]),
              porism_service(3, v1_location(3, TOTTENHAM, name="Marcus Garvey Library"), name="Carers cafe",
                             service_areas=[{"id": "sa-3", "service_area": "Kent", "extent": None, "uri": ""},
                                            {"id": "sa-4", "service_area": "", "extent": None,
                                             "uri": f"{GSS_URI}E09000012"}])]
    localgov = [localgov_service(1, v1_location(4, WALTHAMSTOW, lat=51.5855, lon=-0.018),
                                 service_areas=[{"id": "9", "service_area": "London Borough of Waltham Forest"},
                                                {"id": "10", "service_area": "Redbridge"},
                                                {"id": "11", "service_area": "LB Waltham Forest"}])]
    sources = [{"id": "porism-v1", "kind": "oruk", "url": serve_v1(httpserver, porism, "/porism/api"),
                "oruk": {"page_size": 10}, "mapping": {"Dementia support": ["connected"]}},
               {"id": "localgov-v1", "kind": "oruk", "url": serve_v1(httpserver, localgov, "/localgov/api"),
                "oruk": {"page_size": 10}}]
    result = harvest_twice(tmp_path, sources)
    listings = entries(tmp_path / "directory")
    assert listings["memory-cafe-1"]["areas_served"] == ["haringey"]
    assert listings["memory-cafe-wood-green"]["areas_served"] == ["london"]
    assert listings["carers-cafe"]["areas_served"] == ["hackney"]  # the GSS code in its uri
    assert listings["chair-based-exercise-1"]["areas_served"] == ["waltham-forest", "redbridge"]
    assert section(result.output, AREAS_LEFT_OUT) == ['- `porism-v1`: "Kent" (1 record)']


def test_spreadsheet_areas_covered_column(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    sheet = ("Name,Description,Category,Postcode,Areas covered\n"
             "Book club,Read and talk.,Reading,SE8 4RJ,\"Lewisham, Greenwich and Southwark\"\n"
             "Men's shed,Make and mend.,Crafts,SE8 4RJ,London-wide\n"
             "Seed swap,Swap seeds.,Gardening,SE8 4RJ,Lewisham; Kent; Bexley & Bromley\n"
             "Choir,Sing together.,Music,SE8 4RJ,E09000023\n"
             "Chess club,Play chess.,Social group,SE8 4RJ,\n"
             "Table tennis,Play table tennis.,Sport,SE8 4RJ,Kensington and Chelsea\n")
    httpserver.expect_request("/cvs/groups.csv").respond_with_data(sheet, content_type="text/csv")
    source = {"id": "cvs", "kind": "spreadsheet", "borough": "lewisham", "url": httpserver.url_for("/cvs/groups.csv")}
    result = harvest_twice(tmp_path, [source])
    got = entries(tmp_path / "directory")
    assert got["book-club"]["areas_served"] == ["lewisham", "greenwich", "southwark"]
    assert got["mens-shed"]["areas_served"] == ["london"]
    assert got["seed-swap"]["areas_served"] == ["lewisham", "bexley", "bromley"]
    assert got["choir"]["areas_served"] == ["lewisham"]
    assert "areas_served" not in got["chess-club"]
    assert got["table-tennis"]["areas_served"] == ["kensington-and-chelsea"]  # one borough, not two
    assert section(result.output, AREAS_LEFT_OUT) == ['- `cvs`: "Kent" (1 record)']
    assert "Areas covered" not in "\n".join(section(result.output, "Notes"))  # a known column


def test_upstream_changes_update_the_areas_and_a_persons_edit_is_kept(httpserver, tmp_path):
    record = porism_service(1, v1_location(1, TOTTENHAM))
    other = porism_service(2, v1_location(2, TOTTENHAM, name="Wood Green Library"), name="Memory cafe Wood Green")
    source = {"id": "porism-v1", "kind": "oruk", "url": serve_v1(httpserver, [record, other], "/p/api"),
              "oruk": {"page_size": 10}, "mapping": {"Dementia support": ["connected"]}}
    assert run_harvest(tmp_path, [source]).exit_code == 0
    edited = tmp_path / "directory" / "haringey" / "memory-cafe-wood-green.yml"
    data = yaml.safe_load(edited.read_text(encoding="utf-8"))
    data["areas_served"] = ["haringey", "islington"]  # a reviewer who knows better
    edited.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    httpserver.clear()
    for r in (record, other):
        r["service_areas"] = [{"id": "sa", "service_area": "Haringey"}, {"id": "sb", "service_area": "Enfield"}]
    source["url"] = serve_v1(httpserver, [record, other], "/p/api")
    result = run_harvest(tmp_path, [source])
    assert result.exit_code == 0, result.output
    got = entries(tmp_path / "directory")
    assert got["memory-cafe-1"]["areas_served"] == ["haringey", "enfield"]
    assert got["memory-cafe-wood-green"]["areas_served"] == ["haringey", "islington"]
    assert any("memory-cafe-1" in line and "areas_served" in line for line in section(result.output, "Updated"))
    assert any("areas_served" in line for line in section(result.output, "Kept edits made by people"))


def test_area_words_as_sources_write_them():
    assert [read_area(t) for t in ("Lewisham", "London Borough of Lewisham", "E09000023", "Royal Borough of "
                                   "Greenwich", "City of Westminster", "Kingston", "Hammersmith & Fulham")] == [
        "lewisham", "lewisham", "lewisham", "greenwich", "westminster", "kingston-upon-thames",
        "hammersmith-and-fulham"]
    for london in ("London", "Greater London", "London-wide", "Pan-London", "All London boroughs", "E12000007"):
        assert read_area(london) == "london", london
    for not_ours in ("Kent", "E10000016", "England", "Lewisham High Street", "", None, 7):
        assert read_area(not_ours) is None, not_ours
    assert read_areas(["Camden & Islington", "Barking and Dagenham", "camden"]) == (
        ["camden", "islington", "barking-and-dagenham"], [])
    assert read_areas("Lewisham, Greater London") == (["london"], [])
    from linkwell.reference.boroughs import BOROUGHS
    assert read_areas([b.name for b in BOROUGHS.values()]) == (["london"], [])
    assert read_areas("Lewisham and Kent") == ([], ["Lewisham and Kent"])  # not every part is ours: not split
