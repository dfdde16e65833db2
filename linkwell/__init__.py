"""Linkwell: a community-asset directory for social prescribing in London.

One package per stage of the data flow (see README.md, "For developers"):

- ``listings``: read, validate, store and date the YAML listings in a project's ``directory/``;
- ``harvest``: fetch other directories (ORUK, OpenActive, spreadsheets) and merge them in;
- ``submissions``: turn a group's issue-form answers into a listing;
- ``publish``: the website (``site``), its search index (``search``) and the open-data feeds (``feeds``);
- ``reports``: the staleness report and the link checker;
- ``reference``: London's boroughs and postcodes, the JSON Schemas and their vocabularies;
- ``speed``: caches and other helpers that only make things faster;
- ``cli``: the thin ``linkwell`` command; ``project``: which folder the command works on.
"""

from pathlib import Path

__version__ = "0.2.0"

PACKAGE_DIR = Path(__file__).resolve().parent
