"""The website build: the real MkDocs + Material build of the bundled directory, generated pages,
incremental rebuilds, validation failures, `mkdocs build --strict` and ProperDocs."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from test_site_support import PROJECT, build, bundled_site, run_linkwell

from linkwell.listings.store import dump_entry
from linkwell.listings.validate import validate_paths
from linkwell.publish.feeds import common
from linkwell.reference.boroughs import BOROUGHS

PROPERDOCS_VERSION = "1.6.7"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return bundled_site(tmp_path_factory)


@pytest.fixture(scope="module")
def bundled_entries():
    return list(validate_paths([PROJECT / "directory"]).entries.values())


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_every_listing_has_an_entry_page(site, bundled_entries):
    assert len(bundled_entries) >= 70
    for entry in bundled_entries:
        html = _page(site, f"entries/{entry['id']}")
        assert "md-header" in html, "the page is inside the Material chrome"
        assert "<h1 id=\"listing-name\">" in html
        assert "Not yet verified — from " in html  # every bundled listing is unverified: where it came from
        assert "last reviewed" not in html  # never a placeholder review date
        assert "Cost not known — ask the group" in html and "Cost varies" not in html  # the reports give no cost
        assert 'type="application/ld+json"' in html


def test_borough_and_category_pages(site, bundled_entries):
    for slug in BOROUGHS:
        html = _page(site, f"boroughs/{slug}")
        expected = [e for e in bundled_entries if e["borough"] == slug]
        assert html.count('class="lw-item ') == len(expected)
        for entry in expected:
            assert f'href="../../entries/{entry["id"]}/"' in html
    for category in ("creative", "connected", "active", "safe"):
        html = _page(site, f"categories/{category}")
        expected = [e for e in bundled_entries if category in e["categories"]]
        assert html.count('class="lw-item ') == len(expected)
    index = _page(site, "boroughs")
    assert 'href="hackney/"' in index and "Hackney" in index


def test_nav_is_explicit_and_entries_stay_out_of_it(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', home, re.S).group(0)
    for label in ("Categories", "Boroughs", "Map", "Add your group", "For councils"):
        assert label in nav
    assert "entries/" not in nav
    config = yaml.safe_load((PROJECT / "mkdocs.yml").read_text().replace("!!python", "#"))
    assert "search" not in [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert not (site / "search" / "search_index.json").exists(), "Material's lunr index must not be built"


def test_nothing_generated_lands_in_the_sources(site):
    assert not (PROJECT / "site_src" / "entries").exists()
    assert not (PROJECT / "site_src" / "boroughs").exists()
    assert not (site / "_linkwell").exists(), "the page shells are removed after use"
    assert (site / "assets" / "vendor" / "leaflet" / "leaflet.js").is_file()
    data = json.loads((site / "assets" / "linkwell" / "boroughs.json").read_text())
    assert data["tiles"]["url"].startswith("https://") and data["boroughs"]


def test_feeds_are_written_beside_the_site(site):
    for name in ("directory.json", "directory.csv", "directory.geojson"):
        assert (site / name).is_file(), name
    assert (site / "openreferral").is_dir()


def test_entry_page_transfers_under_60_kb(tmp_path_factory):
    """HTML + every stylesheet and script it loads, gzipped (map tiles aside), on a listing with a map:
    under 60 KB (issue 16), as Leaflet is fetched only when the map comes near the screen (entry.js)."""
    from test_site_xss import located_site

    from bench.site import page_transfer
    total, parts = page_transfer(located_site(tmp_path_factory), "entries/syn-1")
    names = [name for name, _ in parts]
    assert "linkwell.css" in names and "entry.js" in names and any("main." in n for n in names), names
    assert "leaflet.js" not in names and "leaflet.css" not in names
    assert total < 60 * 1024, parts


def _copy_directory(tmp_path: Path) -> Path:
    root = tmp_path / "directory"
    shutil.copytree(PROJECT / "directory", root)
    return root


_TIMESTAMP = re.compile(rb'"generated_at":"[0-9T:-]+Z"')


def _tree(out: Path) -> dict[str, bytes]:
    """Every file of a built site (caches aside), with the feeds' generation time blanked."""
    files = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in rel.split("/")):
            files[rel] = _TIMESTAMP.sub(b'"generated_at":""', path.read_bytes())
    return files


