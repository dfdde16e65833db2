"""Click parameter types shared by the ``linkwell`` sub-commands.

``ISO_DATE`` accepts a date written ``YYYY-MM-DD`` and gives a ``datetime.date``; anything else
is a usage error (exit 2) that says how to write it.
"""

from __future__ import annotations

import datetime as dt

import click


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
