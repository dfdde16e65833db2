"""The ``linkwell`` command: a thin click front end over the library modules.

Each sub-command lives in the module that owns its concern and is imported only when used,
so ``linkwell validate`` never pays for MkDocs or requests. Every command works on the project
found from the working folder (``linkwell.project``); ``linkwell --project DIR <command>`` names
another. To add a command, add one line to ``COMMANDS``: ``"name": "module.path:function"``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

COMMANDS = {
    "harvest": "linkwell.cli.harvest:harvest",
    "build": "linkwell.cli.build:build",
    "serve": "linkwell.cli.build:serve",
    "validate": "linkwell.cli.validate:validate",
    "stale": "linkwell.cli.stale:stale",
    "check-links": "linkwell.cli.links:check_links",
    "from-issue": "linkwell.cli.from_issue:from_issue",
    "new": "linkwell.cli.new:new",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="linkwell")
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The project folder (holding mkdocs.yml). Default: the working folder or the nearest above it.")
def cli(project_dir):
    """Linkwell: London's community-asset directory for social prescribing."""
    if project_dir is not None:
        from linkwell import project
        try:
            project.use(project_dir)
        except project.ProjectNotFound as exc:
            raise click.UsageError(str(exc)) from None


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