def test_incremental_rebuild_edit_delete_rename(tmp_path):
    from bench.synthetic import generate
    from linkwell.listings.store import write_entries

    root, out, cache = _copy_directory(tmp_path), tmp_path / "site", tmp_path / "cache"
    located = list(generate(20, seed=5))  # listings with addresses, postcodes, schedules, contacts
    write_entries(root, located)
    first = build(root, out, cache)
    assert first.returncode == 0, first.stderr
    # the build's caches are kept in the cache folder: a host publishes everything in the site folder
    assert sorted(str(p.relative_to(out)) for p in out.rglob(".*")) == [".linkwell-manifest.json", "postcodes/.stamp"]
    assert list((cache / "build").glob("*/feeds.marshal.*")) and list((cache / "build").glob("*/search*.marshal*"))
    manifest = json.loads((out / ".linkwell-manifest.json").read_text())
    assert len([p for p in manifest["pages"] if p.startswith("entries/")]) == 95

    again = build(root, out, cache)
    assert "0 entry pages and 0 list pages written" in again.stdout, again.stdout

    path = root / "hackney" / "hackney-doorstep.yml" if (root / "hackney" / "hackney-doorstep.yml").exists() \
        else sorted((root / "hackney").glob("*.yml"))[0]
    entry = yaml.safe_load(path.read_text())
    entry["description"] = "An edited description that mentions kites."
    path.write_text(dump_entry(entry))
    shutil.rmtree(out / "entries" / sorted(p.stem for p in root.glob("camden/*.yml"))[-1])  # removed by hand
    edited = build(root, out, cache)
    assert "2 entry pages" in edited.stdout, edited.stdout  # the edited one, and the one whose folder went
    assert "kites" in _page(out, f"entries/{entry['id']}")
    assert "kites" in _page(out, "boroughs/hackney")

    # rename: the old page disappears, the new one appears, lists link the new one
    renamed = copy.deepcopy(entry)
    renamed["id"] = entry["id"] + "-renamed"
    path.unlink()
    (path.parent / f"{renamed['id']}.yml").write_text(dump_entry(renamed))
    # delete another listing
    victim = sorted((root / "camden").glob("*.yml"))[0]
    victim_id = victim.stem
    victim.unlink()
    result = build(root, out, cache)
    assert result.returncode == 0, result.stderr
    assert not (out / "entries" / entry["id"]).exists()
    assert not (out / "entries" / victim_id).exists()
    assert (out / "entries" / renamed["id"] / "index.html").is_file()
    assert f'entries/{renamed["id"]}/' in _page(out, "boroughs/hackney")
    assert f'entries/{victim_id}/' not in _page(out, "boroughs/camden")
    assert (out / "index.html").is_file() and (out / "directory.json").is_file()

    # a located listing moves and changes its contacts; another closes; one more is deleted
    moved = copy.deepcopy(located[0])
    moved["location"] = {k: v for k, v in (moved.get("location") or {}).items() if k not in ("lat", "lon")}
    moved["location"]["venue"] = "Kite Hall"
    moved["contact"] = {"phone": "020 7946 0123"}
    closed = copy.deepcopy(located[2])
    closed["status"] = "closed"
    write_entries(root, [moved, closed])
    gone = next(root.glob(f"*/{located[3]['id']}.yml"))
    gone.unlink()
    result = build(root, out, cache)
    assert result.returncode == 0, result.stderr

    # the incremental output is the output of a build from scratch, byte for byte
    fresh_out = tmp_path / "fresh"
    fresh = build(root, fresh_out, tmp_path / "fresh-cache")
    assert fresh.returncode == 0, fresh.stderr
    incremental, scratch = _tree(out), _tree(fresh_out)
    assert sorted(incremental) == sorted(scratch)
    assert [p for p in scratch if incremental[p] != scratch[p]] == []
    record = json.loads((out / "openreferral" / "services" / common.service_id(moved["id"])).read_text())
    assert record["phones"][0]["number"] == "020 7946 0123"
    assert not (out / "openreferral" / "services" / common.service_id(located[3]["id"])).exists()


def test_validation_errors_stop_the_build(tmp_path, entry):
    root = _copy_directory(tmp_path)
    broken = copy.deepcopy(entry)
    broken["cost"] = "cheap"
    (root / "lewisham" / f"{broken['id']}.yml").write_text(dump_entry(broken))
    result = build(root, tmp_path / "site", tmp_path / "cache")
    assert result.returncode == 1
    assert f"{broken['id']}.yml" in result.stderr and "cost" in result.stderr
    assert "Not built" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_feeds_only(tmp_path):
    result = run_linkwell("build", "--feeds-only", "--out", tmp_path / "feeds", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "feeds" / "directory.json").is_file()
    assert not (tmp_path / "feeds" / "index.html").exists()
    assert not (tmp_path / "feeds" / "entries").exists()


def test_no_search_index_and_no_feeds(tmp_path):
    result = run_linkwell("build", "--no-search-index", "--out", tmp_path / "site", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "entries").is_dir() and (tmp_path / "site" / "directory.json").is_file()
    assert not (tmp_path / "site" / "search").exists()
    result = run_linkwell("build", "--no-feeds", "--out", tmp_path / "pages", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pages" / "entries").is_dir() and (tmp_path / "pages" / "search").is_dir()
    assert not (tmp_path / "pages" / "directory.json").exists()
    assert not (tmp_path / "pages" / "openreferral").exists()


def test_mkdocs_build_strict_has_no_warnings(tmp_path):
    env = dict(os.environ, LINKWELL_CACHE_DIR=str(tmp_path / "cache"), NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-d",
                             str(tmp_path / "site")], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert "Aborted" not in result.stderr
    assert (tmp_path / "site" / "entries").is_dir()


def test_builds_with_properdocs(tmp_path):
    """ProperDocs (a drop-in fork of MkDocs 1.6) builds the same site through the same plugin.

    It is installed, pinned, into a throwaway venv (without a pip of its own: ours installs into it)
    that sees this project's packages through a .pth file, so only ProperDocs itself is downloaded.
    """
    import site as site_module
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    ours = [p for p in site_module.getsitepackages() if p.endswith("site-packages")]
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "linkwell-project.pth").write_text("\n".join([*ours, str(PROJECT)]) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet",
                              "--disable-pip-version-check",
                              f"properdocs=={PROPERDOCS_VERSION}"], capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]
    env = dict(os.environ, LINKWELL_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([str(env_dir / "bin" / "properdocs"), "build", "-f", str(PROJECT / "mkdocs.yml"),
                             "-d", str(tmp_path / "site")], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f"ProperDocs {PROPERDOCS_VERSION}" in home, "the site was built by ProperDocs, not MkDocs"
    page = (tmp_path / "site" / "entries" / "age-uk-barnet" / "index.html").read_text(encoding="utf-8")
    assert "Age UK Barnet" in page and "md-header" in page
    assert (tmp_path / "site" / "boroughs" / "barnet" / "index.html").is_file()
