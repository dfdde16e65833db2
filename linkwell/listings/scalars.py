"""Plain (unquoted) YAML scalars as PyYAML's SafeLoader reads them, for both listing readers
(``loader`` and ``quick_yaml``): YAML 1.1 booleans, integers, floats and null, with timestamps
kept as the text written. ``plain_scalar("no")`` -> False; ``implicit_tag(node)`` names the type.
"""

from __future__ import annotations

import re

import yaml

STR = "tag:yaml.org,2002:str"

# YAML 1.1 implicit types as PyYAML's SafeLoader resolves them, minus timestamps (kept as text).
_IMPLICIT = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag.rsplit(":", 1)[-1] in {"bool", "int", "float", "null"}]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_SAFE = yaml.constructor.SafeConstructor()
_FLOAT = "tag:yaml.org,2002:float"
_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]+\Z")
_CONSTRUCT = {
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
}


def implicit_tag(node) -> str:
    """The YAML 1.1 type PyYAML's SafeLoader gives a scalar (str for quoted or ordinary text)."""
    return STR if node.style else _plain_tag(node.value)


def _plain_tag(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1] or None, ()):
        if regexp.match(value):
            return tag
    return STR


def plain_scalar(value: str):
    """The value of unquoted text as YAML 1.1 reads it (``no`` -> False, ``12:30`` -> 750, dates stay text)."""
    tag = _plain_tag(value)
    if tag is STR:
        return value
    if tag == _FLOAT and _DECIMAL.match(value):
        return float(value)  # what PyYAML's constructor gives for plain decimals like -0.0238, 20x sooner
    return _CONSTRUCT[tag](yaml.ScalarNode(tag, value))


