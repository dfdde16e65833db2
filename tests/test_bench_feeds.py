"""Smoke test of ``python -m bench.feeds`` at a small size: it runs end to end (feeds, ORUK sizes,
the whole site's size) and prints its figures beside their references and targets."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import CHECKOUT


def test_bench_feeds_prints_bytes_per_service_and_the_site_size(tmp_path):
    env = dict(os.environ, LINKWELL_BENCH_TMP=str(tmp_path), LINKWELL_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, "-m", "bench.feeds", "120"], cwd=CHECKOUT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    record = re.search(r"service records +([\d,]+) bytes +([\d.]+) × ref +\((under|OVER) the 2,500-byte target\)", out)
    assert record, out
    assert 500 < int(record.group(1).replace(",", "")) < 5000
    assert re.search(r"openreferral/ in all +[\d,]+ bytes", out)
    site = re.search(r"120 listings: the published site ([\d.,]+) MB, ([\d.]+) × GitHub Pages' 1 GB limit", out)
    assert site, out
    for folder in ("entries", "openreferral", "search"):
        assert re.search(rf"^  {folder} +[\d.]+ MB", out, re.M), folder
    assert list(tmp_path.glob("linkwell-feeds-*")) == []  # scratch folders are removed
