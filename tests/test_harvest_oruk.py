"""ORUK harvesting against a real HTTP server on 127.0.0.1: both envelopes, detail fetches, faults."""

from __future__ import annotations

import json
import time

import pytest
from fixtures_harvest import (
    SHARED_EXAMPLES,
    entries,
    london_postcodes,
    oruk_v1,
    oruk_v3,
    run_harvest,
    serve_oruk,
    snapshot,
    v1_page,
)
from werkzeug import Response

from linkwell.harvest.oruk import draft_from_record

PCS = london_postcodes(12)


def source(url, **extra):
    return {"id": "council-oruk", "kind": "oruk", "url": url, "oruk": {"page_size": 3}, **extra}


def test_v3_feed_creates_valid_listings_and_second_run_changes_nothing(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(7)]
    url = serve_oruk(httpserver, records)
    first = run_harvest(tmp_path, [source(url)])
    assert first.exit_code == 0, first.output
    assert "| `council-oruk` | oruk | 7 | 7 | 0 |" in first.output
    listings = entries(tmp_path / "directory")
    assert len(listings) == 7
    one = listings["community-walking-group-1"]
    assert one["description"] == ("A friendly weekly walking session for local residents. Drop in, no need to book.")
    assert one["organisation"]["charity_number"] == "1100001"
    assert one["schedule"] == [{"days": ["tu", "th"], "opens": "10:00", "closes": "12:00", "frequency": "weekly"}]
    assert one["categories"] == ["active"] and one["activities"] == ["walking"]
    assert one["cost"] == "free" and one["access"] == ["drop-in"]
    assert one["verified_by"] == "harvest" and one["last_verified"] == "2026-03-01"
    assert one["location"]["postcode"] == PCS[1] and "lat" in one["location"]
    assert one["sources"][0]["record_id"] == records[1]["id"]
    before = snapshot(tmp_path / "directory")
    second = run_harvest(tmp_path, [source(url)])
    assert second.exit_code == 0
    assert "No changes" in second.output
    assert snapshot(tmp_path / "directory") == before  # byte for byte: no diff the second time


def test_v1_envelope_and_records(httpserver, tmp_path):
    records = [oruk_v1(i, PCS[i]) for i in range(4)]
    url = serve_oruk(httpserver, records, envelope=v1_page, size=3)
    result = run_harvest(tmp_path, [source(url)])
    assert result.exit_code == 0, result.output
    listing = entries(tmp_path / "directory")["neighbourhood-walking-club-1"]
    assert listing["description"] == "Meet neighbours at our walking club & make friends."
    assert listing["schedule"] == [{"days": ["we"], "opens": "14:00", "closes": "16:00", "frequency": "fortnightly"}]
    assert listing["audience"] == {"min_age": 60, "groups": ["older-people"]}
    assert listing["cost"] == "low-cost"
    assert "phone" not in listing.get("contact", {})  # a named person's mobile is never harvested


def test_partial_list_records_fetch_the_full_service(httpserver, tmp_path):
    full = [oruk_v3(i, PCS[i]) for i in range(2)]
    partial = [{k: r[k] for k in ("id", "name", "description", "organization")} for r in full]
    total = len(partial)
    httpserver.expect_request("/api/services").respond_with_json(
        {"total_items": total, "total_pages": 1, "page_number": 1, "size": 3, "contents": partial})
    for record in full:
        httpserver.expect_request(f"/api/services/{record['id']}").respond_with_json(record)
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    listing = entries(tmp_path / "directory")["community-arts-and-crafts-group-0"]
    assert listing["location"]["postcode"] == PCS[0]  # only the detail record has the location


def test_reference_example_record_maps(tmp_path):
    path = SHARED_EXAMPLES / "service_full.json"
    if not path.exists():
        pytest.skip("../shared/reference/oruk-3.0-examples is not available")
    record = json.loads(path.read_text(encoding="utf-8"))
    draft = draft_from_record(record)
    assert draft.name == "Community Counselling"
    assert draft.organisation["company_number"] == "1234567"
    assert draft.schedule[0]["days"] == ["th", "fr"] and draft.schedule[0]["opens"] == "10:00"
    assert "hearing-loop" in draft.accessibility and "wheelchair-accessible" in draft.accessibility
    assert draft.cost == "paid" and draft.verified_on == "2005-01-01"


