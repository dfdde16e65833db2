"""``linkwell validate [PATH...]``: check listing files and print one line per problem.

Exit 0 when every file is valid (warnings allowed unless ``--strict``), 1 when any file has an
error, 2 for usage errors (such as a path that does not exist).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from linkwell.cli.options import current_project
from linkwell.listings import lock
from linkwell.listings.store import lock_folder
from linkwell.listings.validate import validate_paths


def summary_table(entries: dict[str, dict]) -> str:
    """Listings per borough and per category, as plain text."""
    by_borough = Counter(e["borough"] for e in entries.values())
    by_category = Counter(c for e in entries.values() for c in e["categories"])
    lines = [f"{len(entries)} listings in {len(by_borough)} boroughs", "", "By borough:"]
    lines += [f"  {slug:<26}{n:>5}" for slug, n in sorted(by_borough.items())]
    lines += ["", "By category:"]
    lines += [f"  {name:<26}{n:>5}" for name, n in sorted(by_category.items())]
    return "\n".join(lines)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--summary", is_flag=True, help="After checking, print listings per borough and category.")
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, no closing line.")
def validate(paths, strict, summary, quiet):
    """Check listing files (default: the directory/ folder) against the schema and the rules."""
    if not paths:
        directory = current_project().directory
        if not directory.is_dir():
            raise click.UsageError(f"no PATH given and the project has no listings folder ({directory})")
        paths = (directory,)
    lock.finish_interrupted(lock_folder())  # a batch a killed run left half-applied, when nobody is writing
    report = validate_paths(paths, load_entries=summary)
    for problem in report.problems:
        click.echo(str(problem))
    failed = report.errors or (strict and report.warnings)
    if not quiet:
        click.echo(f"Checked {report.files_checked} listing files: {len(report.errors)} errors, "
                   f"{len(report.warnings)} warnings.", err=True)
    if summary and not failed:
        click.echo(summary_table(report.entries))
    sys.exit(1 if failed else 0)
