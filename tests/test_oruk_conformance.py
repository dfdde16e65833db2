"""The published ORUK API, called the way the ORUK validator (OpenReferralUK/oruk-validator) calls it,
over real HTTP from a real static server on 127.0.0.1.

The validator: ``GET {base}`` and reads ``version`` (anything but JSON there and it silently treats
the API as HSDS-UK 1.0); ``GET {base}/``; for each list endpoint ``?page=1``, then the middle
(``total_pages // 2``, when more than two) and last pages; ten random ``/{id}`` of the ids the list
gave; optional endpoints may answer 404, anything 2xx must validate. Every answer is checked
against the vendored HSDS 3.0 response schemas and the ORUK 3.0 profile. On top of that, a client
walks every page with ``?page=N`` and must never see a page twice or loop.

Hosts: ``plain`` is Python's http.server (query strings ignored, ``index.html`` for a folder,
types from extensions: what GitHub Pages does); ``routed`` additionally applies the ``_redirects``
and ``_headers`` files the build writes, the way Netlify reads them (a rule with ``page=:page``
matches requests carrying that parameter; ``_headers`` paths use ``*``); real nginx and Caddy run
with the configuration the for-councils page gives (tests/web_servers.py). Sites: the bundled
directory built by the real ``linkwell build``, and 3,000 synthetic listings (six pages of 500)
built by ``linkwell build --feeds-only``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import random
import threading
import urllib.error
import urllib.request
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import web_servers
from oruk_schemas import OPTIONAL, oruk, problems, response
from test_site_support import bundled_site, run_linkwell, serve

from bench.synthetic import write_directory

ITEM_SCHEMAS = {"/services": "service_list", "/organizations": "organization", "/taxonomies": "taxonomy",
                "/taxonomy_terms": "taxonomy_term"}
RECORD_SCHEMAS = {"/services": "service", "/organizations": "organization", "/taxonomies": "taxonomy",
                  "/taxonomy_terms": "taxonomy_term"}


def validator_version(text: str) -> float:
    """The validator's ExtractVersionNumber: "HSDS-UK-3.0", "V3", "3.0" -> 3.0."""
    lowered = text.lower().replace("hsds-uk-", "").replace("v", "").strip()
    return float(lowered)


class Answer:
    def __init__(self, status: int, content_type: str, body: bytes):
        self.status, self.content_type, self.body = status, content_type, body

    def json(self):
        """The body as JSON; HTML (a page or a folder listing) fails here."""
        assert not self.body.lstrip().startswith(b"<"), f"HTML, not JSON: {self.body[:80]!r}"
        data = json.loads(self.body)
        assert isinstance(data, dict)
        assert_no_nulls(data)
        return data


