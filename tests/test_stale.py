"""``linkwell stale``: the exact report for listings either side of their thresholds (the due date
itself is fresh, the day after is stale), never-verified listings apart, closed ones skipped,
custom thresholds, Markdown escaping and exit codes."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from linkwell.cli import cli
from linkwell.listings.store import write_entries
from linkwell.reports.stale import build_report, md_escape
from tests.conftest import VALID_ENTRY

AS_OF = "2026-11-23"


def listing(entry_id, borough, categories, verified, verified_by="provider", status="active", contact=None,
            name=None):
    entry = copy.deepcopy(VALID_ENTRY)
    entry.update(id=entry_id, name=name or entry_id.replace("-", " ").title(), borough=borough,
                 categories=categories, last_verified=verified, verified_by=verified_by, status=status)
    if borough != "lewisham":  # VALID_ENTRY's postcode is in Lewisham
        del entry["location"]
        entry["delivery"] = ["online"]
    if contact is None:
        del entry["contact"]  # who to ask falls back to the organisation's website
    else:
        entry["contact"] = contact
    return entry


FIXTURES = [
    # safe: 6 months. Due 2026-11-23 = as-of day: still fresh.
    listing("hackney-advice", "hackney", ["safe"], "2026-05-23", contact={"website": "https://example.org/advice"}),
    # safe, one day older: due 2026-11-22, stale by 1 day.
    listing("hackney-debt-help", "hackney", ["safe"], "2026-05-22",
            contact={"website": "https://example.org/debt", "email": "advice@example.org"}),
    # others: 12 months. Due on the as-of day: fresh; one day older: stale.
    listing("lewisham-walks", "lewisham", ["active"], "2025-11-23"),
    listing("lewisham-choir", "lewisham", ["creative"], "2025-11-22", contact={"email": "choir@example.org"}),
    # safe + connected: the shorter threshold (6) applies. Markdown-looking name is escaped.
    listing("lewisham-money", "lewisham", ["connected", "safe"], "2026-01-01",
            contact={"website": "https://example.org/money"}, name="Money | *Help* & [advice]"),
    # a date far in the past
    listing("camden-history", "camden", ["creative"], "1990-01-01"),
    # never verified: listed apart, whatever its date
    listing("camden-new", "camden", ["connected"], "2026-11-01", verified_by="unverified",
            contact={"website": "https://example.org/new"}),
    # closed: skipped; temporarily closed: reported and marked
    listing("lewisham-closed", "lewisham", ["active"], "2000-01-01", status="closed"),
    listing("camden-paused", "camden", ["active"], "2024-06-30", status="temporarily-closed",
            contact={"email": "paused@example.org"}),
]

EXPECTED_TEXT = """\
Stale listings as of 2026-11-23 (thresholds: safe 6 months; active, connected, creative 12 months)
5 stale, 1 never verified, out of 8 listings checked (1 closed skipped).

Stale (5):
  Camden
    camden-history: Camden History — last verified 1990-01-01, due 1991-01-01, 13110 days overdue — ask: https://example.org
    camden-paused: Camden Paused [temporarily closed] — last verified 2024-06-30, due 2025-06-30, 511 days overdue — ask: https://example.org, paused@example.org
  Hackney
    hackney-debt-help: Hackney Debt Help — last verified 2026-05-22, due 2026-11-22, 1 day overdue — ask: https://example.org/debt, advice@example.org
  Lewisham
    lewisham-money: Money | *Help* & [advice] — last verified 2026-01-01, due 2026-07-01, 145 days overdue — ask: https://example.org/money
    lewisham-choir: Lewisham Choir — last verified 2025-11-22, due 2026-11-22, 1 day overdue — ask: https://example.org, choir@example.org

Never verified (1):
  Camden
    camden-new: Camden New — recorded 2026-11-01 — ask: https://example.org/new
"""  # noqa: E501

EXPECTED_MARKDOWN = """\
# Stale listings report — 2026-11-23

Thresholds: safe 6 months; active, connected, creative 12 months. 5 stale, 1 never verified, out of 8 listings checked (1 closed skipped).

A listing is stale the day after its due date. Please re-check each one with the provider (website or email below), then update `last_verified` and `verified_by` in its file.

## Stale (5)

### Camden (2)

| Listing | File | Last verified | Due | Days overdue | Who to ask |
|---|---|---|---|---:|---|
| Camden History | `directory/camden/camden-history.yml` | 1990-01-01 | 1991-01-01 | 13110 | <https://example.org> |
| Camden Paused (temporarily closed) | `directory/camden/camden-paused.yml` | 2024-06-30 | 2025-06-30 | 511 | <https://example.org> · `paused@example.org` |

### Hackney (1)

| Listing | File | Last verified | Due | Days overdue | Who to ask |
|---|---|---|---|---:|---|
| Hackney Debt Help | `directory/hackney/hackney-debt-help.yml` | 2026-05-22 | 2026-11-22 | 1 | <https://example.org/debt> · `advice@example.org` |

### Lewisham (2)

| Listing | File | Last verified | Due | Days overdue | Who to ask |
|---|---|---|---|---:|---|
| Money \\| \\*Help\\* &amp; \\[advice\\] | `directory/lewisham/lewisham-money.yml` | 2026-01-01 | 2026-07-01 | 145 | <https://example.org/money> |
| Lewisham Choir | `directory/lewisham/lewisham-choir.yml` | 2025-11-22 | 2026-11-22 | 1 | <https://example.org> · `choir@example.org` |

