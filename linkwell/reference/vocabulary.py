"""The words people read for each controlled value: one source for the site, the search, the
feeds, the forms and the harvest report.

The labels live beside the values they name, in ``schema/entry.schema.json`` (``x-labels`` next
to each ``enum``; ``x-descriptions`` for the categories), so the web form, which reads the same
schema, shows the same words. Fields are named by their path in an entry, as ``schema.vocabulary``
takes them: ``labels("audience", "groups")`` -> ``{"older-people": "Older people", ...}``.
Boroughs are named by ``reference.boroughs``.
"""

from __future__ import annotations

from functools import cache

from linkwell.reference import schema

FIELDS = {  # short names for the controlled fields -> their path in an entry
    "categories": ("categories",), "activities": ("activities",), "delivery": ("delivery",),
    "days": ("schedule", "days"), "frequency": ("schedule", "frequency"), "cost": ("cost",),
    "access": ("access",), "groups": ("audience", "groups"), "accessibility": ("accessibility",),
    "status": ("status",), "verified_by": ("verified_by",), "source_kind": ("sources", "kind"),
}


def _node(path: tuple[str, ...]) -> dict:
    node = schema.load("entry.schema.json")["properties"]
    for i, step in enumerate(path):
        node = node[step]
        node = node.get("items", node)
        if i < len(path) - 1:
            node = node["properties"]
    return node


@cache
def labels(field: str) -> dict[str, str]:
    """``{value: label}`` of a controlled field (a key of ``FIELDS``), in the schema's order."""
    node = _node(FIELDS[field])
    found = node.get("x-labels", {})
    return {value: found.get(value) or slug_words(value) for value in node["enum"]}


@cache
def descriptions(field: str) -> dict[str, str]:
    """``{value: a few words on what it covers}`` where the schema gives them (the categories)."""
    return dict(_node(FIELDS[field]).get("x-descriptions", {}))


def label(field: str, value: str) -> str:
    """The label of one value; an unknown value reads as its words (``peer-support`` -> ``Peer support``)."""
    return labels(field).get(value) or slug_words(value)


def in_sentence(field: str, value: str) -> str:
    """A label inside a sentence: ``Older people`` -> ``older people``; a label holding any other
    capital (``LGBTQ+ people``, ``English language (ESOL)``) is a name and stays as it is."""
    text = label(field, value)
    return text if text[1:] != text[1:].lower() else text[:1].lower() + text[1:]


def slug_words(slug: str) -> str:
    """``peer-support`` -> ``Peer support``."""
    text = slug.replace("-", " ").strip()
    return text[:1].upper() + text[1:]