def assert_no_nulls(node, path="$"):
    if isinstance(node, dict):
        for key, value in node.items():
            assert value is not None, f"{path}.{key} is null"
            assert_no_nulls(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            assert_no_nulls(value, f"{path}[{i}]")


def get(url: str) -> Answer:
    """GET with redirects followed (as .NET's HttpClient and every ORUK client do)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return Answer(answer.status, answer.headers.get("Content-Type", ""), answer.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("Content-Type", ""), error.read())


class Validator:
    """What oruk-validator does with a base URL, plus a strict client's walk through every page."""

    def __init__(self, base: str, items_checked: int | None = None):
        self.base = base.rstrip("/")
        self.random = random.Random(17)
        self.items_checked = items_checked  # of each page against its schema (None: all, as the validator does)

    def discover(self) -> dict:
        first = get(self.base)  # as typed: no trailing slash
        assert first.status == 200
        assert validator_version(first.json()["version"]) == 3.0
        root = get(self.base + "/").json()
        assert problems(response("/"), root) == []
        return root

    def collection(self, path: str) -> tuple[Answer, dict | None]:
        """First, middle and last page, each valid; returns the first page (None when absent)."""
        first = get(f"{self.base}{path}?page=1")
        if first.status == 404 and path in OPTIONAL:
            return first, None
        assert first.status == 200, (path, first.status)
        envelope = first.json()
        total_pages = envelope["total_pages"]
        numbers = [1] + ([total_pages // 2] if total_pages > 2 else []) + ([total_pages] if total_pages > 1 else [])
        for number in numbers:
            page = envelope if number == 1 else get(f"{self.base}{path}?page={number}").json()
            assert problems(response(path), page) == [], (path, number)
            for item in page["contents"][:self.items_checked]:
                assert problems(oruk(ITEM_SCHEMAS[path]), item) == [], (path, number)
        assert envelope["contents"], f"{path}: the validator warns about an empty feed"
        return first, envelope

    def records(self, path: str, first_page: dict) -> list[dict] | None:
        """Ten random ids of the first page, each fetched from ``{path}/{id}`` and valid; None when an
        optional ``/{id}`` endpoint is absent (404 for every one)."""
        ids = [item["id"] for item in first_page["contents"]]
        found, absent = [], 0
        for record_id in self.random.sample(ids, min(10, len(ids))):
            answer = get(f"{self.base}{path}/{record_id}")
            if answer.status == 404 and path in OPTIONAL:
                absent += 1
                continue
            assert answer.status == 200, (path, record_id, answer.status)
            record = answer.json()
            assert record["id"] == record_id
            assert problems(response(f"{path}/{{id}}"), record) == [], (path, record_id)
            assert problems(oruk(RECORD_SCHEMAS[path]), record) == [], (path, record_id)
            found.append(record)
        assert absent in (0, min(10, len(ids))), f"{path}/{{id}}: some ids answer, others are missing"
        return found if not absent else None

    def walk(self, path: str) -> list[str]:
        """A client reading ``?page=1, 2, ...`` until ``last_page``: every item once, in order, no loop."""
        seen, number, total_pages = [], 1, None
        while True:
            page = get(f"{self.base}{path}?page={number}").json()
            assert page["page_number"] == number, f"asked for page {number}, got {page['page_number']}"
            total_pages = total_pages or page["total_pages"]
            assert page["total_pages"] == total_pages and number <= total_pages
            seen += [item["id"] for item in page["contents"]]
            if page["last_page"]:
                break
            number += 1
        assert len(seen) == len(set(seen)) == page["total_items"]
        return seen


class Routed(http.server.SimpleHTTPRequestHandler):
    """http.server plus the build's ``_redirects`` and ``_headers``, read as Netlify reads them."""

    redirect_rules: list[tuple[str, dict[str, str], str, str]] = []
    header_rules: list[tuple[str, dict[str, str]]] = []

    def do_GET(self):
        self.original = urlsplit(self.path).path
        query = dict(parse_qsl(urlsplit(self.path).query))
        for source, params, target, _status in self.redirect_rules:
            if self.original == source and all(name in query for name in params):
                for name, placeholder in params.items():
                    target = target.replace(placeholder, query[name])
                self.path = target
                break
        super().do_GET()

    def log_message(self, *args):
        pass

    def _headers_for_path(self) -> dict[str, str]:
        found = {}
        for pattern, values in self.header_rules:
            if fnmatch(getattr(self, "original", self.path), pattern):
                found.update(values)
        return found

    def guess_type(self, path):
        return self._headers_for_path().get("Content-Type") or super().guess_type(path)

    def end_headers(self):
        for name, value in self._headers_for_path().items():
            if name != "Content-Type":
                self.send_header(name, value)
        super().end_headers()


def read_redirects(text: str) -> list[tuple[str, dict[str, str], str, str]]:
    rules = []
    for line in text.splitlines():
        tokens = line.split()
        if not tokens or tokens[0].startswith("#"):
            continue
        params = dict(token.split("=", 1) for token in tokens[1:-2])
        rules.append((tokens[0], params, tokens[-2], tokens[-1]))
    return rules


def read_headers(text: str) -> list[tuple[str, dict[str, str]]]:
    blocks = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            blocks.append((line.strip(), {}))
        else:
            name, value = line.strip().split(":", 1)
            blocks[-1][1][name.strip()] = value.strip()
    return blocks


@contextlib.contextmanager
def serve_routed(root: Path):
    handler = type("RoutedHere", (Routed,), {
        "redirect_rules": read_redirects((root / "_redirects").read_text(encoding="utf-8")),
        "header_rules": read_headers((root / "_headers").read_text(encoding="utf-8"))})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    return bundled_site(tmp_path_factory)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """3,000 synthetic listings, built by the real command line (feeds only)."""
    directory = tmp_path_factory.mktemp("synthetic-directory")
    write_directory(directory, 3000, seed=4)
    out = tmp_path_factory.mktemp("synthetic-site")
    result = run_linkwell("build", "--feeds-only", "--out", out, "--directory", directory,
                          cache=tmp_path_factory.mktemp("synthetic-cache"))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def conformance(base: str, expected_services: int, expected_pages: int, items_checked: int | None = None) -> Validator:
    validator = Validator(base, items_checked)
    root = validator.discover()
    assert root["openapi_url"].startswith("https://") and root["profile"].startswith("https://")
    _answer, services = validator.collection("/services")
    assert services["total_items"] == expected_services and services["total_pages"] == expected_pages
    records = validator.records("/services", services)
    assert len(records) == 10
    ids = validator.walk("/services")
    assert len(ids) == expected_services
    published = {}
    for path in OPTIONAL:
        _answer, first_page = validator.collection(path)
        published[path] = first_page is not None
        if first_page is not None:
            published[path + "/{id}"] = validator.records(path, first_page) is not None
            assert validator.walk(path)
    assert published == {"/taxonomies": True, "/taxonomies/{id}": True, "/taxonomy_terms": True,
                         "/taxonomy_terms/{id}": True, "/organizations": True, "/organizations/{id}": False,
                         "/service_at_locations": False}
    assert get(f"{validator.base}/services/not-a-service").status == 404
    return validator


def test_bundled_site_on_a_plain_static_host(bundled):
    with serve(bundled) as url:
        validator = conformance(url + "openreferral", expected_services=len(list(
            p for p in (bundled / "openreferral" / "services").iterdir() if "." not in p.name)), expected_pages=1)
        # a static host ignores ?page=: any page number gives the one page of everything, never page 1 of 2
        assert get(f"{validator.base}/services?page=2").json()["total_pages"] == 1


def test_three_thousand_listings_on_a_plain_static_host(synthetic):
    with serve(synthetic) as url:
        conformance(url + "openreferral", expected_services=3000, expected_pages=1)
        answer = get(url + "openreferral/services/")
        assert answer.content_type.startswith("text/html")  # what GitHub Pages does too: JSON parsers don't mind
        assert len(answer.json()["contents"]) == 3000


def test_three_thousand_listings_on_a_host_that_routes_page_numbers(synthetic):
    rules = read_redirects((synthetic / "_redirects").read_text(encoding="utf-8"))
    assert rules and all(status == "200!" for *_rest, status in rules)
    with serve_routed(synthetic) as url:  # the same files as on the plain host: a sample of each page is checked
        validator = conformance(url + "openreferral", expected_services=3000, expected_pages=6, items_checked=20)
        for path in ("", "/", "/services?page=3", "/services/" + validator.walk("/services")[42], "/organizations"):
            answer = get(validator.base + path)
            assert answer.content_type == "application/json; charset=utf-8", path
        assert get(f"{validator.base}/services?page=7").status == 404  # past the last page
        assert get(f"{validator.base}/services?page=../../directory.json").status == 404
        assert len(get(f"{validator.base}/services").json()["contents"]) == 3000  # no page asked: all


@pytest.mark.parametrize("server", ["nginx", "caddy"])
def test_three_thousand_listings_behind_the_for_councils_page_server_configuration(synthetic, server):
    """Real nginx and Caddy with the snippets the for-councils page gives (hosting.NGINX / CADDY)."""
    with getattr(web_servers, server)(synthetic) as url:  # the files checked whole on the plain host
        validator = conformance(url + "openreferral", expected_services=3000, expected_pages=6, items_checked=20)
        for path in ("", "/", "/services", "/services/?page=3", "/services/" + validator.walk("/services")[42],
                     "/organizations", "/taxonomies"):
            answer = get(validator.base + path)
            assert (answer.status, answer.content_type) == (200, "application/json; charset=utf-8"), path
        with urllib.request.urlopen(validator.base + "/services?page=2", timeout=30) as answer:
            assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert get(f"{validator.base}/services?page=7").status == 404  # past the last page
        assert len(get(f"{validator.base}/services").json()["contents"]) == 3000  # no page asked: all
        odd = get(f"{validator.base}/services?page=../../directory.json")  # the whole list, or nothing
        assert odd.status == 404 or len(odd.json()["contents"]) == 3000


def test_a_static_host_folder_listing_is_caught(tmp_path):
    """The check that fails on what issue 17 found: a folder listing where JSON should be."""
    (tmp_path / "openreferral" / "services").mkdir(parents=True)
    (tmp_path / "openreferral" / "services" / "page-1.json").write_text("{}")
    with serve(tmp_path) as url:
        with pytest.raises(AssertionError, match="HTML, not JSON"):
            Validator(url + "openreferral").discover()
        with pytest.raises(AssertionError, match="HTML, not JSON"):
            Validator(url + "openreferral").collection("/services")
