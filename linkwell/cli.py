"""The ``linkwell`` command: a thin click front end over the library modules.

Each sub-command lives in the module that owns its concern and is imported only when used,
so ``linkwell validate`` never pays for MkDocs or requests. To add a command, add one line to
``COMMANDS``: ``"name": "module.path:function"``.
"""

from __future__ import annotations

import importlib
import sys

import click

COMMANDS = {
    "harvest": "linkwell.harvest_command:harvest",
    "build": "linkwell.build_command:build",
    "serve": "linkwell.build_command:serve",
    "validate": "linkwell.validate_command:validate",
    "stale": "linkwell.stale_command:stale",
    "check-links": "linkwell.links_command:check_links",
    "from-issue": "linkwell.from_issue_command:from_issue",
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
def cli():
    """Linkwell: London's community-asset directory for social prescribing."""


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
