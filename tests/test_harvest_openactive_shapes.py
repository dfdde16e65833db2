"""OpenActive feeds as operators publish them, served over real HTTP on 127.0.0.1: parents in another
feed, combined kinds, ``type``/``@type``, ``modified`` as seconds, milliseconds or ISO text, ``beta:``
properties, courses, on-demand events, facilities and their slots, items without a name, pre-1.0 pages."""

from __future__ import annotations

from fixtures_harvest import entries, run_harvest
from fixtures_harvest.platforms import oa_item, oa_series, oa_session, rpde_page
from test_harvest_platforms import harvest_twice, section

ISLINGTON = "N7 7AJ"
HACKNEY = "E8 1EJ"


def serve_rpde(httpserver, path: str, pages: list[list], *, pre_1_0: bool = False) -> str:
    """Pages at path?afterChange=N; the last one is empty and points at itself (or has no next)."""
    for n, items in enumerate([*pages, []]):
        last = n == len(pages)
        next_url = None if (last and pre_1_0) else f"{path}?afterChange={n if last else n + 1}"
        httpserver.expect_request(path, query_string=f"afterChange={n}").respond_with_json(
            rpde_page(items, next_url, licence=not pre_1_0))
    return httpserver.url_for(path) + "?afterChange=0"


def dataset(httpserver) -> tuple[str, str]:
    series = oa_series(1, ISLINGTON, eventSchedule=[{
        "type": "PartialSchedule", "byDay": ["schema:Tuesday"], "startTime": "18:00", "endTime": "19:00",
        "repeatFrequency": "P1W", "exceptDate": ["2026-12-22T18:00:00Z", "2026-12-29T18:00:00Z"]}])
    combined = oa_series(2, HACKNEY, name="Netball for beginners", activity=[{"prefLabel": "Netball"}],
                         subEvent=[oa_session(20, None, "2026-06-03T09:00:00Z", "2026-06-03T10:00:00Z")])
    del combined["offers"]
    slough = oa_series(3, "SL1 1AA", name="Slough park run")
    nameless = oa_series(4, ISLINGTON)
    del nameless["name"]
    course = {"type": "Course", "id": "https://example.org/api/courses/1", "name": "Learn to swim for adults",
              "description": "Ten weeks of lessons for adults who cannot swim yet.",
              "activity": [{"prefLabel": "Swimming"}]}
    instance = {"@type": "CourseInstance", "@id": "https://example.org/api/course-instances/1",
                "instanceOfCourse": course, "location": oa_series(0, ISLINGTON)["location"],
                "organizer": {"type": "Organization", "name": "Example Leisure Trust"},
                "eventSchedule": [{"byDay": ["https://schema.org/Saturday"], "startTime": "08:00", "endTime": "09:00"}]}
    on_demand = {"type": "OnDemandEvent", "id": "https://example.org/api/on-demand/1", "name": "Seated yoga video",
                 "description": "A twenty-minute seated yoga class to follow at home.",
                 "activity": [{"prefLabel": "Yoga"}], "organizer": {"type": "Person", "name": "Jo Example",
                                                                   "telephone": "07700 900321"}}
    facility = {"type": "FacilityUse", "id": "https://example.org/api/facility-uses/1", "name": "Badminton courts",
                "description": "Book a badminton court by the hour.", "facilityType": [{"prefLabel": "Badminton"}],
                "provider": {"type": "Organization", "name": "Example Leisure Trust",
                             "email": "bookings@example.org"},
                "location": oa_series(0, HACKNEY)["location"],
                "hoursAvailable": [{"dayOfWeek": ["https://schema.org/Monday"], "opens": "07:00", "closes": "22:00"}]}
    court = {"type": "IndividualFacilityUse", "id": "https://example.org/api/individual-facility-uses/1",
             "name": "Badminton court 2", "aggregateFacilityUse": facility["id"]}
    slot = {"type": "Slot", "id": "https://example.org/api/slots/1", "facilityUse": facility["id"],
            "startDate": "2026-06-01T07:00:00Z", "endDate": "2026-06-01T08:00:00Z"}
    series_pages = [[oa_item(1, 1772000000, series), oa_item(2, 1772000001, combined,
                                                             kind="SessionSeries.ScheduledSession"),
                     oa_item(3, 1772000002, slough), oa_item(4, 1772000003, nameless)],
                    [oa_item("c1", "2026-03-04T12:00:00Z", instance, kind="CourseInstance"),
                     oa_item("od1", 1772000004, on_demand, kind="OnDemandEvent"),
                     oa_item("f1", 1772000005, facility, kind="FacilityUse"),
                     oa_item("f1-2", 1772000006, court, kind="IndividualFacilityUse"),
                     oa_item("s1", 1772000007, slot, kind="FacilityUse.Slot")]]
    sessions = [oa_item(100 + n, 1772000000000 + n, oa_session(100 + n, series["id"], start, end),
                        kind="ScheduledSession")
                for n, (start, end) in enumerate([("2026-06-02T17:00:00Z", "2026-06-02T18:00:00Z"),
                                                  ("2026-06-09T17:00:00Z", "2026-06-09T18:00:00Z"),
                                                  ("2026-06-04T09:30:00Z", "2026-06-04T10:30:00Z")])]
    return serve_rpde(httpserver, "/oa/session-series", series_pages), \
        serve_rpde(httpserver, "/oa/scheduled-sessions", [sessions])


