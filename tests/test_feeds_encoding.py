"""The fast encoders write exactly what the standard library would: orjson against ``json.dumps``
(non-ASCII, emoji, control characters, coordinates orjson spells differently), the CSV line
builder against ``csv.writer``, the feed schema check's error, and an incremental feed build
against one from scratch."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import generate
from linkwell.listings.validate import validate_paths
from linkwell.publish.feeds import (
    FeedError,
    common,
    directory_json,
    geojson,
    openreferral,
    openreferral_api,
    tabular,
    write_feeds,
)
from tests.conftest import BUNDLED as DIRECTORY_DIR
from tests.conftest import VALID_ENTRY

BUILD_TIME = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
TODAY = BUILD_TIME.date()
PRINTABLE = "Café ŵ 日本 বাংলা 😀 \"quoted\", back\\slash / =1+2 3 < 4 & 5 > 2"  # what a listing may hold
AWKWARD = PRINTABLE + " \u2028 \x00\x1f\x7f tab\t new\nline"  # what only the encoders see


def stdlib(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def oruk_stdlib(value) -> bytes:
    """What the ORUK files hold: the standard library's JSON with <, > and & as \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").encode("utf-8")


def documents(entry):
    """Every JSON value the feeds write for one entry: (the build's writer, value, the reference writer)."""
    facts = common.facts(entry, TODAY)
    record = openreferral.service_record(entry, TODAY, facts)
    summary, _org_id, _key, organisation = openreferral_api.record_parts(record)
    yield (lambda value: openreferral_api.dumps(value, facts.dumps)), record, oruk_stdlib
    yield facts.dumps, directory_json.feed_entry(entry, TODAY, facts), stdlib
    yield facts.dumps, geojson.feature(entry, TODAY, facts), stdlib
    assert summary == oruk_stdlib(openreferral.summary(record))
    assert organisation == oruk_stdlib(record["organization"])


def awkward_entries(text=AWKWARD):
    entry = copy.deepcopy(VALID_ENTRY)
    entry.update(id="awkward", name=text, description=text + " description",
                 organisation={"name": text, "website": "https://example.org/ŵ"}, cost="low-cost",
                 cost_note=text, audience={"groups": ["older-people"], "min_age": 0, "max_age": 120})
    yield entry
    points = [(51.5, 0.0), (51.5, -0.0), (51.2, -0.6), (51.8, 0.4), (51.523456789012345, -0.1234567890123)]
    for i, (lat, lon) in enumerate(points):
        yield copy.deepcopy(VALID_ENTRY) | {"id": f"point-{i}", "location": {"lat": lat, "lon": lon}}


def test_orjson_writes_what_json_dumps_writes():
    entries = [*validate_paths([DIRECTORY_DIR]).entries.values(), *generate(300, seed=11), *awkward_entries()]
    checked = 0
    for entry in entries:
        for dumps, value, reference in documents(entry):
            if value is not None:
                assert dumps(value) == reference(value), entry["id"]
                checked += 1
    assert checked > 3 * 300
    head = directory_json.head(entries, BUILD_TIME, common.source_catalogue())
    assert common.dumps(head) == stdlib(head)


@pytest.mark.parametrize("lat, lon", [(51.5, 0.00005), (51.5, -1e-05), (51.5, 3e-07), (51.5, -9.99e-05)])
def test_coordinates_orjson_spells_differently_are_written_by_the_standard_library(lat, lon):
    assert common.dumps(lon) != stdlib(lon)  # the reason for the fallback: orjson writes 0.00005, Python 5e-05
    entry = copy.deepcopy(VALID_ENTRY) | {"location": {"lat": lat, "lon": lon}}
    assert common.facts(entry, TODAY).dumps is common.stdlib_dumps
    for dumps, value, reference in documents(entry):
        assert dumps(value) == reference(value)


def test_a_postcode_near_the_meridian_is_written_as_python_writes_it():
    entry = copy.deepcopy(VALID_ENTRY) | {"location": {"venue": "Hall", "postcode": "SE10 9LU"}}
    facts = common.facts(entry, TODAY)
    assert 0 < abs(facts.point[1]) < 1e-4 and facts.dumps is common.stdlib_dumps
    assert b"e-05" in facts.dumps(geojson.feature(entry, TODAY, facts))


def csv_writer_line(cells) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


cell = st.one_of(st.text(), st.text(alphabet=',"\r\n \'=+-@x'), st.integers(-10**6, 10**6),
                 st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.dates())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(cell, st.none()), max_size=8))
