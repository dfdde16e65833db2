"""Click parameter types shared by the ``linkwell`` sub-commands.

``ISO_DATE`` accepts a date written ``YYYY-MM-DD`` and gives a ``datetime.date``; anything else
is a usage error (exit 2) that says how to write it. ``current_project()`` is the project the
command works on, or a usage error saying how to name one.
"""

from __future__ import annotations

import datetime as dt

import click

from linkwell import project as project_module


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date written as YYYY-MM-DD, e.g. 2026-01-31", param, ctx)


ISO_DATE = IsoDate()


def current_project() -> project_module.Project:
    """The project found from the working folder (or ``--project``); exit 2 with advice when there is none."""
    try:
        return project_module.find()
    except project_module.ProjectNotFound as exc:
        raise click.UsageError(str(exc)) from None
