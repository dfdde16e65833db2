"""Writes that survive kill -9 and concurrent runs: real processes, real signals, real servers.

- a process writing a big batch through ``linkwell.listings.store`` is killed with SIGKILL while it
  stages files (before the commit point) and while it renames them into place (after it); the next
  command (``linkwell validate``, ``linkwell harvest``) undoes the first and completes the second;
- two ``linkwell harvest`` processes started together: the second waits for the first, both
  write, and both sources' listings, provenance and RPDE position are there afterwards;
- ``--wait 0`` refuses clearly while another run holds the lock;
- a harvest changing more than 400 listings (which crashed merge's staging validation).
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from fixtures_harvest import entries, london_postcodes, oruk_v3, run_harvest, series, serve_oruk, write_sources
from werkzeug import Response

from linkwell.listings import lock
from linkwell.listings.store import dump_entry, entry_path
from tests.conftest import CHECKOUT, VALID_ENTRY

N = 1500

# A batch writer whose journal steps are slowed down (a pause per staged file, or per rename), so
# the test can kill it inside the step it wants; the code path itself is the real one.
WRITER = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    from linkwell.listings import journal
    from linkwell.listings.store import write_entries

    root, step, batch = Path(sys.argv[1]), sys.argv[2], json.loads(Path(sys.argv[3]).read_text())
    pause = float(sys.argv[4])
    hold = Path(sys.argv[5]) if len(sys.argv) > 5 else None  # staging stops at 50 files until this file exists
    if step == "stage":
        real, written = journal._write_synced, []

        def slow_write(path, data):
            time.sleep(pause)
            real(path, data)
            written.append(path)
            while hold and len(written) > 50 and not hold.exists():
                time.sleep(0.005)

        journal._write_synced = slow_write
    else:
        real_replace = os.replace
        os.replace = lambda a, b: (time.sleep(pause), real_replace(a, b))[1]
    write_entries(root, batch)
    print("finished", flush=True)
""")


def _batch(n: int) -> list[dict]:
    out = []
    for i in range(n):
        entry = copy.deepcopy(VALID_ENTRY)
        entry["id"] = f"walking-group-{i:04d}"
        entry["name"] = f"Walking group {i}"
        entry["contact"] = {"website": f"https://example.org/walks/{i}"}
        out.append(entry)
    return out


def _env(cache: Path) -> dict:
    return dict(os.environ, LINKWELL_CACHE_DIR=str(cache), PYTHONPATH=str(CHECKOUT))


def _linkwell(cache: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkwell", *args], cwd=CHECKOUT, env=_env(cache),
                          capture_output=True, text=True, timeout=timeout)


