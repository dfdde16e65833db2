"""ESLint (npm, pinned in package.json) over the site's scripts: no undefined or unused names.

``./run tests`` runs the same command after ruff; this test keeps it honest: the scripts pass, and
a script using a name nobody defines fails.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from linkwell.publish.site.render import __file__ as render_file

ROOT = Path(__file__).resolve().parent.parent
ESLINT = ROOT / "node_modules" / ".bin" / "eslint"
JS = Path(render_file).resolve().parent / "assets" / "js"

pytestmark = pytest.mark.skipif(not ESLINT.exists(), reason="npm packages not installed (./run tests installs them)")


def eslint(*args, source: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(ESLINT), *map(str, args)], cwd=ROOT, input=source, capture_output=True, text=True)


def test_the_sites_scripts_pass_eslint():
    run = eslint(JS)
    assert run.returncode == 0, run.stdout + run.stderr


def test_an_undefined_name_fails():
    probe = "(function () { 'use strict'; window.x = linkwellMissing + 1; })();\n"
    run = eslint("--stdin", "--stdin-filename", (JS / "probe.js").relative_to(ROOT), source=probe)
    assert run.returncode == 1
    assert "'linkwellMissing' is not defined" in run.stdout
