"""ORUK feeds shaped as real platforms publish them (Outpost, Porism, LocalGov Drupal, Open Place
Directory), each served by a real HTTP server on 127.0.0.1: London only, honest provenance,
organisational contacts only, a clean ``linkwell validate`` and an idempotent second harvest."""

from __future__ import annotations

import math

from click.testing import CliRunner
from fixtures_harvest import entries, run_harvest, snapshot
from fixtures_harvest.platforms import (
    localgov_service,
    opd_organizations,
    opd_service,
    outpost_body,
    outpost_location,
    outpost_page,
    outpost_service,
    outpost_taxonomies,
    porism_service,
    serve_opd,
    v1_location,
)

from linkwell.cli import cli

TOTTENHAM = "N15 3AA"  # Haringey
WALTHAMSTOW = "E17 0AJ"  # Waltham Forest; E17 lies wholly in that borough


def validate_clean(directory) -> None:
    result = CliRunner().invoke(cli, ["validate", "--strict", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def harvest_twice(tmp_path, sources: list[dict]):
    """Harvest, check the folder validates, harvest again: nothing may change the second time."""
    first = run_harvest(tmp_path, sources)
    assert first.exit_code == 0, first.output
    validate_clean(tmp_path / "directory")
    before = snapshot(tmp_path / "directory")
    second = run_harvest(tmp_path, sources)
    assert second.exit_code == 0, second.output
    assert "No changes" in second.output
    assert snapshot(tmp_path / "directory") == before
    return first


def section(output: str, title: str) -> list[str]:
    """The bullet lines of one report section."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"### {title}")), None)
    if start is None:
        return []
    out = []
    for line in lines[start + 2:]:
        if not line.startswith("- "):
            break
        out.append(line)
    return out


def serve_outpost(httpserver, records: list, size: int, totals: list[int] | None = None) -> str:
    pages = max(1, math.ceil(len(records) / size))
    for page in range(1, pages + 1):
        total = totals[page - 1] if totals else len(records)
        body = outpost_body(outpost_page(records[(page - 1) * size: page * size], page, size, total))
        httpserver.expect_request("/api/v1/services", query_string=f"page={page}&per_page={size}") \
            .respond_with_data(body, content_type="application/json; charset=utf-8")
    return httpserver.url_for("/api/v1")


def outpost_feed() -> list[dict]:
    wycombe = [outpost_service(i, [outpost_location(i, "HP11 2DN", 51.6287, -0.7482, name="Wycombe Leisure Centre",
                                                    address="  Marlow Hill", city="High Wycombe")],
                               name=f"Swimming lessons {i}") for i in range(3)]
    aylesbury = outpost_service(3, [outpost_location(3, "HP20 1UA", 51.8168, -0.8124, masked=True,
                                                     city="Aylesbury")], name="Parent and toddler group")
    woods = outpost_location(4, "", 51.6523, -0.7012, name="Example Woods")
    woods["postal_code"] = None
    forest = outpost_service(4, [woods], name="Forest school")
    college = outpost_service(5, [outpost_location(5, TOTTENHAM, 51.59, -0.07, masked=True,
                                                   name="Example College Tottenham Centre")],
                              name="Adult learning taster sessions",
                              contacts=[{"id": 1, "name": "Jane Example", "title": "Course tutor",
                                         "email": "jane.example@example.org", "phone": "07700 900461"},
                                        {"id": 2, "name": None, "title": "Admissions",
                                         "email": "admissions@example.org", "phone": "020 7946 0501"}])
    walthamstow = outpost_service(6, [outpost_location(6, WALTHAMSTOW, 51.5855, -0.018,
                                                       name="Walthamstow Youth Space")],
                                  name="Youth drop-in Walthamstow", updated_at=None)
    online = outpost_service(7, [], name="Online homework club", regular_schedules=[])
    return [*wycombe, aylesbury, forest, college, walthamstow, online]


def test_outpost_feed_keeps_london_only_whatever_the_default_borough(httpserver, tmp_path):
    records = outpost_feed()
    url = serve_outpost(httpserver, records, size=3, totals=[8, 8, 7])  # the count shrinks mid-harvest
    source = {"id": "fis-outpost", "kind": "oruk", "url": url, "borough": "haringey", "oruk": {"page_size": 3},
              "mapping": {"Youth clubs": ["connected"], "Activities and clubs": []}}
    result = harvest_twice(tmp_path, [source])
    out = result.output
    listings = entries(tmp_path / "directory")
    assert set(listings) == {"adult-learning-taster-sessions", "youth-drop-in-walthamstow", "online-homework-club"}
    assert not list((tmp_path / "directory").glob("*/swimming-lessons-*.yml"))

    dropped = section(out, "Dropped: outside London")
    assert len(dropped) == 5
    assert sum("HP11 2DN is not a London postcode" in line for line in dropped) == 3
    assert any("postcode district HP20 is outside London" in line for line in dropped)
    assert any("coordinates 51.6523, -0.7012 are outside London" in line for line in dropped)

    college = listings["adult-learning-taster-sessions"]
    assert college["borough"] == "haringey"  # masked N15: the rounded point's cell is all Haringey
    assert college["location"] == {"venue": "Example College Tottenham Centre",
                                   "address": "London, N15 (the source does not publish the exact address)"}
    assert college["verified_by"] == "harvest" and college["last_verified"] == "2026-05-14"
    assert college["contact"]["email"] == "admissions@example.org"
    assert college["contact"]["phone"] == "020 7946 0501"
    assert "\r" not in college["description"] and college["description"].startswith("A weekly youth club")
    assert college["audience"] == {"min_age": 11, "max_age": 19}
    assert college["schedule"] == [{"days": ["tu"], "opens": "16:00", "closes": "18:30"}]
    assert college["cost"] == "free"
    assert college["organisation"] == {"name": "Example Youth Trust 5", "website": "https://example.org/youth-trust"}

    walthamstow = listings["youth-drop-in-walthamstow"]
    assert walthamstow["borough"] == "waltham-forest"  # the postcode wins over the source's borough
    assert walthamstow["location"]["postcode"] == WALTHAMSTOW and walthamstow["location"]["address"] == \
        "12 Example Road, London"
    assert walthamstow["verified_by"] == "unverified"  # no updated_at: never verified
    (moved,) = section(out, "Placed by their location, not by the borough given")
    assert "Youth drop-in" not in moved and "the source says haringey, but its location is in waltham-forest" \
        in moved.replace("\\", "")

    online = listings["online-homework-club"]
    assert online["borough"] == "haringey" and "location" not in online
    notes = "\n".join(section(out, "Notes"))
    assert "1 record with no location at all was placed in haringey" in notes
    assert "left out 1 personal contact" in notes
    assert "the number of services changed while the feed was read (8, then 7)" in notes
    assert "default borough" not in "\n".join(dropped)


def test_outpost_masked_district_across_boroughs_or_the_boundary_is_skipped(httpserver, tmp_path):
    split = outpost_service(1, [outpost_location(1, "N15 6AA", 51.58, -0.07, masked=True)], name="Stamford Hill club")
    edge = outpost_service(2, [outpost_location(2, "EN5 1AA", 51.65, -0.2, masked=True)], name="Barnet edge club")
    inside = outpost_service(3, [outpost_location(3, WALTHAMSTOW, 51.59, -0.02, masked=True)], name="Lea Bridge club")
    url = serve_outpost(httpserver, [split, edge, inside], size=10)
    source = {"id": "fis-outpost", "kind": "oruk", "url": url, "oruk": {"page_size": 10},
              "mapping": {"Youth clubs": ["connected"]}}
    result = harvest_twice(tmp_path, [source])
    skipped = "\n".join(section(result.output, "Skipped records"))
    assert "N15 lies in several boroughs (hackney, haringey, islington)" in skipped
    assert "EN5 crosses the London boundary" in skipped
    assert set(entries(tmp_path / "directory")) == {"lea-bridge-club"}
    assert entries(tmp_path / "directory")["lea-bridge-club"]["borough"] == "waltham-forest"


def serve_v1(httpserver, records: list, path: str = "/o/api") -> str:
    page = {"totalElements": len(records), "totalPages": 1, "number": 1, "size": 10, "first": True, "last": True,
            "content": records}
    httpserver.expect_request(f"{path}/services", query_string="page=1&per_page=10").respond_with_json(page)
    return httpserver.url_for(path)


def v1_sources(httpserver, porism: list, localgov: list) -> list[dict]:
    """Sources for a Porism and a LocalGov Drupal ORUK v1 feed, each served with these records."""
    return [{"id": "porism-v1", "kind": "oruk", "url": serve_v1(httpserver, porism, "/porism/api"),
             "oruk": {"page_size": 10}, "mapping": {"Dementia support": ["connected"]}},
            {"id": "localgov-v1", "kind": "oruk", "url": serve_v1(httpserver, localgov, "/localgov/api"),
             "oruk": {"page_size": 10}}]


def test_porism_and_localgov_v1_shapes(httpserver, tmp_path):
    porism = [porism_service(1, v1_location(1, TOTTENHAM)),
              porism_service(2, v1_location(2, "SG1 1AA", name="Stevenage library"), name="Memory cafe Stevenage")]
    localgov = [localgov_service(1, v1_location(3, WALTHAMSTOW, lat=51.5855, lon=-0.018))]
    sources = v1_sources(httpserver, porism, localgov)
    result = harvest_twice(tmp_path, sources)
    listings = entries(tmp_path / "directory")
    assert set(listings) == {"memory-cafe-1", "chair-based-exercise-1"}
    cafe = listings["memory-cafe-1"]
    assert cafe["borough"] == "haringey" and cafe["location"]["postcode"] == TOTTENHAM
    assert cafe["location"]["address"] == "1 Example Lane, London"
    assert cafe["schedule"] == [{"days": ["th"], "opens": "10:30", "closes": "12:00", "frequency": "weekly"}]
    assert cafe["last_verified"] == "2026-04-02" and cafe["verified_by"] == "harvest"
    assert cafe["contact"] == {"website": "https://example.org/porism/1", "email": "cafe@example.org",
                               "phone": "020 7946 0422"}
    assert cafe["cost"] == "free" and cafe["audience"]["groups"] == ["carers", "people-with-dementia"]
    assert cafe["accessibility"] == ["step-free"] and cafe["languages"] == ["en"]
    chair = listings["chair-based-exercise-1"]
    assert chair["borough"] == "waltham-forest" and chair["categories"] == ["active"]
    assert chair["schedule"] == [{"days": ["mo", "we"], "opens": "10:00", "closes": "11:00", "frequency": "weekly"}]
    assert chair["verified_by"] == "unverified"
    assert any("SG1 1AA is not a London postcode" in line for line in section(result.output, "Dropped"))
    assert "Keeping active" not in "\n".join(section(result.output, "Unmapped labels"))


def test_open_place_directory_shape(httpserver, tmp_path):
    full = [opd_service(1, TOTTENHAM), opd_service(2, None, name="Phone befriending",
                                                   attributes=[{"id": "a", "taxonomy_term": {"term": "Befriending"}}])]
    source = {"id": "opd", "kind": "oruk", "url": serve_opd(httpserver, full), "borough": "haringey",
              "oruk": {"page_size": 10}, "mapping": {"Crafts and hobbies": ["creative"]}}
    result = harvest_twice(tmp_path, [source])
    got = entries(tmp_path / "directory")
    knit = got["knit-and-natter-1"]
    assert knit["description"] == "About us Bring your knitting and meet people. Tea provided."
    assert "audience" not in knit  # -1 ages mean "not set"
    assert knit["contact"] == {"email": "knit@example.org", "phone": "020 7946 0533"}  # no placeholder URL
    assert knit["organisation"]["name"] == "Example Makers Collective 1"
    assert knit["verified_by"] == "harvest" and knit["last_verified"] == "2026-06-03"
    assert knit["categories"] == ["creative"] and knit["borough"] == "haringey"
    phone = got["phone-befriending"]
    assert phone["borough"] == "haringey" and phone["categories"] == ["connected"]
    assert "1 record with no location at all was placed in haringey" in result.output


def test_same_place_from_two_platforms_is_one_listing_with_two_sources(httpserver, tmp_path):
    outpost = outpost_service(1, [outpost_location(1, TOTTENHAM, 51.58464, -0.09252, name="Tottenham Green Library")],
                              name="Knit and natter 1")
    url = serve_outpost(httpserver, [outpost], size=10)
    opd = opd_service(1, TOTTENHAM)
    httpserver.expect_request("/opd/services", query_string="page=1&per_page=10").respond_with_json(
        {"total_items": 1, "total_pages": 1, "page_number": 1, "contents": [opd]})
    httpserver.expect_request("/opd/organizations").respond_with_json(opd_organizations([opd]))
    sources = [{"id": "fis-outpost", "kind": "oruk", "url": url, "oruk": {"page_size": 10},
                "mapping": {"Youth clubs": ["connected"]}},
               {"id": "opd", "kind": "oruk", "url": httpserver.url_for("/opd"), "oruk": {"page_size": 10},
                "mapping": {"Crafts and hobbies": ["creative"]}}]
    result = harvest_twice(tmp_path, sources)
    (listing,) = entries(tmp_path / "directory").values()
    assert [s["source_id"] for s in listing["sources"]] == ["fis-outpost", "opd"]
    (line,) = section(result.output, "Listed by more than one source")
    assert "knit-and-natter-1.yml" in line and "also `opd` record `opd-00001`" in line


def test_an_html_page_instead_of_json_refuses_the_source(httpserver, tmp_path):
    httpserver.expect_request("/api/services").respond_with_data(
        "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>",
        content_type="text/html")
    result = run_harvest(tmp_path, [{"id": "council", "kind": "oruk", "url": httpserver.url_for("/api")}])
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if line.startswith("- `council`")]
    assert "/api/services" in line and "not valid JSON" in line
    assert snapshot(tmp_path / "directory") == {}


def test_dry_run_prints_a_ready_to_edit_mapping_block(httpserver, tmp_path):
    records = [outpost_service(i, [outpost_location(i, WALTHAMSTOW, 51.5855, -0.018)]) for i in range(3)]
    records[2]["taxonomies"] = [{"id": 9, "name": "Walking", "slug": "walking", "parent_id": None},
                                {"id": 10, "name": 'Odd "label" `x`', "slug": "odd", "parent_id": None},
                                {"id": 42, "name": "Sports and leisure", "slug": "sports-and-leisure", "parent_id": 7}]
    url = serve_outpost(httpserver, records, size=10)
    httpserver.expect_request("/api/v1/taxonomies").respond_with_json(outpost_taxonomies())  # the nested tree
    source = {"id": "new-outpost", "kind": "oruk", "url": url, "oruk": {"page_size": 10},
              "default_categories": ["connected"], "mapping": {"Activities and clubs": []}}
    result = run_harvest(tmp_path, [source], "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    block = out[out.index("### Mapping for `new-outpost`"):]
    block = block[block.index("```yaml\n") + 8:]
    block = block[:block.index("\n```")]
    assert block.splitlines() == [
        "    mapping:",
        '      "Activities and clubs": []  # 3 records, ignored',  # the third's from /taxonomies
        '      "Youth clubs": []  # 2 records, not mapped yet',
        '      "Odd \\"label\\" \\u0060x\\u0060": []  # 1 record, not mapped yet',
        '      "Sports and leisure": [sport]  # 1 record, mapped',
        '      "Walking": [walking]  # 1 record, mapped']
    import yaml
    assert yaml.safe_load(block)["mapping"]["Odd \"label\" `x`"] == []  # valid YAML, ready to paste
    unmapped = section(out, "Unmapped labels")
    assert len(unmapped) == 2 and "Youth clubs" in unmapped[1]
    assert snapshot(tmp_path / "directory") == {}


def test_readme_platform_examples_are_valid_sources():
    import re
    import textwrap
    from pathlib import Path

    import yaml

    from linkwell.harvest.sources import check_sources

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = text.index("### Platforms known to work")
    section = text[start:text.index("| path | what |", start)]
    blocks = [yaml.safe_load(textwrap.dedent(block))[0] for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    assert {b["kind"] for b in blocks} == {"oruk", "openactive"} and len(blocks) == 4
    assert len(check_sources({"sources": blocks})) == 4