def _wait_for(condition, process: subprocess.Popen, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert process.poll() is None, f"the writer ended before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.002)


def _start_writer(tmp_path: Path, root: Path, cache: Path, step: str, batch: list[dict],
                  pause: float = 0.005, hold: Path | None = None) -> subprocess.Popen:
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(json.dumps(batch), encoding="utf-8")
    args = [str(root), step, str(batch_file), str(pause), *([str(hold)] if hold else [])]
    return subprocess.Popen([sys.executable, "-c", WRITER, *args], cwd=CHECKOUT,
                            env=_env(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _temporary(root: Path) -> list[Path]:
    return sorted(root.rglob(".*.tmp"))


def _no_sources(tmp_path: Path) -> Path:
    """A sources file with one switched-off source: `linkwell harvest` takes the lock and stops."""
    return write_sources(tmp_path / "none.yml", [{"id": "off", "kind": "oruk", "url": "http://127.0.0.1:9/api",
                                                  "enabled": False}])


def test_killed_before_the_commit_point_nothing_is_applied_and_the_next_command_undoes_it(tmp_path):
    root, cache = tmp_path / "directory", tmp_path / "cache"
    old = copy.deepcopy(VALID_ENTRY)
    entry_path(root, old).parent.mkdir(parents=True)
    entry_path(root, old).write_text(dump_entry(old), encoding="utf-8")
    changed = copy.deepcopy(old)
    changed["name"] = "Deptford Walking Group (changed)"
    batch = [changed, *_batch(N)]
    writer = _start_writer(tmp_path, root, cache, "stage", batch)
    _wait_for(lambda: len(_temporary(root)) >= 200, writer, "200 staged files")
    writer.send_signal(signal.SIGKILL)
    writer.wait(30)
    staged = _temporary(root)
    assert 200 <= len(staged) < N + 1  # killed in the middle of staging
    assert sorted(p.name for p in root.rglob("*.yml")) == [f"{old['id']}.yml"]  # no new listing applied
    assert entry_path(root, old).read_text(encoding="utf-8") == dump_entry(old)  # the old one untouched

    checked = _linkwell(cache, "validate", str(root))  # the next command, though it only reads
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Undid an interrupted write" in checked.stderr
    assert _temporary(root) == []
    assert sorted(p.name for p in root.rglob("*.yml")) == [f"{old['id']}.yml"]
    assert entry_path(root, old).read_text(encoding="utf-8") == dump_entry(old)
    assert not list((cache / "journal").iterdir())
    assert _linkwell(cache, "validate", str(root)).returncode == 0


def test_killed_after_the_commit_point_the_next_run_completes_the_whole_batch(tmp_path):
    root, cache = tmp_path / "directory", tmp_path / "cache"
    batch = _batch(500)
    writer = _start_writer(tmp_path, root, cache, "apply", batch, pause=0.002)
    _wait_for(lambda: len(list(root.rglob("walking-group-*.yml"))) >= 100, writer, "100 renamed files")
    writer.send_signal(signal.SIGKILL)
    writer.wait(30)
    applied = len(list(root.rglob("walking-group-*.yml")))
    assert 100 <= applied < len(batch)  # killed half-way through the renames: half-applied for now
    assert list((cache / "journal").glob("*.commit"))

    result = _linkwell(cache, "harvest", "--sources", str(_no_sources(tmp_path)), "--directory", str(root))
    assert result.returncode == 0, result.stderr
    assert "Completed an interrupted write" in result.stderr
    assert _temporary(root) == []
    for entry in batch:
        assert entry_path(root, entry).read_text(encoding="utf-8") == dump_entry(entry)
    assert not list((cache / "journal").iterdir())
    assert _linkwell(cache, "validate", "--quiet", str(root)).returncode == 0


def test_validate_during_a_write_reports_its_temporary_files_and_leaves_the_batch_alone(tmp_path):
    root, cache = tmp_path / "directory", tmp_path / "cache"
    batch, go = _batch(600), tmp_path / "go"
    writer = _start_writer(tmp_path, root, cache, "stage", batch, pause=0, hold=go)  # held after 50 files
    _wait_for(lambda: len(_temporary(root)) >= 50, writer, "50 staged files")
    checked = _linkwell(cache, "validate", str(root))
    assert checked.returncode == 1
    assert "is a temporary file of a write that is under way or was interrupted" in checked.stdout
    assert "Undid" not in checked.stderr
    assert writer.poll() is None, "the writer was still staging while validate ran"
    go.touch()
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0 and "finished" in out, err
    assert _temporary(root) == [] and len(list(root.rglob("*.yml"))) == 600


PCS = london_postcodes(12)


def test_two_harvests_at_once_wait_for_each_other_and_lose_nothing(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(6)]

    release = threading.Event()

    def slow_page(request):  # the first harvest holds the lock until the second is seen waiting
        release.wait(30)
        return Response(json.dumps({"total_items": 6, "total_pages": 1, "page_number": 1, "contents": records}),
                        content_type="application/json")

    httpserver.expect_request("/api/services").respond_with_handler(slow_page)
    httpserver.expect_request("/feed", query_string="afterChange=0").respond_with_json(
        {"next": "/feed?afterChange=1", "items": [
            {"state": "updated", "kind": "SessionSeries", "id": str(i), "modified": 10 + i,
             "data": series(i, PCS[6 + i])} for i in range(1, 5)]})
    httpserver.expect_request("/feed", query_string="afterChange=1").respond_with_json(
        {"next": "/feed?afterChange=1", "items": []})
    oruk = write_sources(tmp_path / "oruk.yml", [{"id": "council-oruk", "kind": "oruk",
                                                   "url": httpserver.url_for("/api"), "oruk": {"page_size": 10}}])
    rpde = write_sources(tmp_path / "rpde.yml", [{"id": "leisure-openactive", "kind": "openactive",
                                                   "url": httpserver.url_for("/feed") + "?afterChange=0",
                                                   "defaults": {"access": ["booking"]}}])
    cache, root, state = tmp_path / "cache", tmp_path / "directory", tmp_path / "state"
    common = ["--directory", str(root), "--state-dir", str(state), "--as-of", "2026-11-20"]
    first = subprocess.Popen([sys.executable, "-m", "linkwell", "harvest", "--sources", str(oruk), *common],
                             cwd=CHECKOUT, env=_env(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (cache / lock.LOCK_FILE).exists() or not (cache / lock.LOCK_FILE).read_text():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    second = subprocess.Popen([sys.executable, "-m", "linkwell", "harvest", "--sources", str(rpde), *common],
                              cwd=CHECKOUT, env=_env(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = second.stderr.readline()  # blocks until the second run says it waits (or ends)
    release.set()
    out, err = first.communicate(timeout=60)
    _out, second_err = second.communicate(timeout=60)
    second_err = said + second_err
    assert first.returncode == 0, err
    assert second.returncode == 0, second_err
    assert "Waiting for process" in said and "linkwell harvest" in said
    assert "Wrote 6 listing files" in err and "Wrote 4 listing files" in second_err
    got = entries(root)
    assert len(got) == 10
    sources = sorted(item["source_id"] for e in got.values() for item in e["sources"])
    assert sources == ["council-oruk"] * 6 + ["leisure-openactive"] * 4
    position = json.loads((state / "leisure-openactive" / "state.json").read_text(encoding="utf-8"))
    assert position["next"].endswith("/feed?afterChange=1")


def test_a_second_run_told_not_to_wait_refuses_clearly(tmp_path):
    cache = tmp_path / "cache"
    with lock.hold(cache, command="linkwell harvest (the test)"):
        result = _linkwell(cache, "harvest", "--wait", "0", "--sources", str(_no_sources(tmp_path)),
                           "--directory", str(tmp_path / "directory"))
    assert result.returncode == 1
    assert f"process {os.getpid()} (linkwell harvest (the test)" in result.stderr
    assert "nothing was done" in result.stderr


def test_refused_harvest_keeps_no_feed_position(httpserver, tmp_path):
    httpserver.expect_request("/feed").respond_with_json(
        {"next": "/feed?afterChange=1", "items": [{"state": "updated", "kind": "SessionSeries", "id": "1",
                                                   "modified": 1, "data": series(1, PCS[0])}]})
    httpserver.expect_request("/feed", query_string="afterChange=1").respond_with_json(
        {"next": "/feed?afterChange=1", "items": []})
    httpserver.expect_request("/api/services").respond_with_data("down", status=503)
    rpde = {"id": "leisure-openactive", "kind": "openactive", "url": httpserver.url_for("/feed"),
            "defaults": {"access": ["booking"]}}
    broken = {"id": "council-oruk", "kind": "oruk", "url": httpserver.url_for("/api"),
              "http": {"pace_seconds": 0, "retries": 0, "timeout": 5}}
    result = run_harvest(tmp_path, [rpde, broken])
    assert result.exit_code == 1
    assert not list((tmp_path / "state").rglob("state.json"))
    assert not list((tmp_path / "state").rglob("http-cache/*"))
    alone = run_harvest(tmp_path, [rpde])
    assert alone.exit_code == 0, alone.output
    assert (tmp_path / "state" / "leisure-openactive" / "state.json").exists()


@pytest.mark.parametrize("count", [450])
def test_a_harvest_changing_hundreds_of_listings_completes(httpserver, tmp_path, count):
    codes = london_postcodes(count)
    url = serve_oruk(httpserver, [oruk_v3(i, codes[i]) for i in range(count)], size=100)
    result = run_harvest(tmp_path, [{"id": "council-oruk", "kind": "oruk", "url": url, "oruk": {"page_size": 100}}])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "directory").rglob("*.yml"))) == count