def test_operator_dataset_with_parents_in_another_feed(httpserver, tmp_path):
    series_url, sessions_url = dataset(httpserver)
    source = {"id": "leisure-openactive", "kind": "openactive", "url": series_url, "borough": "islington",
              "openactive": {"feeds": [sessions_url]}, "defaults": {"access": ["booking"]}}
    result = harvest_twice(tmp_path, [source])
    out = result.output
    got = entries(tmp_path / "directory")
    assert set(got) == {"walking-football-1", "netball-for-beginners", "learn-to-swim-for-adults",
                        "seated-yoga-video", "badminton-courts"}

    football = got["walking-football-1"]
    assert football["borough"] == "islington" and football["location"]["postcode"] == ISLINGTON
    # the schedule, then the ScheduledSessions of the other feed (18:00 BST), weekly, exceptDate ignored
    assert football["schedule"] == [{"days": ["tu"], "opens": "18:00", "closes": "19:00", "frequency": "weekly"},
                                    {"days": ["th"], "opens": "10:30", "closes": "11:30", "frequency": "weekly"}]
    assert football["last_verified"] == "2026-02-25" and football["verified_by"] == "harvest"  # modified in seconds
    assert football["accessibility"] == ["wheelchair-accessible"]  # beta:isWheelchairAccessible
    assert football["contact"]["email"] == "bookings@example.org"

    netball = got["netball-for-beginners"]  # SessionSeries.ScheduledSession: sessions embedded as subEvent
    assert netball["borough"] == "hackney"
    assert netball["schedule"] == [{"days": ["we"], "opens": "10:00", "closes": "11:00", "frequency": "weekly"}]

    swim = got["learn-to-swim-for-adults"]  # CourseInstance: name, description and activity from its Course
    assert swim["activities"] == ["swimming"] and swim["last_verified"] == "2026-03-04"

    video = got["seated-yoga-video"]  # online only: the source's default borough, no personal phone
    assert video["delivery"] == ["online"] and video["borough"] == "islington" and "contact" not in video

    courts = got["badminton-courts"]  # its IndividualFacilityUse is folded in; slots are not listings
    assert courts["schedule"] == [{"days": ["mo"], "opens": "07:00", "closes": "22:00", "frequency": "weekly"}]

    assert any("SL1 1AA is not a London postcode" in line for line in section(out, "Dropped"))
    assert any("name: is missing" in line for line in section(out, "Skipped records"))
    notes = "\n".join(section(out, "Notes"))
    assert "1 item(s) of type Slot are not listings" in notes
    assert "1 record with no location at all was placed in islington" in notes
    assert "left out 1 personal contact" in notes


def test_sessions_whose_series_is_in_no_feed_are_reported(httpserver, tmp_path):
    lonely = [oa_item(1, 5, oa_session(1, "https://example.org/api/session-series/99", "2026-06-02T17:00:00Z",
                                       "2026-06-02T18:00:00Z"), kind="ScheduledSession")]
    source = {"id": "sessions-only", "kind": "openactive", "url": serve_rpde(httpserver, "/oa/s", [lonely])}
    result = run_harvest(tmp_path, [source])
    assert result.exit_code == 0, result.output
    (line,) = section(result.output, "Skipped records")
    assert "1 ScheduledSession(s) refer to this SessionSeries, which is in none of this source's feeds" in line


def test_pre_1_0_feed_without_next_or_licence(httpserver, tmp_path):
    old = {"type": "Event", "id": "urn:example:event:7", "name": "Tea dance", "description": "Afternoon tea dance.",
           "activity": ["Dance"], "location": oa_series(0, ISLINGTON)["location"],
           "organizer": {"type": "Organization", "name": "Example Community Centre"}}
    url = serve_rpde(httpserver, "/oa/old", [[oa_item("7", 1001, old, kind="session")]], pre_1_0=True)
    harvest_twice(tmp_path, [{"id": "old-feed", "kind": "openactive", "url": url}])
    (dance,) = entries(tmp_path / "directory").values()
    assert dance["name"] == "Tea dance" and dance["activities"] == ["dance"]
    assert dance["verified_by"] == "unverified"  # 1001 is a change number, not a time
