"""``linkwell build`` and ``linkwell serve``: the website and feeds from the listings.

``linkwell build [--out site] [--feeds-only | --no-feeds] [--no-search-index] [--config mkdocs.yml]
[--directory DIR]`` validates the listings first (exit 1, printing every problem, when any has an
error: nothing is built), then runs the MkDocs build (hand-written pages; the linkwell plugin adds
every entry, borough and category page, the feeds and the search index) into ``--out``.
``--feeds-only`` skips the website and writes only the feeds; ``--no-feeds`` and
``--no-search-index`` leave those out (quicker previews). ``linkwell serve`` builds and serves the
site with live reload.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from pathlib import Path

import click

from linkwell.cli.options import current_project


def _validated_entries(directory: Path) -> tuple[list[dict], dict[str, str]]:
    """(entries, {entry id: content digest}) or exit 1 printing every problem."""
    from linkwell.listings import lock
    from linkwell.listings.store import lock_folder
    from linkwell.listings.validate import validate_paths
    if not directory.is_dir():
        raise click.UsageError(f"there is no listings folder at {directory}")
    lock.finish_interrupted(lock_folder())  # a batch a killed run left half-applied, when nobody is writing
    report = validate_paths([directory])
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.errors:
        click.echo(f"Not built: {len(report.errors)} errors in the listings (shown above). Fix them and run "
                   "the build again.", err=True)
        sys.exit(1)
    return list(report.entries.values()), report.entry_digests()


def _mkdocs_config(config_file: Path, out: Path | None, entries: list[dict] | None,
                   digests: dict[str, str] | None = None, **overrides):
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError
    try:
        config = load_config(config_file=str(config_file), **({"site_dir": str(out)} if out else {}), **overrides)
    except ConfigurationError as exc:
        raise click.ClickException(f"{config_file}: {exc}") from None
    plugin = config.plugins.get("linkwell")
    if plugin is None:
        raise click.ClickException(f"{config_file} does not enable the linkwell plugin (plugins: [linkwell])")
    plugin.preloaded, plugin.digests = entries, digests
    return config, plugin


def _quiet_mkdocs() -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's end-of-life banner: see DESIGN.md "Engine risk"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    handler.setLevel(logging.WARNING)
    for name in ("mkdocs", "linkwell"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write the website and feeds into (default: site/ in the project).")
@click.option("--feeds-only", is_flag=True, help="Write only the feeds (directory.json, openreferral/, CSV, GeoJSON).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="MkDocs configuration (default: mkdocs.yml of the project).")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Listings folder (default: directory/).")
@click.option("--strict", is_flag=True, help="Fail on any MkDocs warning.")
@click.option("--no-search-index", "no_search", is_flag=True,
              help="Leave the search index out (a quicker preview; the search box then finds nothing).")
@click.option("--no-feeds", is_flag=True, help="Leave the feeds out (a quicker preview of the pages).")
def build(out, feeds_only, config_file, directory, strict, no_search, no_feeds):
    """Validate the listings, then build the website and every feed into one folder."""
    started = time.monotonic()
    project = current_project()
    gc.disable()  # validation makes a million small acyclic objects: no collector passes over them
    try:
        entries, digests = _validated_entries(directory or project.directory)
    finally:
        gc.freeze()  # the entries live to the end: keep the collector's full passes from walking them again and again
        gc.enable()
    validated = time.monotonic()
    out = (out or project.site_dir).resolve()
    if feeds_only:
        from linkwell.publish.feeds import write_feeds
        out.mkdir(parents=True, exist_ok=True)
        write_feeds(entries, out, digests=digests)
        click.echo(f"Wrote the feeds for {len(entries)} listings to {out} in {time.monotonic() - started:.1f} s.")
        return
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import Abort, MkDocsException
    _quiet_mkdocs()
    config, plugin = _mkdocs_config(config_file or project.config_file, out, entries, digests, strict=strict)
    if no_search:
        plugin.config["search_index"] = False
    if no_feeds:
        plugin.config["feeds"] = False
    try:
        mkdocs_build(config)
    except (Abort, MkDocsException) as exc:
        raise click.ClickException(f"the site build failed: {exc}") from None
    stats = plugin.stats
    click.echo(f"Built {len(entries)} listings into {out} in {time.monotonic() - started:.1f} s "
               f"({stats.entry_pages_written} entry pages and {stats.listing_pages_written} list pages written, "
               f"{stats.entry_pages - stats.entry_pages_written} unchanged).")
    timings = {"validate": validated - started, **stats.timings}
    click.echo("Time: " + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in timings.items())
               + f"; MkDocs and the rest {time.monotonic() - started - sum(timings.values()):.2f} s.")
    click.echo(f"The site is in {out}/ (home page: {out / 'index.html'}). Pages link to folders and the search "
               "fetches its index, so browse it through a web server: `.venv/bin/linkwell serve` "
               f"(http://127.0.0.1:8000/, live reload) or `python3 -m http.server -d {out}`.")


@click.command()
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="MkDocs configuration (default: mkdocs.yml of the project).")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Listings folder (default: directory/).")
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
def serve(config_file, directory, dev_addr):
    """Build the site and serve it locally, rebuilding when a listing or page changes."""
    project = current_project()
    _validated_entries(directory or project.directory)  # refuse to start on broken listings, with clear messages
    from mkdocs.commands.serve import serve as mkdocs_serve
    _quiet_mkdocs()
    logging.getLogger("mkdocs").handlers[-1].setLevel(logging.INFO)
    config_file = config_file or project.config_file
    # mkdocs serve reloads the config (and the plugin) on every rebuild, so the plugin validates the
    # listings itself there; the validation cache keeps that fast.
    kwargs = {}
    if directory:
        kwargs["plugins"] = {"linkwell": {"directory": str(directory.resolve())}}
    mkdocs_serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True, **kwargs)
