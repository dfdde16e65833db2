"""Text that deceives: invisible characters in names, lookalike domains, Markdown in reports.

Checked where it enters: a harvest from a real ORUK server on 127.0.0.1 (the record is skipped and
reported, or written with a warning), ``linkwell validate`` on a listing written by hand, and the
harvest report (a pull-request body), which must not mention anyone or carry NUL or control bytes.
"""

from __future__ import annotations

import copy
import re

import pytest
from fixtures_harvest import entries, london_postcodes, oruk_v3, run_harvest, serve_oruk

from linkwell.harvest.text import markdown_text as _md
from linkwell.listings.lookalike import domain_problem, name_problem
from linkwell.listings.store import dump_entry, entry_path
from linkwell.listings.validate import validate_paths
from tests.conftest import VALID_ENTRY

PCS = london_postcodes(6)


@pytest.mark.parametrize("name, bad", [
    ("Walking group \u202epuorg", True),  # right-to-left override
    ("Walking \u2066group\u2069", True),  # isolates
    ("Deptford\u200bWalking", True),  # zero-width space
    ("Deptford\u200dWalking", True),  # zero-width joiner between ASCII letters
    ("\ufeffDeptford", True),
    ("می\u200cخواهم", False),  # Persian needs the zero-width non-joiner
    ("Family walks 👨\u200d👩\u200d👧", False),  # emoji sequences need the joiner
    ("Café Bangla বাংলা", False),
])
def test_names_with_invisible_characters(name, bad):
    assert (name_problem(name) is not None) is bad


@pytest.mark.parametrize("url, shown", [
    ("https://pаypal.com/", "mixes alphabets (Cyrillic and Latin)"),  # Cyrillic а
    ("https://xn--pypal-4ve.com/", "mixes alphabets"),
    ("https://bücher.example/", "in ASCII it is xn--bcher-kva.example"),
    ("https://example.org/", None),
])
def test_lookalike_domains_are_shown_in_ascii(url, shown):
    problem = domain_problem(url)
    assert (problem is None) if shown is None else (shown in problem)


def test_validate_refuses_a_name_that_reverses_itself_and_warns_on_a_lookalike_site(tmp_path):
    entry = copy.deepcopy(VALID_ENTRY)
    entry["name"] = "Deptford Walking Group \u202e"
    entry["contact"] = {"website": "https://pаypal.com/walks"}
    path = entry_path(tmp_path, entry)
    path.parent.mkdir(parents=True)
    path.write_text(dump_entry(entry), encoding="utf-8")
    report = validate_paths([tmp_path])
    assert sorted((p.field, p.severity) for p in report.problems) == [("contact.website", "warning"), ("name", "error")]
    assert "U+202E" in report.errors[0].message
    assert "xn--pypal-4ve.com" in report.warnings[0].message


def test_a_harvest_skips_deceptive_names_warns_on_lookalike_sites_and_escapes_its_report(httpserver, tmp_path):
    records = [oruk_v3(i, PCS[i]) for i in range(3)]
    records[0]["name"] = "Walking group \u202epuorg"
    records[1]["url"] = "https://pаypal.com/walks"
    records[2]["name"] = "Lunch club @octocat"
    records[2]["attributes"].append({"id": "x", "taxonomy_term": {"id": "y", "name": "@team\x00 <b>&#64;all</b>"}})
    url = serve_oruk(httpserver, records)
    result = run_harvest(tmp_path, [{"id": "council-oruk", "kind": "oruk", "url": url, "oruk": {"page_size": 3}}])
    assert result.exit_code == 0, result.output
    report = result.output
    written = entries(tmp_path / "directory")
    assert len(written) == 2 and not any("\u202e" in e["name"] for e in written.values())
    assert "name: contains an invisible character that changes the direction" in report
    assert "xn--pypal-4ve.com" in report
    assert re.search(r"@\w", report) is None  # no mention of anyone
    assert "\x00" not in report and "\u202e" not in report and "&#64;" not in report
    assert "\uff20octocat" in report


def test_markdown_escaping_of_source_text():
    assert _md("a\x00b\x07c\nd") == "a\ufffdb\ufffdc d"
    assert _md("@all [x](javascript:y) <img> &lt;") == "\uff20all \\[x\\](javascript:y) \\<img\\> \\&lt;"