def test_server_error_then_success_is_retried(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(2)]
    calls = []

    def flaky(request):
        calls.append(1)
        if len(calls) == 1:
            return Response("oops", status=500)
        return Response(json.dumps({"total_items": 2, "total_pages": 1, "page_number": 1, "contents": records}),
                        content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(flaky)
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    assert len(calls) == 2 and len(entries(tmp_path / "directory")) == 2


def test_429_with_retry_after_is_honoured(httpserver, tmp_path):
    records = [oruk_v3(0, PCS[0])]
    calls = []

    def limited(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(json.dumps({"total_items": 1, "total_pages": 1, "page_number": 1, "contents": records}),
                        content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(limited)
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    assert len(calls) == 2
    assert calls[1] - calls[0] >= 0.9  # it waited as asked (a behaviour check, not a speed target)


def test_persistent_errors_refuse_and_write_nothing(httpserver, tmp_path, make_listing):
    make_listing(borough="lewisham")
    tmp_path_dir = make_listing.root
    before = snapshot(tmp_path_dir)
    httpserver.expect_request("/api/services").respond_with_data("down", status=503)
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 1
    assert "Refused: nothing was written" in result.output and "HTTP 503 server error" in result.output
    assert "Traceback" not in result.output
    assert snapshot(tmp_path_dir) == before


def test_timeout_is_reported(httpserver, tmp_path):
    def slow(request):
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(slow)
    src = source(httpserver.url_for("/api"), http={"timeout": 0.3, "retries": 0, "pace_seconds": 0})
    result = run_harvest(tmp_path, [src])
    assert result.exit_code == 1
    assert "timeout" in result.output
    assert snapshot(tmp_path / "directory") == {}


def test_redirect_to_moved_endpoint_is_followed(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(2)]
    serve_oruk(httpserver, records, prefix="/v3")
    httpserver.expect_request("/old/services").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/v3/services") + "?page=1&per_page=3"}))
    result = run_harvest(tmp_path, [source(httpserver.url_for("/old"))])
    assert result.exit_code == 0, result.output
    assert len(entries(tmp_path / "directory")) == 2


@pytest.mark.parametrize("body, message", [
    (b'{"total_items": 1, "contents": [{"id": "1", "name": ', "not valid JSON"),
    (b"<html><body>Service unavailable</body></html>", "not valid JSON"),
    (b'{"items": []}', "not an ORUK page"),
    (b"", "response was empty"),
])
def test_malformed_or_truncated_page_is_refused(httpserver, tmp_path, body, message):
    httpserver.expect_request("/api/services").respond_with_data(body, content_type="application/json")
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert snapshot(tmp_path / "directory") == {}


def test_truncated_second_page_refuses_whole_source(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(5)]
    httpserver.expect_request("/api/services", query_string="page=1&per_page=3").respond_with_json(
        {"total_items": 5, "total_pages": 2, "page_number": 1, "contents": records[:3]})
    text = json.dumps({"total_items": 5, "total_pages": 2, "page_number": 2, "contents": records[3:]})
    httpserver.expect_request("/api/services", query_string="page=2&per_page=3").respond_with_data(
        text[: len(text) // 2], content_type="application/json")
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 1
    assert "truncated" in result.output or "not valid JSON" in result.output
    assert snapshot(tmp_path / "directory") == {}


def test_empty_feed_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/api/services").respond_with_json(
        {"total_items": 0, "total_pages": 0, "page_number": 1, "contents": []})
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 1
    assert "returned no records at all" in result.output


def test_feed_suddenly_listing_half_the_records_is_refused(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(10)]
    serve_oruk(httpserver, records, size=20)
    assert run_harvest(tmp_path, [source(httpserver.url_for("/api"), oruk={"page_size": 20})]).exit_code == 0
    before = snapshot(tmp_path / "directory")
    httpserver.clear()
    serve_oruk(httpserver, records[:5], size=20)
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"), oruk={"page_size": 20})])
    assert result.exit_code == 1
    assert "would drop 5 of the 10 records" in result.output
    assert snapshot(tmp_path / "directory") == before


def test_one_record_gone_is_marked_not_seen_never_deleted(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(10)]
    serve_oruk(httpserver, records, size=20)
    run_harvest(tmp_path, [source(httpserver.url_for("/api"), oruk={"page_size": 20})])
    httpserver.clear()
    serve_oruk(httpserver, records[1:], size=20)
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"), oruk={"page_size": 20})],
                         as_of="2026-11-27")
    assert result.exit_code == 0, result.output
    assert "Not seen upstream" in result.output
    gone = entries(tmp_path / "directory")["community-arts-and-crafts-group-0"]
    assert gone["sources"][0]["not_seen_since"] == "2026-11-27"
    assert len(entries(tmp_path / "directory")) == 10


def test_html_and_script_in_descriptions_become_plain_text(httpserver, tmp_path):
    record = oruk_v3(0, PCS[0], description='<div><script>alert("x")</script><style>p{}</style>'
                                            '<p>Tea &amp; chat <a href="javascript:bad()">here</a></p>'
                                            '<img src=x onerror=alert(1)>&lt;b&gt;bold</div>')
    serve_oruk(httpserver, [record])
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    (listing,) = entries(tmp_path / "directory").values()
    assert listing["description"] == "Tea & chat here < b>bold"
    assert "alert" not in listing["description"] and "<b" not in listing["description"]


def test_outside_london_is_dropped_and_only_records_without_a_location_use_the_default_borough(httpserver, tmp_path):
    outside = oruk_v3(0, "M1 1AE")  # Manchester
    online = oruk_v3(1, "", service_at_locations=[], attending_type="Online")  # no location at all
    inside = oruk_v3(2, PCS[2])
    no_postcode = oruk_v3(3, "")  # an address without a postcode: a location, but not a placeable one
    serve_oruk(httpserver, [outside, online, inside, no_postcode])
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"), borough="hackney")])
    assert result.exit_code == 0, result.output
    assert "Dropped: outside London" in result.output and "M1 1AE is not a London postcode" in result.output
    listings = entries(tmp_path / "directory")
    assert set(listings) == {"community-walking-group-1", "community-befriending-group-2"}
    assert listings["community-walking-group-1"]["borough"] == "hackney"
    assert listings["community-walking-group-1"]["delivery"] == ["online"]
    assert (tmp_path / "directory" / "hackney" / "community-walking-group-1.yml").exists()
    assert "1 record with no location at all was placed in hackney" in result.output
    skipped = [line for line in result.output.splitlines() if f"record {no_postcode['id']}" in line]
    assert skipped and "no postcode or coordinates" in skipped[0] and "default borough" not in skipped[0]


def test_no_location_without_default_borough_is_skipped(httpserver, tmp_path):
    serve_oruk(httpserver, [oruk_v3(0, "", service_at_locations=[]), oruk_v3(1, PCS[1])])
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 0
    assert "borough: has no location at all" in result.output
    assert len(entries(tmp_path / "directory")) == 1


def test_dry_run_prints_diff_and_writes_nothing(httpserver, tmp_path):
    serve_oruk(httpserver, [oruk_v3(0, PCS[0])])
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))], "--dry-run")
    assert result.exit_code == 0
    assert "```diff" in result.output and "+name: Community Arts and crafts group 0" in result.output
    assert snapshot(tmp_path / "directory") == {}
    assert not (tmp_path / "state" / "council-oruk" / "state.json").exists()


def test_not_modified_uses_the_stored_copy(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(2)]
    body = json.dumps({"total_items": 2, "total_pages": 1, "page_number": 1, "contents": records})
    seen_headers = []

    def conditional(request):
        seen_headers.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(body, content_type="application/json", headers={"ETag": '"v1"'})

    httpserver.expect_request("/api/services").respond_with_handler(conditional)
    assert run_harvest(tmp_path, [source(httpserver.url_for("/api"))]).exit_code == 0
    before = snapshot(tmp_path / "directory")
    result = run_harvest(tmp_path, [source(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    assert seen_headers == [None, '"v1"']
    assert "unchanged (HTTP 304)" in result.output and "Not seen" not in result.output
    assert snapshot(tmp_path / "directory") == before
