"""Who may vouch for a listing through the forms: its maintainers (GitHub accounts).

The add form records its author as the listing's maintainer; an update from a maintainer is
``verified_by: provider``; an update from anyone else is written ``unverified`` and its message (the
pull request's body) says so, showing changed contact, website and status before and after. The
author comes from ``--author`` or from the GitHub event file (``--event``), as in the workflow.
"""

from __future__ import annotations

import json
import shutil

import pytest
from test_from_issue import CONFIRM, GOOD, PROJECT, TODAY, render, run

from linkwell.listings.loader import load_entry_file


@pytest.fixture
def directory(tmp_path):
    """A scratch copy of a few real listings (never the project's own directory/)."""
    root = tmp_path / "directory"
    for path in sorted((PROJECT / "directory").glob("lewisham/*.yml"))[:3]:
        (root / "lewisham").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, root / "lewisham" / path.name)
    return root


def _added(directory, author: str) -> tuple:
    result = run(directory, render("add-your-group.yml", GOOD), "--author", author, "--issue", "3")
    assert result.exit_code == 0, result.output
    path = directory / "lewisham" / "hither-green-chair-yoga.yml"
    return path, load_entry_file(path).data


def test_the_account_that_adds_a_listing_maintains_it(directory):
    _path, entry = _added(directory, "Lee-Wellbeing")
    assert entry["maintainers"] == ["Lee-Wellbeing"]
    assert entry["verified_by"] == "provider"


def test_an_update_from_a_maintainer_is_provider_verified(directory):
    path, _entry = _added(directory, "Lee-Wellbeing")
    answers = {"listing": "hither-green-chair-yoga", "phone": "020 7946 0009", "confirm": CONFIRM}
    result = run(directory, render("update-listing.yml", answers), "--author", "lee-wellbeing", "--issue", "4")
    assert result.exit_code == 0, result.output
    entry = load_entry_file(path).data
    assert entry["contact"]["phone"] == "020 7946 0009"
    assert entry["verified_by"] == "provider" and entry["last_verified"] == TODAY
    assert entry["maintainers"] == ["Lee-Wellbeing"]
    assert "not sent by the listing's maintainer" not in result.output


def test_an_update_from_anyone_else_is_marked_and_not_provider_verified(directory):
    path, before = _added(directory, "Lee-Wellbeing")
    answers = {"listing": "hither-green-chair-yoga", "status": "Closed for good", "website": "https://evil.example/x",
               "phone": "020 7946 0666", "confirm": CONFIRM}
    result = run(directory, render("update-listing.yml", answers), "--author", "someone-else", "--issue", "9")
    assert result.exit_code == 0, result.output
    entry = load_entry_file(path).data
    assert entry["status"] == "closed" and entry["verified_by"] == "unverified"
    assert entry["maintainers"] == ["Lee-Wellbeing"]  # an outsider does not become a maintainer
    message = result.output
    assert "**Check before merging: this update was not sent by the listing's maintainer.**" in message
    assert "It came from `someone-else`; the listing's maintainers are `Lee-Wellbeing`" in message
    assert "| Status | `active` | `closed` |" in message
    assert f"| Website | `{before['contact']['website']}` | `https://evil.example/x` |" in message
    assert "| Phone | `020 7946 0001` | `020 7946 0666` |" in message
    assert "passed every check" in message  # the checks did pass; the notice says what they cannot


def test_the_event_file_gives_body_author_issue_and_form(directory, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "opened", "issue": {
        "number": 12, "body": render("add-your-group.yml", GOOD), "user": {"login": "lee-wellbeing"},
        "labels": [{"name": "listing-submission"}]}}), encoding="utf-8")
    from click.testing import CliRunner

    from linkwell.cli.from_issue import from_issue

    result = CliRunner().invoke(from_issue, ["--event", str(event), "--directory", str(directory), "--today", TODAY],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    entry = load_entry_file(directory / "lewisham" / "hither-green-chair-yoga.yml").data
    assert entry["maintainers"] == ["lee-wellbeing"]
    assert entry["sources"][-1]["record_id"] == "12"
