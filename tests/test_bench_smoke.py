"""Every benchmark in bench/ runs at a tiny size, so none can rot unnoticed (no timings are checked).

Each is run as ``python -m bench.<name>`` in a fresh process, writing under a scratch
``$LINKWELL_BENCH_TMP``, and must exit 0 and print its report. ``bench.search`` drives Chromium, so it
is marked ``browser``; ``bench.site`` runs without Hugo (``--no-hugo``) or the search measurement
(``--no-search``, which drives Chromium) and builds once.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import CHECKOUT

SMOKE = [
    ("harvest", ["60", "20"], "ORUK harvest benchmark: 60 records"),
    ("validate", ["40"], "linkwell validate"),
    ("feeds", ["40"], "directory.json"),
    ("site", ["30", "--no-hugo", "--no-search", "--repeats=1"], "30"),
    pytest.param("search", ["40"], "40", marks=pytest.mark.browser),
]


@pytest.mark.parametrize("name, args, expect", SMOKE, ids=lambda v: v if isinstance(v, str) else None)
def test_benchmark_runs_at_a_tiny_size(tmp_path, name, args, expect):
    env = dict(os.environ, LINKWELL_BENCH_TMP=str(tmp_path / "bench"), LINKWELL_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=str(CHECKOUT))
    result = subprocess.run([sys.executable, "-m", f"bench.{name}", *args], cwd=CHECKOUT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert expect in result.stdout
    assert "Traceback" not in result.stderr


def test_synthetic_listings_are_valid(tmp_path):
    env = dict(os.environ, LINKWELL_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(CHECKOUT))
    made = subprocess.run([sys.executable, "-m", "bench.synthetic", "25", str(tmp_path / "dir")], cwd=CHECKOUT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    assert len(list((tmp_path / "dir").rglob("*.yml"))) == 25
    checked = subprocess.run([sys.executable, "-m", "linkwell", "validate", str(tmp_path / "dir")], cwd=CHECKOUT,
                             env=env, capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
