"""``linkwell stale [--as-of DATE] [--format text|markdown|json] [--threshold CAT=MONTHS] [--fail] [PATH...]``.

Prints the staleness report (``linkwell.reports.stale``) for the listings under PATH (default:
``directory/``). Files with errors are skipped with a note on stderr (run ``linkwell
validate``). Exit 0; with ``--fail``, exit 1 when any listing is stale (never-verified
listings are reported but do not fail). Exit 2 for usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from linkwell.cli.options import ISO_DATE, current_project
from linkwell.listings.freshness import DEFAULT_THRESHOLDS
from linkwell.listings.validate import validate_paths
from linkwell.reference.schema import vocabulary
from linkwell.reports.stale import RENDERERS, build_report, render_markdown


def parse_thresholds(values) -> dict[str, int]:
    thresholds = dict(DEFAULT_THRESHOLDS)
    categories = vocabulary("categories")
    for value in values:
        category, _, months = value.partition("=")
        if category not in categories or not months.isdigit() or int(months) < 1:
            raise click.BadParameter(f"'{value}': write CATEGORY=MONTHS with a category from "
                                     f"{', '.join(categories)} and a whole number of months, e.g. safe=3",
                                     param_hint="--threshold")
        thresholds[category] = int(months)
    return thresholds


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", "as_of", type=ISO_DATE, default=None,
              help="Report as if today were this date (YYYY-MM-DD). Default: today.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="markdown suits a recurring tracking issue; json suits scripts.")
@click.option("--threshold", "thresholds", multiple=True, metavar="CATEGORY=MONTHS",
              help="Override a category's threshold (repeatable). Default: safe=6, others 12.")
@click.option("--fail", is_flag=True, help="Exit 1 when any listing is stale.")
@click.option("--max-chars", type=click.IntRange(min=1000), default=None,
              help="Markdown only: leave out rows beyond this size (GitHub issues take 65,536 characters).")
def stale(paths, as_of, fmt, thresholds, fail, max_chars):
    """Report listings whose details are due for re-checking, grouped by borough."""
    limits = parse_thresholds(thresholds)
    if not paths:
        directory = current_project().directory
        if not directory.is_dir():
            raise click.UsageError(f"no PATH given and the project has no listings folder ({directory})")
        paths = (directory,)
    import datetime as dt

    today = as_of or dt.date.today()
    checked = validate_paths(paths)
    bad_files = sorted({p.file for p in checked.errors})
    if bad_files:
        click.echo(f"Skipped {len(bad_files)} file(s) with errors (run `linkwell validate` to see them): "
                   + ", ".join(bad_files[:5]) + (" ..." if len(bad_files) > 5 else ""), err=True)
    report = build_report(checked.entries, today, limits)
    text = render_markdown(report, max_chars) if fmt == "markdown" else RENDERERS[fmt](report)
    click.echo(text, nl=False)
    sys.exit(1 if fail and report.stale else 0)
