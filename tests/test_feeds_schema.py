"""Every feed validates: directory.json against schema/feed.schema.json; every ORUK file against the
HSDS 3.0 and ORUK 3.0 schemas vendored in tests/vendor (so these never skip), for the bundled
directory and 1,000 synthetic entries; no ORUK file holds a ``null``."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from oruk_schemas import format_checker, hsds, oruk, problems, response

from bench.synthetic import generate
from linkwell.listings.validate import validate_paths
from linkwell.publish.feeds import openreferral_api, write_feeds
from linkwell.reference import schema
from tests.conftest import BUNDLED as DIRECTORY_DIR
from tests.conftest import SHARED

ORUK_EXAMPLES = SHARED / "reference" / "oruk-3.0-examples"
BUILD_TIME = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
PAGE_KEYS = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"]


@pytest.fixture(scope="module")
def feed_validator():
    from referencing import Registry, Resource

    entry = schema.load("entry.schema.json")
    registry = Registry().with_resource(entry["$id"], Resource.from_contents(entry))
    feed = schema.load("feed.schema.json")
    Draft202012Validator.check_schema(feed)
    return Draft202012Validator(feed, registry=registry, format_checker=format_checker())


def load(path):
    return json.loads(path.read_bytes())


def no_nulls(node, path="$"):
    """Every value present: ORUK fields are never null, "", [] or {} (absent instead)."""
    if isinstance(node, dict):
        for key, value in node.items():
            assert value is not None and value != "" and value != [] and value != {}, f"{path}.{key} is empty"
            no_nulls(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            no_nulls(value, f"{path}[{i}]")


def check_api(out, expected_total):
    """Every file under openreferral/ is JSON of the right shape, valid, without nulls."""
    api = out / "openreferral"
    root = load(api / "index.html")
    assert load(api / "index.json") == root and root["version"] == "3.0"
    assert problems(response("/"), root) == []
    records = [p for p in (api / "services").iterdir() if "." not in p.name]
    assert len(records) == expected_total
    for path in records:
        record = load(path)
        assert path.name == record["id"]
        assert problems(response("/services/{id}"), record) == [], path.name
        assert problems(oruk("service"), record) == [], path.name
    everything = load(api / "services" / "index.html")
    assert everything["total_items"] == everything["size"] == expected_total or expected_total == 0
    listed = []
    pages = sorted((api / "services").glob("page-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    for number, path in enumerate(pages, 1):
        envelope = load(path)
        assert list(envelope) == PAGE_KEYS
        assert envelope["page_number"] == number and envelope["total_pages"] == len(pages)
        assert envelope["first_page"] == (number == 1) and envelope["last_page"] == (number == len(pages))
        assert problems(response("/services"), envelope) == []
        for item in envelope["contents"]:
            assert problems(oruk("service_list"), item) == []
        listed += envelope["contents"]
    assert listed == everything["contents"], "the pages, in order, are the one-page list"
    assert sorted(item["id"] for item in listed) == sorted(p.name for p in records)
    for dirpath, _dirs, files in os.walk(api):
        for name in files:
            no_nulls(load(Path(dirpath, name)), os.path.join(dirpath, name))


def test_bundled_directory_feeds_validate(tmp_path, feed_validator):
    report = validate_paths([DIRECTORY_DIR])
    assert report.entries and not report.errors
    write_feeds(report.entries.values(), tmp_path, BUILD_TIME)
    document = load(tmp_path / "directory.json")
    assert problems(feed_validator, document) == []
    assert {e["id"] for e in document["entries"]} == {e["id"] for e in report.entries.values()}
    check_api(tmp_path, len(report.entries))


def test_thousand_synthetic_entries_feeds_validate(tmp_path, feed_validator):
    write_feeds(list(generate(1000, seed=5)), tmp_path, BUILD_TIME)
    assert problems(feed_validator, load(tmp_path / "directory.json")) == []
    check_api(tmp_path, 1000)
    assert len(list((tmp_path / "openreferral" / "services").glob("page-*.json"))) == 2  # 500 per page


def test_optional_endpoints_validate(tmp_path):
    """organizations, taxonomies and taxonomy_terms: one page of everything; a file per taxonomy and term."""
    write_feeds(list(generate(50, seed=2)), tmp_path, BUILD_TIME)
    api = tmp_path / "openreferral"
    for name, item_schema in (("organizations", "organization"), ("taxonomies", "taxonomy"),
                              ("taxonomy_terms", "taxonomy_term")):
        listing = load(api / name / "index.html")
        assert list(listing) == PAGE_KEYS and listing["contents"]
        assert listing["total_pages"] == 1 and listing["size"] == listing["total_items"] == len(listing["contents"])
        assert problems(response(f"/{name}"), listing) == []
        for item in listing["contents"]:
            assert problems(oruk(item_schema), item) == []
            assert problems(response(f"/{name}/{{id}}"), item) == []
            assert (api / name / item["id"]).exists() == (name != "organizations")
            if name != "organizations":
                assert load(api / name / item["id"]) == item
    codes = {t["code"] for t in load(api / "taxonomy_terms" / "index.html")["contents"]
             if t["taxonomy"] == "linkwell-categories"}
    assert codes == {"creative", "connected", "active", "safe"}
    assert not (api / "service_at_locations").exists()  # optional, not published: a host answers 404


def test_our_envelope_matches_the_oruk_example():
    ours = next(openreferral_api.pages([{"id": "x"}], size=1))[1]
    assert list(ours) == PAGE_KEYS
    example = ORUK_EXAMPLES / "service_list.json"
    if example.exists():  # the shared reference copy, when there is one, says the same
        assert list(ours) == list(load(example))


def test_the_schema_checks_can_fail():
    """Guard against validators that accept anything: nulls, bad enums, bad uuids, bad pages are caught."""
    assert problems(response("/services/{id}"), {"id": "not-a-uuid", "name": "x", "status": "active"})
    assert problems(oruk("service"), {"id": "ac148810-d857-441c-9679-408f346de14b", "name": None, "status": "active"})
    assert problems(hsds("service"), {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "closed"})
    assert problems(response("/services"), {"total_pages": "1", "contents": [{"id": "x"}]})
    assert problems(response("/"), {"version": "3.0", "profile": "not a uri"})
    with pytest.raises(AssertionError):
        no_nulls({"a": [{"b": None}]})
