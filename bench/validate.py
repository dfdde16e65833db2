"""Benchmark ``linkwell validate`` on synthetic London listings.

Usage: ``python -m bench.validate [N ...]`` (default 1000 20000). For each N it writes N
synthetic entries (bench.synthetic) into a temporary folder — never into directory/ — and
prints, measured in the same run:

- the reference: a plain loop of ``yaml.safe_load`` + one reused jsonschema validator, on a
  sample of the files (entries/s, and the time it would take for all N);
- ``linkwell validate`` cold (empty cache), with nothing changed (cache warm), and after one
  file was edited, each as a fresh process, as a user would run it;
- the ratio reference / ours, and the DESIGN.md targets (20,000 entries: < 4 s cold, < 1 s
  unchanged).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from bench import scratch
from bench.synthetic import write_directory
from linkwell.reference import SCHEMA_DIR

REFERENCE_SAMPLE = 2000
LINKWELL = [sys.executable, "-m", "linkwell", "validate", "--quiet"]


def reference_rate(files: list[Path]) -> float:
    """Entries/s of the plain approach: pure-Python safe_load + a reused jsonschema validator."""
    validator = Draft202012Validator(json.loads((SCHEMA_DIR / "entry.schema.json").read_text()))
    sample = files[:REFERENCE_SAMPLE]
    start = time.perf_counter()
    for path in sample:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=yaml.SafeLoader)
        for _error in validator.iter_errors(data):
            pass
    return len(sample) / (time.perf_counter() - start)


def timed_run(folder: Path, cache: Path) -> float:
    env = dict(os.environ, LINKWELL_CACHE_DIR=str(cache))
    start = time.perf_counter()
    proc = subprocess.run([*LINKWELL, str(folder)], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"linkwell validate failed on synthetic data:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed


def bench(n: int) -> None:
    with scratch("linkwell-bench-") as tmp:
        folder, cache = Path(tmp) / "directory", Path(tmp) / "cache"
        write_directory(folder, n)
        files = sorted(folder.rglob("*.yml"))
        ref = reference_rate(files)
        cold = timed_run(folder, cache)
        warm = timed_run(folder, cache)
        edited = files[len(files) // 2]
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("cost: ", "cost_note: Bring a packed lunch.\ncost: ", 1), encoding="utf-8")
        one_edit = timed_run(folder, cache)
    print(f"\n{n:,} entries")
    print(f"  reference (safe_load + jsonschema): {ref:8,.0f} entries/s  -> {n / ref:6.2f} s for all")
    print(f"  linkwell validate, cold:            {n / cold:8,.0f} entries/s  -> {cold:6.2f} s"
          f"   ({n / ref / cold:4.1f}x faster than the reference)")
    print(f"  linkwell validate, nothing changed:                       {warm:6.2f} s")
    print(f"  linkwell validate, one file edited:                       {one_edit:6.2f} s")
    if n == 20_000:
        print(f"  targets at 20,000: cold < 4 s ({'met' if cold < 4 else 'NOT met'}), "
              f"unchanged < 1 s ({'met' if warm < 1 else 'NOT met'})")


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1_000, 20_000]
    print(f"linkwell validate benchmark on {os.cpu_count()} cores (synthetic London entries)")
    for n in sizes:
        bench(n)


if __name__ == "__main__":
    main(sys.argv[1:])
