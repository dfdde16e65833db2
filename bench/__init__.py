"""Benchmarks (``python -m bench.<name>``): each prints its figures beside a reference measured in
the same run. ``scratch()`` is where they write: a temporary folder inside the project
(``.bench-tmp/``, git-ignored), or under ``$LINKWELL_BENCH_TMP``. Builds run in the checkout,
so that is where they are measured: on the 2-core VM, creating files under ``/tmp`` cost about
eight times as much as anywhere else on the same disk (575 against 60–90 µs per folder + page),
which would measure the machine's ``/tmp`` rather than the tools.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent  # the benchmarks run in Linkwell's own checkout


def scratch(prefix: str) -> tempfile.TemporaryDirectory:
    base = Path(os.environ.get("LINKWELL_BENCH_TMP") or CHECKOUT / ".bench-tmp")
    base.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=base)
