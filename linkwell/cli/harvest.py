"""``linkwell harvest``: run the harvesters, merge into ``directory/``, print a Markdown report.

``linkwell harvest [--sources FILE] [--source ID]... [--dry-run] [--directory DIR] [--state-dir DIR]
[--max-drop PERCENT] [--as-of DATE] [--report FILE] [--wait SECONDS]``

Runs every enabled source in the sources file (default ``harvesters/sources.yml``), or only the
ones named with ``--source`` (which runs them even when ``enabled: false``). The report (new,
updated, unchanged, not seen, refused, skipped, unmapped) goes to standard output, ready to paste
as a pull-request body (``--report FILE`` also writes it to a file). ``--dry-run`` prints the
report and a unified diff and writes nothing, not even the feed positions.

The whole run holds the project's write lock (``linkwell.listings.lock``): a second harvest or from-issue
waits for it (saying so) up to ``--wait`` seconds, then refuses. The listings and what the run keeps
for the next one (RPDE positions, conditional-GET copies) are written as one all-or-nothing batch.
Exit 0 when the changes were applied or there were none, 1 when the run was refused or failed
(nothing written), 2 for usage errors.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from linkwell.cli.options import ISO_DATE, current_project
from linkwell.listings import lock


@click.command()
@click.option("--sources", "sources_file", type=click.Path(path_type=Path), default=None,
              help="The sources file (default: harvesters/sources.yml).")
@click.option("--source", "only", multiple=True, metavar="ID", help="Harvest only this source (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the report and a diff; write nothing.")
@click.option("--directory", type=click.Path(path_type=Path), default=None,
              help="The listings folder to merge into (default: directory/).")
@click.option("--state-dir", type=click.Path(path_type=Path), default=None,
              help="Where feed positions and HTTP caches are kept (default: .linkwell-cache/harvest).")
@click.option("--max-drop", type=click.FloatRange(0, 100), default=15.0, show_default=True,
              help="Refuse a source that would lose more than this percentage of its records.")
@click.option("--as-of", "as_of", type=ISO_DATE, default=None, help="Treat this date as today.")
@click.option("--report", "report_file", type=click.Path(path_type=Path), default=None,
              help="Also write the Markdown report to this file.")
@click.option("--wait", type=click.FloatRange(0), default=lock.DEFAULT_WAIT, show_default=True,
              help="Seconds to wait for another run writing to this project; 0 refuses at once.")
def harvest(sources_file, only, dry_run, directory, state_dir, max_drop, as_of, report_file, wait):
    """Harvest the configured sources into the directory and print a report."""
    project = current_project()
    try:
        with lock.hold(project.cache_dir, wait=wait):
            _harvest(project, sources_file, only, dry_run, directory, state_dir, max_drop, as_of, report_file)
    except lock.Busy as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


def _harvest(project, sources_file, only, dry_run, directory, state_dir, max_drop, as_of, report_file):
    from linkwell.harvest import SourcesError, load_sources, run_source
    from linkwell.harvest.merge import plan

    today = as_of or dt.date.today()
    sources_file = sources_file or project.sources_file
    directory = directory or project.directory
    state_dir = state_dir or project.harvest_state_dir
    try:
        sources = load_sources(sources_file)
    except SourcesError as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        sys.exit(2)
    known = {s.id for s in sources}
    unknown = [s for s in only if s not in known]
    if unknown:
        raise click.UsageError(f"no source called {', '.join(unknown)} in {sources_file} "
                               f"(it has: {', '.join(sorted(known)) or 'none'})")
    chosen = [s for s in sources if s.id in only] if only else [s for s in sources if s.enabled]
    if not chosen:
        click.echo(f"No enabled sources in {sources_file}; enable one or name it with --source.", err=True)
        sys.exit(0)
    results, state = [], {}
    for source in chosen:
        click.echo(f"Harvesting {source.id} ({source.kind}) from {source.location} ...", err=True)
        results.append(run_source(source, today, state_dir, pending=state))
    merge_plan = plan(directory, results, today, max_drop=max_drop / 100)
    text = merge_plan.report(dry_run=dry_run)
    if dry_run:
        diff = merge_plan.diff()
        text += "\n### Diff (dry run: nothing written)\n\n" + (f"```diff\n{diff}```\n" if diff else "No changes.\n")
    click.echo(text)
    if report_file:
        report_file.write_text(text, encoding="utf-8")
    if not merge_plan.ok:
        sys.exit(1)
    if dry_run:
        sys.exit(0)
    try:
        written = merge_plan.apply(files=state)
    except (OSError, ValueError) as exc:
        click.echo(f"Nothing was written: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {len(written)} listing file{'s' if len(written) != 1 else ''}.", err=True)
    sys.exit(0)