## Never verified (1)

### Camden (1)

| Listing | File | Recorded | Who to ask |
|---|---|---|---|
| Camden New | `directory/camden/camden-new.yml` | 2026-11-01 | <https://example.org/new> |
"""  # noqa: E501


@pytest.fixture
def folder(tmp_path, monkeypatch):
    write_entries(tmp_path / "directory", FIXTURES)
    monkeypatch.chdir(tmp_path)
    return "directory"


def run(*args):
    return CliRunner().invoke(cli, ["stale", *args])


def test_exact_text_report(folder):
    result = run("--as-of", AS_OF, folder)
    assert result.exit_code == 0, result.output
    assert result.stdout == EXPECTED_TEXT


def test_exact_markdown_report(folder):
    result = run("--as-of", AS_OF, "--format", "markdown", folder)
    assert result.exit_code == 0, result.output
    assert result.stdout == EXPECTED_MARKDOWN


def test_json_report(folder):
    result = run("--as-of", AS_OF, "--format", "json", folder)
    data = json.loads(result.stdout)
    assert [i["id"] for i in data["stale"]] == ["camden-history", "camden-paused", "hackney-debt-help",
                                                "lewisham-money", "lewisham-choir"]
    assert [i["id"] for i in data["unverified"]] == ["camden-new"]
    assert data["checked"] == 8 and data["skipped_closed"] == 1
    debt = data["stale"][2]
    assert (debt["due_on"], debt["days_overdue"], debt["threshold_months"]) == ("2026-11-22", 1, 6)
    assert debt["ask"] == ["https://example.org/debt", "advice@example.org"]


def test_boundary_day_by_day():
    """Due date = last fresh day; the day after, stale by one day."""
    entry = listing("hackney-advice", "hackney", ["safe"], "2026-05-23")
    on_due = build_report([entry], dt.date(2026, 11, 23))
    day_after = build_report([entry], dt.date(2026, 11, 24))
    assert on_due.stale == [] and on_due.checked == 1
    assert [(i.id, i.days_overdue) for i in day_after.stale] == [("hackney-advice", 1)]


def test_fail_flag_exit_codes(folder):
    assert run("--as-of", AS_OF, "--fail", folder).exit_code == 1
    # before anything went stale (only the never-verified listing is reported): exit 0 even with --fail
    result = run("--as-of", "1990-06-01", "--fail", folder)
    assert result.exit_code == 0, result.output
    assert "0 stale, 1 never verified" in result.stdout


def test_custom_threshold(folder):
    result = run("--as-of", AS_OF, "--threshold", "safe=7", "--threshold", "creative=24", "--format", "json",
                 folder)
    stale = [i["id"] for i in json.loads(result.stdout)["stale"]]
    # safe=7: hackney-debt-help (due 2026-12-22) and lewisham-money (due 2026-08-01 -> still stale)
    # creative=24: lewisham-choir is due 2027-11-22 -> fresh
    assert stale == ["camden-history", "camden-paused", "lewisham-money"]


@pytest.mark.parametrize("bad", ["safe", "safe=0", "safe=x", "sport=3"])
def test_bad_threshold_is_a_usage_error(folder, bad):
    result = run("--threshold", bad, folder)
    assert result.exit_code == 2
    assert "CATEGORY=MONTHS" in result.output and "Traceback" not in result.output


def test_bad_date_is_a_usage_error(folder):
    result = run("--as-of", "23/11/2026", folder)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_broken_files_are_skipped_with_a_note(folder, tmp_path):
    (tmp_path / "directory" / "camden" / "broken.yml").write_text("id: [\n", encoding="utf-8")
    result = run("--as-of", AS_OF, folder)
    assert result.exit_code == 0
    assert result.stdout == EXPECTED_TEXT
    assert "Skipped 1 file(s) with errors" in result.stderr and "broken.yml" in result.stderr


def test_markdown_escaping():
    assert md_escape("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert md_escape("a | b\n# c") == "a \\| b \\# c"
    assert md_escape("[x](javascript:y)") == "\\[x\\]\\(javascript:y\\)"


def test_markdown_fits_a_github_issue_when_asked():
    import datetime as dt

    from bench.synthetic import generate
    from linkwell.reports.stale import build_report, render_markdown

    entries = {f"directory/{e['borough']}/{e['id']}.yml": e for e in generate(3000)}
    report = build_report(entries, dt.date(2030, 1, 1))
    full = render_markdown(report)
    capped = render_markdown(report, max_chars=65_000)
    assert len(full) > 65_000 >= len(capped)
    shown = capped.count("\n| ") - capped.count("\n| Listing")
    left_out = int(capped.split("_")[-2].split(" more listings")[0])
    assert shown + left_out == len(report.stale) + len(report.unverified)
    assert render_markdown(report, max_chars=10_000_000) == full


def test_listing_text_in_the_stale_issue_mentions_nobody():
    assert md_escape("Ask @linkwell-london/maintainers\x00 now") == "Ask \uff20linkwell\\-london/maintainers\ufffd now"
