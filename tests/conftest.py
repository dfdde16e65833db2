"""Shared fixtures: a valid entry, a scratch directory of listings, and headless Chromium."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from linkwell.listings.store import dump_entry
from linkwell.project import Project

CHECKOUT = Path(__file__).resolve().parent.parent  # Linkwell's own repository, itself a project
PROJECT = CHECKOUT  # older name, used by a few modules
BUNDLED = Project(CHECKOUT).directory  # the real listings this repository ships
SHARED = CHECKOUT.parent / "shared"

VALID_ENTRY = {
    "id": "deptford-walking-group",
    "name": "Deptford Walking Group",
    "organisation": {"name": "Test Walkers", "website": "https://example.org"},
    "description": "A friendly weekly walk around Deptford for people who want to get moving.",
    "categories": ["active"],
    "activities": ["walking"],
    "borough": "lewisham",
    "location": {"venue": "Deptford Lounge", "postcode": "SE8 4RJ"},
    "delivery": ["in-person"],
    "schedule": [{"days": ["tu"], "opens": "10:00", "closes": "11:30", "frequency": "weekly"}],
    "cost": "free",
    "access": ["drop-in", "self-referral"],
    "contact": {"website": "https://example.org/walks", "phone": "020 7946 0000"},
    "status": "active",
    "last_verified": "2026-01-15",
    "verified_by": "provider",
    "sources": [{"kind": "manual", "first_seen": "2026-01-15", "last_seen": "2026-01-15"}],
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep every test's validation cache out of the project folder."""
    monkeypatch.setenv("LINKWELL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _no_named_project():
    """`linkwell --project DIR` names the project for the whole process: no test passes it on."""
    saved = os.environ.pop("LINKWELL_PROJECT", None)
    yield
    os.environ.pop("LINKWELL_PROJECT", None)
    if saved is not None:
        os.environ["LINKWELL_PROJECT"] = saved


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (one per test module)."""
    from tests.test_site_support import chromium

    with chromium() as b:
        yield b


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    """A new, empty project (what `linkwell new` writes) in a scratch folder, and the working folder."""
    from linkwell.cli.new import write_project

    root = tmp_path / "project"
    write_project(root, "Linkwell Test", "https://github.com/example/linkwell-test", "")
    monkeypatch.chdir(root)
    return Project(root)


@pytest.fixture
def entry():
    return copy.deepcopy(VALID_ENTRY)


@pytest.fixture
def make_listing(tmp_path):
    """make_listing(entry=None, text=None, borough=None, name=None) -> path of a file in tmp/directory."""
    root = tmp_path / "directory"

    def make(entry=None, text=None, borough=None, name=None):
        data = copy.deepcopy(VALID_ENTRY) if entry is None else entry
        folder = root / (borough or data.get("borough", "lewisham"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name or data.get('id', 'listing')}.yml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(dump_entry(data) if text is None else text, encoding="utf-8")
        return path

    make.root = root
    return make


def pytest_collection_modifyitems(items):
    """Mark every test that drives Chromium (it uses the ``browser`` fixture) with ``browser``, so
    ``./run tests -m "not browser"`` runs the rest quickly."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_collection_finish(session):
    """When the wheel tests will run, start building and installing the wheel now (see test_wheel).
    Not in a pytest-xdist worker: every worker collects every test, and another worker's tests
    overlap the install there anyway."""
    if hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return
    if any(item.nodeid.startswith("tests/test_wheel.py") for item in session.items):
        from tests.test_wheel import build_and_install

        folder = session.config._tmp_path_factory.mktemp("wheel")
        session.config.linkwell_wheel = (folder, build_and_install(folder))


def pytest_sessionfinish(session):
    started = getattr(session.config, "linkwell_wheel", None)
    if started is not None and started[1].poll() is None:
        started[1].kill()
        started[1].wait()
