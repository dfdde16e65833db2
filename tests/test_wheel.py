"""Linkwell as an installed tool: build the wheel, install it into a fresh venv, and use it in a
scratch folder the way a borough or a CVS would (``new``, ``validate``, ``build``,
``harvest --dry-run``, ``from-issue``), with the working folder as the project.

The wheel is built from this checkout (Leaflet comes from node_modules: ``./run tests`` runs
``npm ci`` first) and installed with pip from the package index, as ``pipx install`` would.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fixtures_harvest import london_postcodes, oruk_v3, serve_oruk, write_sources

from tests.conftest import BUNDLED, CHECKOUT


def _run(cmd: list, cwd: Path, ok: bool = True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=600, **kwargs)
    if ok:
        assert result.returncode == 0, (f"{cmd} exited {result.returncode}:\n"
                                        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def build_and_install(folder: Path) -> subprocess.Popen:
    """Start building the wheel from this checkout and installing it into ``folder/venv``, in the
    background: conftest starts it when the session begins, so the install (10-20 s, mostly
    unpacking MkDocs-Material) overlaps the other tests. The venv is a fresh one without a pip of
    its own (ours installs into it: ensurepip and compiling every module would double the time)."""
    python, checkout = shlex.quote(sys.executable), shlex.quote(str(CHECKOUT))
    script = (f"set -e; {python} -m pip wheel --no-deps --quiet -w dist {checkout}; rm -rf {checkout}/build; "
              f"{python} -m venv --clear --without-pip venv; "
              f"{python} -m pip --python venv/bin/python install --quiet --disable-pip-version-check --no-compile "
              "dist/linkwell-*.whl")
    return subprocess.Popen(["bash", "-c", script], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


@pytest.fixture(scope="module")
def installed(request, tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv holding the wheel built from this checkout."""
    started = getattr(request.config, "linkwell_wheel", None)
    if started is None:
        folder = tmp_path_factory.mktemp("wheel")
        started = (folder, build_and_install(folder))
    folder, process = started
    output, _ = process.communicate(timeout=900)
    assert process.returncode == 0, output[-3000:]
    return folder / "venv" / "bin"


def test_wheel_holds_one_package_with_its_data(installed):
    site_packages = next((installed.parent / "lib").glob("python3*/site-packages"))
    tops = {p.name for p in site_packages.iterdir() if (p / "__init__.py").exists()}
    assert "linkwell" in tops and "harvesters" not in tops and "bench" not in tops and "tests" not in tops
    package = site_packages / "linkwell"
    for needed in ["reference/schemas/entry.schema.json", "reference/data/london_postcodes.csv.gz",
                   "publish/site/templates/entry.html", "publish/site/theme/main.html",
                   "publish/site/assets/js/search.js", "publish/site/assets/css/linkwell.css",
                   "publish/site/assets/vendor/leaflet/leaflet.js", "publish/site/assets/js/ajv2020.js",
                   "publish/site/assets/js/qrcode.js", "project_template/site_src/index.md",
                   "project_template/github/workflows/validate.yml"]:
        assert (package / needed).is_file(), needed


def test_installed_linkwell_works_in_a_folder_of_its_own(installed, tmp_path, httpserver):
    linkwell = installed / "linkwell"
    site_packages = next((installed.parent / "lib").glob("python3*/site-packages"))
    package_before = _files(site_packages / "linkwell")

    _run([linkwell, "new", "hackney-directory", "--name", "Linkwell Hackney",
          "--repo-url", "https://github.com/example/hackney-directory"], cwd=tmp_path)
    project = tmp_path / "hackney-directory"
    for name in ["mkdocs.yml", "README.md", "harvesters/sources.yml", "site_src/index.md",
                 ".github/workflows/validate.yml", ".github/ISSUE_TEMPLATE/add-your-group.yml"]:
        assert (project / name).is_file(), name
    assert not list((project / "directory").rglob("*.yml"))

    # two real listings, in a subfolder of the project: linkwell finds the project from there
    (project / "directory" / "lewisham").mkdir()
    for path in sorted((BUNDLED / "lewisham").glob("*.yml"))[:2]:
        shutil.copy(path, project / "directory" / "lewisham")
    checked = _run([linkwell, "validate"], cwd=project / "directory" / "lewisham")
    assert "Checked 2 listing files: 0 errors" in checked.stderr

    built = _run([linkwell, "build"], cwd=project)
    site = project / "site"
    assert "Built 2 listings" in built.stdout
    for name in ["index.html", "js/search.js", "css/linkwell.css", "assets/vendor/leaflet/leaflet.js",
                 "schema/entry.schema.json", "directory.json", "openreferral/index.json"]:
        assert (site / name).is_file(), name
    first = sorted((project / "directory" / "lewisham").glob("*.yml"))[0].stem
    assert "Linkwell Hackney" in (site / "entries" / first / "index.html").read_text()
    add_page = (site / "add-your-group" / "index.html").read_text()
    assert "https://github.com/example/hackney-directory/issues/new" in add_page

    # a harvest dry run against a real ORUK server: a report, nothing written
    base = serve_oruk(httpserver, [oruk_v3(1, london_postcodes(1)[0])], size=10)
    write_sources(project / "harvesters" / "sources.yml",
                  [{"id": "test-oruk", "kind": "oruk", "url": base, "oruk": {"page_size": 10}}])
    listings_before = _files(project / "directory")
    dry = _run([linkwell, "harvest", "--dry-run"], cwd=project)
    assert "test-oruk" in dry.stdout and _files(project / "directory") == listings_before

    # a group's issue form becomes a listing in this project's directory/
    body = _run([sys.executable, "-c", "from tests.test_from_issue import VERBATIM_BODY; print(VERBATIM_BODY)"],
                cwd=CHECKOUT).stdout
    (tmp_path / "body.md").write_text(body, encoding="utf-8")
    _run([linkwell, "--project", project, "from-issue", tmp_path / "body.md", "--issue", "7"], cwd=tmp_path)
    written = [p for p in (project / "directory").rglob("*.yml") if str(p.relative_to(project / "directory"))
               not in listings_before]
    assert len(written) == 1 and yaml.safe_load(written[0].read_text())["name"] == "Tuesday Riverside Walk"
    assert _run([linkwell, "validate"], cwd=project).returncode == 0

    # the installed package never writes next to its own files
    assert _files(site_packages / "linkwell") == package_before
    assert not list(CHECKOUT.glob("directory/**/tuesday-riverside-walk*.yml"))


def test_outside_a_project_linkwell_says_what_to_do(installed, tmp_path):
    result = _run([installed / "linkwell", "validate"], cwd=tmp_path, ok=False)
    assert result.returncode == 2
    assert "No Linkwell project here" in result.stderr and "linkwell new" in result.stderr
    assert "Traceback" not in result.stderr
