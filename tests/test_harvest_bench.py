"""Smoke test of ``bench.harvest`` at a small size: more than 400 changes, so the merge checks them in
forked workers (the size that used to crash), every record new and valid, the second run writes nothing."""

from __future__ import annotations

import re


def test_bench_harvest_small(capsys, tmp_path, monkeypatch):
    from bench import harvest

    monkeypatch.setenv("LINKWELL_BENCH_TMP", str(tmp_path))
    harvest.main(450, 100)
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if "first harvest" in line)
    second = next(line for line in out.splitlines() if "second harvest" in line)
    assert "450 new, 0 updated, 450 files written, 0 invalid" in first
    assert "0 new, 0 updated, 0 files written, 0 invalid" in second
    assert re.search(r"records/s", first) and "peak memory" in out
