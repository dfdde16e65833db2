"""The forked feeds and search index workers: their files appear, and a failure reaches the build."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from linkwell.publish import workers


def _fails(entries, out_dir, today, digests):
    raise ValueError(f"cannot write {len(entries)} entries")


def test_workers_write_the_feeds_and_the_search_index(tmp_path, entry):
    running = workers.start([entry], tmp_path, dt.date(2026, 12, 1), cores=2)
    assert running is not None
    running.wait()
    assert json.loads((tmp_path / "directory.json").read_text())["entries"][0]["id"] == entry["id"]
    assert (tmp_path / "search").is_dir() and (tmp_path / "openreferral").is_dir()


def test_a_worker_error_is_raised_with_its_traceback(tmp_path, entry):
    running = workers.Workers([_fails], ([entry], tmp_path, dt.date(2026, 12, 1), {}))
    with pytest.raises(workers.WorkerError, match=r"(?s)fails failed:.*ValueError: cannot write 1 entries"):
        running.wait()
    assert running.running == []


def test_one_core_or_nothing_to_write_starts_no_process(tmp_path, entry):
    assert workers.start([entry], tmp_path, cores=1) is None
    assert workers.start([entry], tmp_path, feeds=False, search=False, cores=2) is None
