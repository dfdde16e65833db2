"""The JSON Schemas in ``schema/`` and validators compiled from them, built once per process.

``load(name)`` returns a schema as a dict; ``checker(name)`` / ``entry_checker()`` a fast compiled
validator (jsonschema-rs) for the yes-or-no check on every file, and ``validator(name)`` /
``entry_validator()`` the full jsonschema validator (with format checks) used to explain failures
one by one.
"""

from __future__ import annotations

import json
from functools import cache

from linkwell.reference import SCHEMA_DIR


@cache
def load(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as f:
        return json.load(f)


@cache
def checker(name: str, formats: bool = False):
    """A fast compiled validator (jsonschema-rs) for ``schema/<name>``, with the other schemas in
    ``schema/`` resolvable by their ``$id`` and nothing fetched from the network.

    ``checker(name).is_valid(data)`` answers yes or no (about ten times faster than jsonschema);
    ``.validate(data)`` raises ``jsonschema_rs.ValidationError`` naming the first problem.
    ``formats=True`` checks ``format`` (date, date-time, uri, uuid...) too; entries do without, as
    the validator parses their dates itself.
    """
    import jsonschema_rs

    resources = [(load(p.name)["$id"], load(p.name)) for p in sorted(SCHEMA_DIR.glob("*.schema.json"))
                 if "$id" in load(p.name)]
    return jsonschema_rs.validator_for(load(name), registry=jsonschema_rs.Registry(resources), offline=True,
                                       validate_formats=formats)


def entry_checker():
    """The fast validator for entries (see ``checker``); ``entry_validator`` explains failures."""
    return checker("entry.schema.json")


@cache
def validator(name: str):
    """Full jsonschema ``Draft202012Validator`` (with format checks) for ``schema/<name>``."""
    from jsonschema import Draft202012Validator, FormatChecker  # imported only when needed

    schema = load(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def entry_validator():
    return validator("entry.schema.json")


def vocabulary(*path: str) -> list[str]:
    """Allowed values of a controlled field, e.g. ``vocabulary("categories")``."""
    node = load("entry.schema.json")["properties"]
    for i, step in enumerate(path):
        node = node[step]
        if i < len(path) - 1:
            node = node["properties"]
    node = node.get("items", node)
    return list(node["enum"])


