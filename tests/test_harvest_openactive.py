"""OpenActive RPDE harvesting against a real HTTP server: paging, deletions, newer-wins, resume."""

from __future__ import annotations

from fixtures_harvest import entries, london_postcodes, run_harvest, series, snapshot

PCS = london_postcodes(6)


def item(i, modified, data=None, state="updated", kind="SessionSeries"):
    out = {"state": state, "kind": kind, "id": str(i), "modified": modified}
    if data is not None:
        out["data"] = data
    return out


def serve_feed(httpserver, pages: list[list], start: int = 0):
    """Pages at /feed?afterChange=N; the last page is empty and its next is itself."""
    urls = []
    for n, items in enumerate(pages + [[]]):
        after = start + n
        url_next = f"/feed?afterChange={after + 1}" if n < len(pages) else f"/feed?afterChange={after}"
        httpserver.expect_request("/feed", query_string=f"afterChange={after}").respond_with_json(
            {"next": url_next, "items": items, "license": "https://creativecommons.org/licenses/by/4.0/"})
        urls.append(url_next)
    return httpserver.url_for("/feed") + f"?afterChange={start}"


def src(url):
    return {"id": "leisure-openactive", "kind": "openactive", "url": url,
            "defaults": {"access": ["booking"]}}


def test_rpde_paging_types_and_mapping(httpserver, tmp_path):
    facility = {"type": "FacilityUse", "id": "https://example.org/facility/1", "name": "Community swimming pool",
                "description": "Public swimming sessions.", "provider": {"type": "Organization",
                                                                        "name": "Example Leisure Trust"},
                "facilityType": [{"prefLabel": "Swimming Pool"}],
                "location": {"type": "Place", "name": "Pool", "address": {"postalCode": PCS[3]}},
                "hoursAvailable": [{"type": "OpeningHoursSpecification",
                                    "dayOfWeek": ["https://schema.org/Saturday", "https://schema.org/Sunday"],
                                    "opens": "07:00", "closes": "20:00"}]}
    session = {"@type": "ScheduledSession", "@id": "https://example.org/session/9",
               "startDate": "2026-07-01T17:30:00Z", "endDate": "2026-07-01T18:30:00Z",
               "superEvent": series(2, PCS[2], name="Walking netball")}
    pages = [[item(1, 100, series(1, PCS[1])), item(2, 101, facility, kind="FacilityUse")],
             [item(3, 102, session, kind="ScheduledSession")]]
    url = serve_feed(httpserver, pages)
    result = run_harvest(tmp_path, [src(url)])
    assert result.exit_code == 0, result.output
    got = entries(tmp_path / "directory")
    yoga = got["chair-yoga-1"]
    assert yoga["schedule"] == [{"days": ["mo"], "opens": "10:00", "closes": "11:00", "frequency": "weekly"}]
    assert yoga["description"] == "Gentle seated yoga for older adults. All welcome."
    assert yoga["activities"] == ["yoga"] and yoga["cost"] == "low-cost"
    assert yoga["audience"] == {"min_age": 60, "groups": ["older-people"]}
    pool = got["community-swimming-pool"]
    assert pool["schedule"] == [{"days": ["sa", "su"], "opens": "07:00", "closes": "20:00", "frequency": "weekly"}]
    assert pool["categories"] == ["active"] and pool["activities"] == ["swimming"]
    netball = got["walking-netball"]  # 17:30 UTC in July is 18:30 in London
    assert netball["schedule"] == [{"days": ["mo"], "opens": "10:00", "closes": "11:00", "frequency": "weekly"},
                                   {"days": ["we"], "opens": "18:30", "closes": "19:30", "frequency": "weekly"}]
    assert netball["sources"][0]["record_id"] == "https://example.org/session-series/2"


def test_only_newer_modified_wins_and_deleted_is_marked_not_seen(httpserver, tmp_path):
    old = series(1, PCS[1], name="Old name")
    new = series(1, PCS[1], name="New name")
    pages = [[item(1, 200, new), item(2, 50, series(2, PCS[2])), item(3, 51, series(3, PCS[3])),
              item(4, 52, series(4, PCS[4])), item(5, 53, series(5, PCS[5])),
              item(6, 54, series(6, PCS[0])), item(7, 55, series(7, PCS[1])), item(8, 56, series(8, PCS[2]))],
             [item(1, 100, old)]]  # an older version of 1, replayed later in the feed
    url = serve_feed(httpserver, pages)
    assert run_harvest(tmp_path, [src(url)]).exit_code == 0
    got = entries(tmp_path / "directory")
    assert "new-name" in got and "old-name" not in got
    # next run resumes from the saved last page; item 2 gets deleted there
    httpserver.clear()
    serve_feed(httpserver, [[item(2, 300, state="deleted")]], start=2)
    result = run_harvest(tmp_path, [src(url)], as_of="2026-11-21")
    assert result.exit_code == 0, result.output
    assert "Not seen upstream" in result.output
    got = entries(tmp_path / "directory")
    assert got["chair-yoga-2"]["sources"][0]["not_seen_since"] == "2026-11-21"
    assert "not_seen_since" not in got["chair-yoga-3"]["sources"][0]  # incremental: absent is not gone


def test_resumed_feed_with_no_changes_is_fine_and_writes_nothing(httpserver, tmp_path):
    url = serve_feed(httpserver, [[item(1, 1, series(1, PCS[1]))]])
    assert run_harvest(tmp_path, [src(url)]).exit_code == 0
    before = snapshot(tmp_path / "directory")
    result = run_harvest(tmp_path, [src(url)])
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path / "directory") == before


def test_empty_feed_on_first_run_is_refused(httpserver, tmp_path):
    url = serve_feed(httpserver, [])
    result = run_harvest(tmp_path, [src(url)])
    assert result.exit_code == 1 and "returned no records at all" in result.output


def test_feed_deleting_many_records_is_refused(httpserver, tmp_path):
    url = serve_feed(httpserver, [[item(i, i, series(i, PCS[i % 6])) for i in range(1, 5)]])
    assert run_harvest(tmp_path, [src(url)]).exit_code == 0
    before = snapshot(tmp_path / "directory")
    httpserver.clear()
    serve_feed(httpserver, [[item(1, 90, state="deleted"), item(2, 91, state="deleted")]], start=1)
    result = run_harvest(tmp_path, [src(url)])
    assert result.exit_code == 1 and "would drop 2 of the 4 records" in result.output
    assert snapshot(tmp_path / "directory") == before


def test_not_an_rpde_page_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/feed").respond_with_json({"data": []})
    result = run_harvest(tmp_path, [src(httpserver.url_for("/feed"))])
    assert result.exit_code == 1 and "not an RPDE page" in result.output
