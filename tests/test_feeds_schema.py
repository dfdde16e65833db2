"""Every feed validates: directory.json against schema/feed.schema.json, every ORUK record and page
against the HSDS 3.0 compiled service schema (from ../shared/reference, never copied here), for
the bundled directory and for 1,000 synthetic entries."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from bench.synthetic import generate
from linkwell.listings.validate import validate_paths
from linkwell.publish.feeds import write_feeds
from linkwell.reference import schema
from tests.conftest import BUNDLED as DIRECTORY_DIR
from tests.conftest import SHARED

HSDS_SERVICE = SHARED / "reference" / "hsds-3.0" / "service.json"
ORUK_EXAMPLES = SHARED / "reference" / "oruk-3.0-examples"
BUILD_TIME = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
PAGE_KEYS = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"]


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("uri")
    def _uri(value):  # jsonschema checks "uri" only with optional packages; check the shape here
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and " " not in value

    return checker


@pytest.fixture(scope="module")
def hsds():
    if not HSDS_SERVICE.exists():
        pytest.skip(f"HSDS 3.0 reference schema not found at {HSDS_SERVICE} (../shared is absent)")
    service = json.loads(HSDS_SERVICE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(service)
    return Draft202012Validator(service, format_checker=_format_checker())


@pytest.fixture(scope="module")
def feed_validator():
    from referencing import Registry, Resource

    entry = schema.load("entry.schema.json")
    registry = Registry().with_resource(entry["$id"], Resource.from_contents(entry))
    feed = schema.load("feed.schema.json")
    Draft202012Validator.check_schema(feed)
    return Draft202012Validator(feed, registry=registry, format_checker=_format_checker())


def _problems(validator, document, limit=5):
    return [f"{e.json_path}: {e.message}" for e in list(validator.iter_errors(document))[:limit]]


def _check_all(out, hsds, feed_validator, expected_total):
    document = json.loads((out / "directory.json").read_text(encoding="utf-8"))
    assert _problems(feed_validator, document) == []
    assert document["total"] == len(document["entries"]) == expected_total

    api = out / "openreferral"
    root = json.loads((api / "index.json").read_text(encoding="utf-8"))
    assert root["version"] == "3.0" and root["profile"].startswith("https://")
    assert root["openapi_url"].startswith("https://")

    records = sorted((api / "services").glob("*-*-*-*-*.json"))
    assert len(records) == expected_total
    for path in records:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert _problems(hsds, record) == [], path.name
        assert path.stem == record["id"]
        _assert_no_empty_values(record)

    listed = []
    pages = sorted((api / "services").glob("page-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    for number, path in enumerate(pages, 1):
        envelope = json.loads(path.read_text(encoding="utf-8"))
        assert list(envelope) == PAGE_KEYS
        assert envelope["page_number"] == number and envelope["total_pages"] == len(pages)
        assert envelope["first_page"] == (number == 1) and envelope["last_page"] == (number == len(pages))
        for item in envelope["contents"]:
            assert _problems(hsds, item) == []
        listed += [item["id"] for item in envelope["contents"]]
    assert sorted(listed) == sorted(p.stem for p in records)
    return document


def _assert_no_empty_values(node, path="$"):
    if isinstance(node, dict):
        for key, value in node.items():
            assert value is not None and value != "" and value != [] and value != {}, f"{path}.{key} is empty"
            _assert_no_empty_values(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _assert_no_empty_values(value, f"{path}[{i}]")


def test_bundled_directory_feeds_validate(tmp_path, hsds, feed_validator):
    report = validate_paths([DIRECTORY_DIR])
    assert report.entries and not report.errors
    write_feeds(report.entries.values(), tmp_path, BUILD_TIME)
    document = _check_all(tmp_path, hsds, feed_validator, len(report.entries))
    assert {e["id"] for e in document["entries"]} == {e["id"] for e in report.entries.values()}


def test_thousand_synthetic_entries_feeds_validate(tmp_path, hsds, feed_validator):
    entries = list(generate(1000, seed=5))
    write_feeds(entries, tmp_path, BUILD_TIME)
    _check_all(tmp_path, hsds, feed_validator, 1000)
    pages = sorted((tmp_path / "openreferral" / "services").glob("page-*.json"))
    assert len(pages) == 2  # 500 per page


def test_other_listings_validate_against_hsds_records(tmp_path, hsds):
    """organizations and taxonomy_terms pages use the same envelope; their items match HSDS shapes."""
    write_feeds(list(generate(50, seed=2)), tmp_path, BUILD_TIME)
    api = tmp_path / "openreferral"
    service = hsds.schema["properties"]
    org_validator = Draft202012Validator(service["organization"], format_checker=_format_checker())
    term_validator = Draft202012Validator(service["attributes"]["items"]["properties"]["taxonomy_term"],
                                          format_checker=_format_checker())
    orgs = json.loads((api / "organizations" / "page-1.json").read_text(encoding="utf-8"))
    terms = json.loads((api / "taxonomy_terms" / "page-1.json").read_text(encoding="utf-8"))
    assert list(orgs) == PAGE_KEYS == list(terms)
    assert orgs["contents"] and terms["contents"]
    for org in orgs["contents"]:
        assert _problems(org_validator, org) == []
    for term in terms["contents"]:
        assert _problems(term_validator, term) == []
    codes = {t["code"] for t in terms["contents"] if t["taxonomy"] == "linkwell-categories"}
    assert codes == {"creative", "connected", "active", "safe"}


def test_our_envelope_matches_the_oruk_example():
    example = ORUK_EXAMPLES / "service_list.json"
    if not example.exists():
        pytest.skip(f"ORUK examples not found at {example} (../shared is absent)")
    from linkwell.publish.feeds.openreferral import pages

    _number, ours = next(pages([{"id": "x"}], size=1))
    assert list(ours) == list(json.loads(example.read_text(encoding="utf-8")))


def test_the_hsds_check_can_fail(hsds):
    """Guard against a validator that accepts anything: nulls, bad enums and bad uuids are caught."""
    assert _problems(hsds, {"id": "not-a-uuid", "name": "x", "status": "active"})
    assert _problems(hsds, {"id": "ac148810-d857-441c-9679-408f346de14b", "name": None, "status": "active"})
    assert _problems(hsds, {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "closed"})
