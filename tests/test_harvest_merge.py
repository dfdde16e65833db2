"""The merge: one entry per organisation across sources, human edits kept, bad candidates skipped,
and nothing written when the run is refused."""

from __future__ import annotations

import json

import yaml
from fixtures_harvest import entries, london_postcodes, oruk_v3, run_harvest, serve_oruk, snapshot, write_sources

from linkwell.listings.store import dump_entry

PCS = london_postcodes(6)


def oruk(url, sid="council-oruk", **extra):
    return {"id": sid, "kind": "oruk", "url": url, "oruk": {"page_size": 10}, **extra}


def test_same_group_from_two_sources_becomes_one_entry(httpserver, tmp_path):
    serve_oruk(httpserver, [oruk_v3(1, PCS[1])], size=10)
    sheet = tmp_path / "groups.csv"
    sheet.write_text("Name,Description,Category,Postcode,Charity number\n"
                     f"Community Walking group 1,Walks.,Walking,{PCS[1]},1100001\n"
                     f"Different group,Something else.,Walking,{PCS[2]},\n", encoding="utf-8")
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api")),
                                    {"id": "cvs-sheet", "kind": "spreadsheet", "path": str(sheet)}])
    assert result.exit_code == 0, result.output
    got = entries(tmp_path / "directory")
    assert set(got) == {"community-walking-group-1", "different-group"}
    merged = got["community-walking-group-1"]
    assert [s["source_id"] for s in merged["sources"]] == ["council-oruk", "cvs-sheet"]
    assert merged["description"] != "Walks."  # the second source only fills gaps
    before = snapshot(tmp_path / "directory")
    again = run_harvest(tmp_path, [oruk(httpserver.url_for("/api")),
                                   {"id": "cvs-sheet", "kind": "spreadsheet", "path": str(sheet)}])
    assert again.exit_code == 0 and snapshot(tmp_path / "directory") == before


def test_matching_by_name_and_postcode_attaches_to_an_existing_manual_listing(httpserver, tmp_path, entry):
    entry.update(name="Community Walking group 1", id="walkers", borough=None)
    serve_oruk(httpserver, [oruk_v3(1, PCS[1])], size=10)
    from linkwell.reference.postcodes import postcodes
    entry["borough"] = postcodes().get(PCS[1]).borough
    entry["location"] = {"venue": "Our hall", "postcode": PCS[1]}
    folder = tmp_path / "directory" / entry["borough"]
    folder.mkdir(parents=True)
    (folder / "walkers.yml").write_text(dump_entry(entry), encoding="utf-8")
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    got = entries(tmp_path / "directory")
    assert list(got) == ["walkers"]
    walkers = got["walkers"]
    assert walkers["description"] == entry["description"]  # a person's text is never replaced
    assert walkers["location"]["venue"] == "Our hall"
    assert walkers["audience"] == {"min_age": 18}  # a gap the source could fill
    assert walkers["verified_by"] == "provider"
    assert "Kept edits made by people" in result.output


def test_human_edit_survives_the_next_harvest_but_untouched_fields_update(httpserver, tmp_path):
    record = oruk_v3(1, PCS[1])
    serve_oruk(httpserver, [record], size=10)
    assert run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))]).exit_code == 0
    (path,) = (tmp_path / "directory").rglob("*.yml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["description"] = "Corrected by the group itself: now meets in the garden."
    path.write_text(dump_entry(data), encoding="utf-8")
    httpserver.clear()
    changed = dict(record, description="Upstream rewrote this.", email="walks@example.org",
                   assured_date="2026-06-01")
    serve_oruk(httpserver, [changed], size=10)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))], as_of="2026-11-21")
    assert result.exit_code == 0, result.output
    after = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert after["description"] == "Corrected by the group itself: now meets in the garden."
    assert after["contact"]["email"] == "walks@example.org"
    assert after["last_verified"] == "2026-06-01"
    assert after["sources"][0]["last_seen"] == "2026-11-21"
    assert "description: `council-oruk` has a different value" in result.output


def test_candidate_failing_validation_is_reported_and_skipped(httpserver, tmp_path):
    # delivery in person (source default) but no address at all: a harvested listing needs a location
    nowhere = oruk_v3(2, PCS[2], service_at_locations=[])
    serve_oruk(httpserver, [oruk_v3(1, PCS[1]), nowhere], size=10)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"), borough="camden",
                                         defaults={"delivery": ["in-person"]})])
    assert result.exit_code == 0, result.output
    assert f"record `{nowhere['id']}`: location: is needed for an in-person listing" in result.output
    assert list(entries(tmp_path / "directory")) == ["community-walking-group-1"]


