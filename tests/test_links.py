"""``linkwell check-links`` against a real HTTP server on 127.0.0.1: 200, 301, 404, 500, a slow
endpoint (timeout), a refused port, a flaky 503, a server refusing byte ranges, and the per-host
limit. The listing files are never modified."""

from __future__ import annotations

import copy
import json
import socket
import threading
import time

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Response

from linkwell.cli import cli
from linkwell.listings.store import write_entries
from linkwell.reports.links import USER_AGENT, check_urls, collect
from tests.conftest import VALID_ENTRY

FAST = {"timeout": (0.5, 0.5), "retries": 1, "backoff": 0.01}


@pytest.fixture(scope="module")
def _threaded_server():
    srv = HTTPServer(host="127.0.0.1", threaded=True)  # threaded: several link checks at once
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(_threaded_server):
    yield _threaded_server
    _threaded_server.clear()


@pytest.fixture
def refused_url():
    with socket.socket() as s:  # a port nothing listens on: bind, note it, close
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _slow(_request):
    time.sleep(1.5)
    return Response("late")


@pytest.fixture
def site(server):
    server.expect_request("/ok").respond_with_data("hello", status=206)
    server.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/ok"}))
    server.expect_request("/temp").respond_with_response(Response(status=302, headers={"Location": "/ok"}))
    server.expect_request("/missing").respond_with_data("nope", status=404)
    server.expect_request("/broken").respond_with_data("oops", status=500)
    server.expect_request("/forbidden").respond_with_data("no robots", status=403)
    server.expect_request("/slow").respond_with_handler(_slow)
    return server


def test_verdicts_for_each_kind_of_answer(site, refused_url):
    urls = [site.url_for(p) for p in ("/ok", "/old", "/temp", "/missing", "/broken", "/forbidden", "/slow")]
    results = {r.url: r for r in check_urls(urls + [refused_url], **FAST)}
    ok, old, temp, missing, broken, forbidden, slow = (results[u] for u in urls)
    assert (ok.verdict, ok.status) == ("ok", 206)
    assert (old.verdict, old.status, old.final_url) == ("moved", 206, site.url_for("/ok"))
    assert old.redirects == [(301, "/ok")]
    assert (temp.verdict, temp.redirects) == ("ok", [(302, "/ok")])
    assert (missing.verdict, missing.status, missing.attempts) == ("dead", 404, 1)  # 404 is not retried
    assert (broken.verdict, broken.status, broken.attempts) == ("dead", 500, 2)  # 5xx retried once
    assert (forbidden.verdict, forbidden.status) == ("check", 403)
    assert slow.verdict == "dead" and "timed out" in slow.error and slow.attempts == 2
    refused = results[refused_url]
    assert refused.verdict == "dead" and refused.error == "connection refused"


def test_requests_ask_for_one_byte_with_our_user_agent(server):
    server.expect_request("/page", headers={"Range": "bytes=0-0", "User-Agent": USER_AGENT}) \
        .respond_with_data("x", status=206)
    [result] = check_urls([server.url_for("/page")], **FAST)
    assert result.verdict == "ok"


def test_server_refusing_ranges_is_asked_again_without(server):
    seen = []

    def handler(request):
        seen.append(request.headers.get("Range"))
        return Response(status=416) if request.headers.get("Range") else Response("whole page")

    server.expect_request("/norange").respond_with_handler(handler)
    [result] = check_urls([server.url_for("/norange")], **FAST)
    assert (result.verdict, result.status) == ("ok", 200)
    assert seen == ["bytes=0-0", None]


def test_flaky_server_is_retried_honouring_retry_after(server):
    answers = iter([Response(status=503, headers={"Retry-After": "0"}), Response("back", status=200)])
    server.expect_request("/flaky").respond_with_handler(lambda _r: next(answers))
    [result] = check_urls([server.url_for("/flaky")], **FAST)
    assert (result.verdict, result.status, result.attempts) == ("ok", 200, 2)


def test_at_most_per_host_requests_at_a_time(server):
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def handler(_request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return Response("ok")

    server.expect_request("/p").respond_with_handler(handler)
    urls = [server.url_for("/p") + f"?n={i}" for i in range(8)]
    results = check_urls(urls, per_host=2, workers=8, **FAST)
    assert all(r.verdict == "ok" for r in results)
    assert 1 <= state["max"] <= 2


def _listing(entry_id, website, org_website=None):
    entry = copy.deepcopy(VALID_ENTRY)
    entry["id"] = entry_id
    entry["contact"] = {"website": website}
    if org_website:
        entry["organisation"] = {"name": "Org", "website": org_website}
    else:
        entry["organisation"] = {"name": "Org"}
    return entry


def test_collect_dedupes_and_names_the_fields():
    a = _listing("a-group", "https://example.org/a", "https://example.org")
    b = _listing("b-group", "https://example.org/a")
    assert collect([b, a]) == {"https://example.org": ["a-group (organisation.website)"],
                               "https://example.org/a": ["a-group (contact.website)", "b-group (contact.website)"]}


def test_command_reports_dead_links_and_never_edits_data(site, refused_url, tmp_path, monkeypatch):
    entries = [_listing("good-group", site.url_for("/ok")), _listing("moved-group", site.url_for("/old")),
               _listing("gone-group", site.url_for("/missing")), _listing("down-group", refused_url)]
    write_entries(tmp_path / "directory", entries)
    before = {p: p.read_bytes() for p in (tmp_path / "directory").rglob("*.yml")}
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check-links", "--timeout", "1", "--retries", "0", "directory"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Checked 4 links from 4 listings: 1 ok, 1 moved, 0 to check by hand, 2 dead."
    assert any(line.startswith(f"DEAD  {site.url_for('/missing')} — HTTP 404 — used by gone-group") for line in lines)
    assert any(line.startswith(f"DEAD  {refused_url} — connection refused — used by down-group") for line in lines)
    assert any(line.startswith(f"MOVED {site.url_for('/old')} — now {site.url_for('/ok')} (301)") for line in lines)
    after = {p: p.read_bytes() for p in (tmp_path / "directory").rglob("*.yml")}
    assert after == before

    result = CliRunner().invoke(cli, ["check-links", "--format", "json", "--retries", "0", "directory"])
    data = {r["url"]: r for r in json.loads(result.stdout)}
    assert data[site.url_for("/missing")]["verdict"] == "dead"


def test_command_exit_zero_when_all_links_work(site, tmp_path, monkeypatch):
    write_entries(tmp_path / "directory", [_listing("good-group", site.url_for("/ok"))])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check-links", "directory"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Checked 1 links from 1 listings: 1 ok")