def test_csv_line_is_what_csv_writer_writes(cells):
    assert tabular._line(cells) == csv_writer_line(cells)
    guarded = ["" if c is None else tabular.safe_cell(c) for c in cells]
    assert tabular._line(cells, guard_formulas=True) == csv_writer_line(guarded)


@pytest.mark.parametrize("cells", [[], [""], [None], ["", ""], ["a,b", 'say "hi"', "two\nlines", "cr\r"], [1.5e-05]])
def test_csv_line_edge_cases_are_what_csv_writer_writes(cells):
    assert tabular._line(cells) == csv_writer_line(cells)


def test_csv_row_cells_come_in_column_order():
    entry = copy.deepcopy(VALID_ENTRY) | {"location": {"venue": "Hall", "postcode": "SE8 4RJ"}}
    cells = tabular.row(entry, TODAY)
    named = dict(zip([name for name, _ in tabular.COLUMNS], cells, strict=True))
    facts = common.facts(entry, TODAY)
    assert named["id"] == entry["id"] and named["oruk_id"] == facts.service_id
    assert named["latitude"] == facts.point[0] and named["longitude"] == facts.point[1]
    assert named["freshness_notice"] == facts.freshness.notice and named["status"] == entry["status"]
    for name in ("name", "borough", "cost", "status", "last_verified", "verified_by"):
        assert named[name] == entry[name]
    assert named["organisation"] == entry["organisation"]["name"] and named["venue"] == "Hall"


def test_csv_rows_are_what_csv_writer_writes():
    for entry in [*generate(200, seed=3), *awkward_entries()]:
        cells = tabular.row(entry, TODAY)
        assert tabular.row_text(entry, TODAY) == csv_writer_line(cells)
        assert cells == [tabular.safe_cell(c) if c != "" else "" for c in cells]


def test_feed_error_names_the_problem_where_it_is_and_the_entry(tmp_path):
    bad = copy.deepcopy(VALID_ENTRY) | {"id": "bad-entry", "organisation": {"name": ""}}
    with pytest.raises(FeedError) as raised:
        write_feeds([copy.deepcopy(VALID_ENTRY), bad], tmp_path, BUILD_TIME)
    message = str(raised.value)
    assert message.startswith("directory.json does not match schema/feed.schema.json: ")
    assert message.endswith(" in entry 'bad-entry' at /organisation/name")


def tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith(".linkwell-feeds.marshal")}


def test_incremental_feeds_are_the_feeds_built_from_scratch(tmp_path):
    entries = list(generate(120, seed=9))
    write_feeds(entries, tmp_path / "inc", BUILD_TIME)
    changed = copy.deepcopy(entries[5]) | {"name": PRINTABLE}
    moved = copy.deepcopy(entries[7]) | {"location": {"venue": "Hall", "postcode": "SE10 9LU"}}
    later = [e for e in entries if e["id"] not in {entries[5]["id"], entries[7]["id"], entries[9]["id"]}]
    later += [changed, moved, *awkward_entries(PRINTABLE)]
    written = write_feeds(later, tmp_path / "inc", BUILD_TIME)
    services = [p for p in written if p.parent.name == "services" and "-" in p.name and "." not in p.name]
    assert len(services) == 2 + len(list(awkward_entries()))  # only new or changed records are written
    write_feeds(later, tmp_path / "scratch", BUILD_TIME)
    assert tree(tmp_path / "inc") == tree(tmp_path / "scratch")
    shutil.rmtree(tmp_path / "scratch")


def test_the_build_time_feed_check_checks_formats():
    head = directory_json.head([], dt.datetime(2026, 11, 23, tzinfo=dt.UTC), {})
    directory_json.check(head | {"entries": []})
    with pytest.raises(FeedError, match="generated_at"):
        directory_json.check(head | {"generated_at": "last Tuesday", "entries": []})


def test_oruk_files_never_hold_markup_a_browser_could_run():
    """A static host serves index.html as text/html: ORUK JSON writes <, > and & as \\u escapes."""
    entry = copy.deepcopy(VALID_ENTRY) | {"name": "<script>alert(1)</script>", "description": "Tea & <b>cake</b>"}
    facts = common.facts(entry, TODAY)
    record = openreferral.service_record(entry, TODAY, facts)
    data = openreferral_api.dumps(record, facts.dumps)
    assert not {b"<", b">", b"&"} & {bytes([c]) for c in data}
    assert json.loads(data)["name"] == "<script>alert(1)</script>"
    assert json.loads(data)["description"] == "Tea & <b>cake</b>"
    summary = openreferral_api.record_parts(record)[0]
    assert b"<" not in summary and json.loads(summary)["name"] == entry["name"]
