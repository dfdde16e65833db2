"""Hostile and broken sources, each a real server on 127.0.0.1: nothing hangs, nothing leaves the source.

- a server dripping one byte at a time (in its headers or its body) hits the per-request deadline;
- ``total_pages`` of 10^9 repeating the same page stops at the first repeat; endless new pages stop
  at the page count ``total_items`` needs; RPDE ``next`` links going round (A -> B -> A) stop at once;
- a v1 feed numbering its pages from 0 is read whole;
- redirects to another port or host, and RPDE ``next`` links to another host, are not followed
  (unless the sources file allows that origin); record ids are percent-encoded into URLs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fixtures_harvest import entries, london_postcodes, oruk_v1, oruk_v3, run_harvest, series, v1_page, write_sources
from werkzeug import Response

from tests.conftest import CHECKOUT

PCS = london_postcodes(12)


class _Server:
    """A tiny threaded server on 127.0.0.1 answering every GET with ``handler(request_handler)``."""

    def __init__(self, handler):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                outer.paths.append(self.path)
                handler(self)

            def log_message(self, *args):
                pass

        self.paths: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


def _json(handler, data, status=200):
    body = json.dumps(data).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _drip_body(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    try:
        for _ in range(200):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass  # the harvester hung up: what it should do


def _drip_headers(handler):
    try:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass
    handler.close_connection = True


def oruk(url, **extra):
    return {"id": "council-oruk", "kind": "oruk", "url": url, "oruk": {"page_size": 3}, **extra}


@pytest.mark.parametrize("drip", [_drip_body, _drip_headers], ids=["body", "headers"])
def test_a_dripping_server_hits_the_deadline(tmp_path, drip):
    with _Server(drip) as server:
        sources = write_sources(tmp_path / "sources.yml", [oruk(server.url("/api"), http={
            "timeout": 5, "retries": 0, "pace_seconds": 0, "deadline": 1})])
        result = subprocess.run([sys.executable, "-m", "linkwell", "harvest", "--sources", str(sources),
                                 "--directory", str(tmp_path / "directory"), "--state-dir", str(tmp_path / "state")],
                                cwd=CHECKOUT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "no complete answer within 1 s" in result.stdout
    assert not (tmp_path / "directory").exists()


def test_the_whole_source_has_a_deadline_too(httpserver, tmp_path):
    def slow(request):
        time.sleep(0.2)
        page = int(request.args["page"])
        return Response(json.dumps({"total_items": 300, "total_pages": 100, "page_number": page,
                                    "contents": [oruk_v3(3 * page + k, PCS[k]) for k in range(3)]}),
                        content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(slow)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"), http={
        "pace_seconds": 0, "retries": 0, "deadline": 30, "source_deadline": 0.5})])
    assert result.exit_code == 1
    assert "took longer than its 0.5 s in all" in result.output, result.output


def test_a_billion_pages_repeating_the_same_records_stop_at_the_first_repeat(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(3)]
    page = {"total_items": 3 * 10**9, "total_pages": 10**9, "page_number": 1, "contents": records}
    asked = []

    def same_page(request):
        asked.append(request.args["page"])
        return Response(json.dumps(page), content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(same_page)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    assert asked == ["1", "2"]
    assert "page 2 repeats page 1" in result.output
    assert len(entries(tmp_path / "directory")) == 3


def test_endless_new_pages_stop_where_total_items_says(httpserver, tmp_path):
    asked = []

    def endless(request):
        asked.append(request.args["page"])
        page = int(request.args["page"])
        return Response(json.dumps({"total_items": 6, "total_pages": 10**9, "page_number": page,
                                    "contents": [oruk_v3(3 * page + k, PCS[(3 * page + k) % 12]) for k in range(3)]}),
                        content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(endless)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    assert asked == ["1", "2", "3"]  # 6 services at 3 a page, and one more page to be sure
    assert "whatever total" in result.output


@pytest.mark.parametrize("says_first", [True, False], ids=["first-flag", "counts-only"])
def test_a_v1_feed_numbering_pages_from_zero_is_read_whole(httpserver, tmp_path, says_first):
    records = [oruk_v1(i, PCS[i]) for i in range(9)]

    def zero_based(request):
        page = int(request.args["page"])
        body = v1_page(records[3 * page: 3 * page + 3], page, 3, 9)
        body["first"] = page == 0
        if not says_first:
            del body["first"]
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(zero_based)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    assert len(entries(tmp_path / "directory")) == 9
    assert "numbers its pages from 0" in result.output


def test_rpde_next_links_going_round_stop_at_once(httpserver, tmp_path):
    item = {"state": "updated", "kind": "SessionSeries", "id": "1", "modified": 1, "data": series(1, PCS[0])}
    httpserver.expect_request("/feed", query_string="page=a").respond_with_json(
        {"next": "/feed?page=b", "items": [item]})
    httpserver.expect_request("/feed", query_string="page=b").respond_with_json(
        {"next": "/feed?page=a", "items": [item]})
    result = run_harvest(tmp_path, [{"id": "leisure", "kind": "openactive", "url": httpserver.url_for("/feed?page=a"),
                                     "defaults": {"access": ["booking"]}}])
    assert result.exit_code == 1
    assert "goes round in a circle" in result.output
    assert len(httpserver.log) == 2


def _page_of(records):
    return lambda h: _json(h, {"total_items": len(records), "total_pages": 1, "page_number": 1, "contents": records})


@pytest.mark.parametrize("allowed", [False, True], ids=["refused", "allowed"])
def test_a_redirect_to_another_port_is_not_followed_unless_allowed(httpserver, tmp_path, allowed):
    records = [oruk_v3(i, PCS[i]) for i in range(2)]
    with _Server(_page_of(records)) as elsewhere:
        httpserver.expect_request("/api/services").respond_with_response(
            Response(status=302, headers={"Location": elsewhere.url("/services?page=1&per_page=3")}))
        http = {"pace_seconds": 0, "retries": 0, "timeout": 5}
        if allowed:
            http["allow_origins"] = [elsewhere.url()]
        result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"), http=http)])
    if allowed:
        assert result.exit_code == 0, result.output
        assert len(entries(tmp_path / "directory")) == 2
    else:
        assert result.exit_code == 1
        assert "redirects to" in result.output and "on another site than the source" in result.output
        assert elsewhere.paths == []
        assert not (tmp_path / "directory").exists()


def _other_host(url: str) -> str:
    """The same server under its other name (localhost <-> 127.0.0.1): another host to a harvester."""
    return url.replace("localhost", "127.0.0.1") if "localhost" in url else url.replace("127.0.0.1", "localhost")


def test_a_redirect_to_another_host_is_not_followed(httpserver, tmp_path):
    other_host = _other_host(httpserver.url_for("/v3/services"))
    httpserver.expect_request("/api/services").respond_with_response(
        Response(status=301, headers={"Location": other_host + "?page=1&per_page=3"}))
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))])
    assert result.exit_code == 1
    assert "on another site than the source" in result.output
    assert [entry[0].path for entry in httpserver.log] == ["/api/services"]


def test_an_rpde_next_link_to_another_host_is_not_followed(httpserver, tmp_path):
    item = {"state": "updated", "kind": "SessionSeries", "id": "1", "modified": 1, "data": series(1, PCS[0])}
    elsewhere = _other_host(httpserver.url_for("/feed")) + "?afterChange=1"
    httpserver.expect_request("/feed").respond_with_json({"next": elsewhere, "items": [item]})
    result = run_harvest(tmp_path, [{"id": "leisure", "kind": "openactive", "url": httpserver.url_for("/feed"),
                                     "defaults": {"access": ["booking"]}}])
    assert result.exit_code == 1
    assert "its next link" in result.output and "on another site than the source" in result.output
    assert len(httpserver.log) == 1


def test_record_ids_are_percent_encoded_into_urls(httpserver, tmp_path):
    partial = {"id": "../../../../x", "name": "Escaping group"}  # no locations: the detail is fetched
    full = oruk_v3(1, PCS[1], id="../../../../x")
    raw = []

    def anything(request):
        raw.append(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI"))
        if request.path == "/api/services" and not raw[-1].startswith("/api/services/"):
            return Response(json.dumps({"total_items": 1, "total_pages": 1, "page_number": 1,
                                        "contents": [partial]}), content_type="application/json")
        return Response(json.dumps(full), content_type="application/json")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(anything)
    result = run_harvest(tmp_path, [oruk(httpserver.url_for("/api"))])
    assert result.exit_code == 0, result.output
    assert raw[-1] == "/api/services/..%2F..%2F..%2F..%2Fx"
    assert not any(uri.startswith("/x") for uri in raw)
    [listing] = entries(tmp_path / "directory").values()
    assert listing["sources"][0]["url"].endswith("/api/services/..%2F..%2F..%2F..%2Fx")


def test_the_same_site_over_https_is_allowed_but_never_a_downgrade_or_another_port():
    from linkwell.harvest.http import Fetcher, FetchError

    plain = Fetcher(origin="http://directory.example.org/api")
    plain.check_origin("https://directory.example.org/api/services?page=2")  # upgraded by the publisher
    for elsewhere in ["https://directory.example.org:8443/api", "http://other.example.org/api",
                      "https://evil.example/api"]:
        with pytest.raises(FetchError, match="another site"):
            plain.check_origin(elsewhere)
    secure = Fetcher(origin="https://directory.example.org/api")
    with pytest.raises(FetchError, match="another site"):
        secure.check_origin("http://directory.example.org/api")
