"""The thin ``linkwell`` command: every sub-command loads, and shared options behave alike."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from linkwell.cli import COMMANDS, cli


def test_every_command_is_listed_and_has_help():
    runner = CliRunner()
    listing = runner.invoke(cli, ["--help"])
    assert listing.exit_code == 0
    expected = {"validate", "build", "serve", "stale", "harvest", "from-issue", "check-links"}
    assert expected <= set(COMMANDS)
    for name in COMMANDS:
        assert name in listing.output
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)


@pytest.mark.parametrize("args", [["stale", "--as-of", "2026-02-30"], ["harvest", "--as-of", "soon"],
                                  ["from-issue", "--today", "31/01/2026", "README.md"]])
def test_bad_dates_are_usage_errors(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "is not a date written as YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output
