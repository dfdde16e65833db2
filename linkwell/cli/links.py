"""``linkwell check-links [PATH...]``: check every website in the listings; never edits them.

Prints one line per dead, moved or doubtful link and a summary (``--format json`` for
scripts). Exit 0 when no link is dead, 1 when any is, 2 for usage errors. Options tune the
politeness: ``--per-host`` (default 2 requests at a time per site), ``--workers`` (8),
``--timeout`` seconds (10) and ``--retries`` (2).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from linkwell.cli.options import current_project
from linkwell.listings.validate import validate_paths
from linkwell.reports.links import check_entries, render_text


@click.command("check-links")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--per-host", default=2, show_default=True, type=click.IntRange(1, 8),
              help="Requests at a time to one website.")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 32), help="Requests at a time.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 120),
              help="Seconds to wait for an answer.")
@click.option("--retries", default=2, show_default=True, type=click.IntRange(0, 5),
              help="Retries after a timeout, a connection error, 429 or 5xx.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check_links(paths, per_host, workers, timeout, retries, fmt):
    """Check that every website listed in the directory still answers (read-only)."""
    if not paths:
        directory = current_project().directory
        if not directory.is_dir():
            raise click.UsageError(f"no PATH given and the project has no listings folder ({directory})")
        paths = (directory,)
    checked = validate_paths(paths)
    if checked.errors:
        click.echo(f"Skipped {len({p.file for p in checked.errors})} file(s) with errors "
                   "(run `linkwell validate` to see them).", err=True)
    entries = list(checked.entries.values())
    results = check_entries(entries, per_host=per_host, workers=workers, timeout=(min(5.0, timeout), timeout),
                            retries=retries)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(results, len(entries)), nl=False)
    sys.exit(1 if any(r.verdict == "dead" for r in results) else 0)