def test_directory_with_errors_refuses_the_run(httpserver, tmp_path, make_listing):
    bad = make_listing(text="id: broken\nname: [unclosed\n", name="broken")
    serve_oruk(httpserver, [oruk_v3(1, PCS[1])], size=10)
    before = snapshot(make_listing.root)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))])
    assert result.exit_code == 1
    assert "in the listings already there" in result.output and bad.name in result.output
    assert snapshot(make_listing.root) == before


def test_one_failing_source_refuses_all(httpserver, tmp_path):
    serve_oruk(httpserver, [oruk_v3(1, PCS[1])], size=10)
    httpserver.expect_request("/broken/services").respond_with_data("nope", status=404)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api")),
                                    oruk(httpserver.url_for("/broken"), sid="other-oruk")])
    assert result.exit_code == 1
    assert "`other-oruk`:" in result.output and "HTTP 404" in result.output
    assert snapshot(tmp_path / "directory") == {}
    only = run_harvest(tmp_path, [oruk(httpserver.url_for("/api")),
                                  oruk(httpserver.url_for("/broken"), sid="other-oruk")], "--source", "council-oruk")
    assert only.exit_code == 0 and len(entries(tmp_path / "directory")) == 1


def test_ids_are_unique_and_stable(httpserver, tmp_path):
    twins = [oruk_v3(1, PCS[1]), oruk_v3(5, PCS[3], name="Community Walking group 1")]
    serve_oruk(httpserver, twins, size=10)
    assert run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))]).exit_code == 0
    ids = sorted(entries(tmp_path / "directory"))
    assert len(ids) == 2 and ids[0] == "community-walking-group-1"
    assert ids[1].startswith("community-walking-group-1-")
    assert run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))]).exit_code == 0
    assert sorted(entries(tmp_path / "directory")) == ids


def test_bad_sources_file_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from linkwell.cli import cli

    path = write_sources(tmp_path / "s.yml", [{"id": "Bad Id", "kind": "ftp", "url": "http://x"}])
    result = CliRunner().invoke(cli, ["harvest", "--sources", str(path), "--directory", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "sources[0].id" in result.output and "sources[0].kind" in result.output


def test_shipped_sources_file_is_valid_and_switched_off():
    from linkwell.harvest.sources import load_sources
    from tests.conftest import CHECKOUT as PROJECT_DIR

    sources = load_sources(PROJECT_DIR / "harvesters" / "sources.yml")
    assert {s.kind for s in sources} == {"oruk", "openactive", "spreadsheet"}
    assert not any(s.enabled for s in sources)


def test_online_geocoder_for_addresses_without_postcode(httpserver, tmp_path):
    nominatim = [{"lat": "51.5416", "lon": "-0.1426", "display_name": "Camden",
                  "address": {"postcode": PCS[4]}, "place_id": 1, "osm_type": "node", "osm_id": 1}]
    httpserver.expect_request("/search").respond_with_data(json.dumps(nominatim), content_type="application/json")
    record = oruk_v3(1, "")
    serve_oruk(httpserver, [record], size=10)
    geocoder = {"online": True, "domain": f"127.0.0.1:{httpserver.port}", "scheme": "http",
                "min_delay_seconds": 0}
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"), geocoder=geocoder)])
    assert result.exit_code == 0, result.output
    (listing,) = entries(tmp_path / "directory").values()
    assert listing["location"]["postcode"] == PCS[4]
    assert (tmp_path / "state" / "council-oruk" / "geocode-cache.json").exists()


def test_online_geocoder_offline_is_skipped_cleanly(httpserver, tmp_path):
    serve_oruk(httpserver, [oruk_v3(1, "")], size=10)
    geocoder = {"online": True, "domain": "127.0.0.1:9", "scheme": "http", "min_delay_seconds": 0, "timeout": 1}
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"), geocoder=geocoder, borough="islington")])
    assert result.exit_code == 0, result.output
    assert "online geocoder is unavailable" in result.output
    # an address that could not be placed is not put in the default borough: it may not be in London
    assert "no postcode or coordinates" in result.output
    assert entries(tmp_path / "directory") == {}
