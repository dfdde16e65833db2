"""Turn jsonschema errors into sentences a volunteer can act on.

``explain(error, document)`` takes one ``jsonschema.ValidationError`` raised on an entry and the
``LoadedDocument`` it came from, and returns ``(field, message)`` pairs: the dotted field name
(``contact.phone``, ``schedule[0].opens``) and a plain-English message.
"""

from __future__ import annotations

import difflib

from linkwell.listings.areas import suggest
from linkwell.listings.loader import LoadedDocument

_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
               "object": "a group of 'field: value' lines", "boolean": "true or false"}

_PATTERN_HELP = {
    "id": "must be lowercase letters, digits and single hyphens, like 'deptford-walking-group'",
    "website": "must be a full web address starting with https:// (or http://)",
    "url": "must be a full web address starting with https:// (or http://)",
    "postcode": "is not shaped like a UK postcode (for example SE8 4RJ)",
    "opens": 'must be a 24-hour time like "09:30", written in quotes',
    "closes": 'must be a 24-hour time like "17:00", written in quotes',
    "phone": "must be a phone number using digits, spaces and brackets only, like 020 7946 0000",
    "email": "must be an email address like info@example.org",
    "charity_number": "must be a charity number from the Charity Commission, like 1123456",
    "company_number": "must be an 8-character Companies House number, like 01234567",
    "languages": "must be a two-letter language code, like en, bn or pl",
    "source_id": "must be lowercase letters, digits and hyphens",
    "last_verified": 'must be a date written as "YYYY-MM-DD", in quotes',
    "first_seen": 'must be a date written as "YYYY-MM-DD", in quotes',
    "last_seen": 'must be a date written as "YYYY-MM-DD", in quotes',
    "not_seen_since": 'must be a date written as "YYYY-MM-DD", in quotes',
}

_PLAIN_TEXT_HELP = ("must be plain text: remove HTML such as <b>, <a> or <script> "
                    "(links go in contact.website)")


def field_name(path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(file)"


def _show(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _last_key(path) -> str:
    for step in reversed(list(path)):
        if isinstance(step, str):
            return step
    return ""


def _required(error, path, value):
    missing = [name for name in error.validator_value if name not in (value or {})]
    return [(path + (name,), "is missing; every listing needs it (see schema/README.md)") for name in missing]


def _unknown_fields(error, path, value):
    allowed = sorted(error.schema.get("properties", {}))
    out = []
    for name in sorted(set(value) - set(allowed), key=str):
        guess = difflib.get_close_matches(str(name), allowed, n=1)
        hint = f"did you mean '{guess[0]}'? " if guess else ""
        out.append((path + (name,), f"is not a field Linkwell knows; {hint}allowed here: {', '.join(allowed)}"))
    return out


def _wrong_type(error, path, value):
    wanted = error.validator_value
    words = " or ".join(_TYPE_WORDS.get(w, w) for w in ([wanted] if isinstance(wanted, str) else wanted))
    return [(path, f"must be {words}, not {_show(value)}")]


def _not_allowed(error, path, value):
    if path and (path[0] == "borough" or (path[0] == "areas_served" and len(path) == 2)):
        return [(path, _place_help(path[0], value))]
    options = ", ".join(str(o) for o in error.validator_value)
    return [(path, f"{_show(value)} is not one of the allowed values: {options}")]


def _place_help(key: str, value) -> str:
    """A borough or area that is not one of ours: the nearest slug, or how to write one."""
    guess = suggest(value)
    if key == "borough":
        guess = None if guess == "london" else guess
        shape = "a London borough slug, like lewisham or tower-hamlets"
    else:
        shape = "a London borough slug, like lewisham or tower-hamlets, or london for all of London"
    if guess and guess != value:
        return f"{_show(value)} is not {shape}; did you mean {guess}? See schema/README.md for every slug"
    return f"{_show(value)} is not {shape}; see schema/README.md for every slug"


def _repeated(error, path, value):
    if path == ("areas_served",) and isinstance(value, list):
        seen, twice = set(), []
        for item in value:
            if item in seen and item not in twice:
                twice.append(item)
            seen.add(item)
        named = ", ".join(str(t) for t in twice)
        return [(path, f"lists {named} more than once; give each area once")]
    return [(path, "lists the same value more than once")]


def _pattern(error, path, value):
    key = _last_key(path)
    if key in {"website", "url"}:
        return [(path, f"{_PATTERN_HELP[key]} (got {_show(value)})")]
    if isinstance(value, str) and "<" in value:
        return [(path, _PLAIN_TEXT_HELP)]
    if isinstance(value, str) and "\n" in value and key != "description":
        return [(path, "must be a single line of text")]
    if key in _PATTERN_HELP:
        return [(path, f"{_PATTERN_HELP[key]} (got {_show(value)})")]
    if isinstance(value, str) and any(ord(c) < 32 and c not in "\n\t\r" for c in value):
        return [(path, "contains invisible control characters; retype it as plain text")]
    return [(path, f"{_show(value)} is not in the expected form")]


_BOUNDS = {"lat": "51.2 to 51.8 (London)", "lon": "-0.6 to 0.4 (London)"}


def _out_of_range(error, path, value):
    key = _last_key(path)
    if key in {"min_age", "max_age"}:
        limit = error.validator_value
        return [(path, f"{_show(value)} is not an age we accept: the "
                       f"{'youngest' if error.validator == 'minimum' else 'oldest'} is {limit}")]
    return [(path, f"{_show(value)} is out of range; expected {_BOUNDS.get(key, 'a sensible value')}")]


_EXPLAIN = {
    "required": _required,
    "additionalProperties": _unknown_fields,
    "type": _wrong_type,
    "enum": _not_allowed,
    "pattern": _pattern,
    "format": lambda error, path, value: [(path, f'must be a real date written as "YYYY-MM-DD" (got {_show(value)})')],
    "minItems": lambda error, path, value: [(path, "needs at least one value" + (
        "; leave areas_served out when you do not know" if path == ("areas_served",) else ""))],
    "maxItems": lambda error, path, value: [(path, f"lists {len(value)} areas; London has 33 boroughs: "
                                                   "write [london] for all of London")],
    "minLength": lambda error, path, value: [(path, "must not be empty")],
    "maxLength": lambda error, path, value: [
        (path, f"is {len(value):,} characters long; the limit is {error.validator_value:,}")],
    "uniqueItems": _repeated,
    "minimum": _out_of_range,
    "maximum": _out_of_range,
    "dependentRequired": lambda error, path, value: [(path, "lat and lon must be given together")],
}


def explain(error, document: LoadedDocument) -> list[tuple[tuple, str]]:
    """``[(path, message)]`` for one jsonschema error: a YAML surprise (``no`` read as false...)
    when that explains it, else the sentence for its kind of error."""
    path = tuple(error.absolute_path)
    surprise = document.yaml_surprise(path)
    if surprise and error.validator in {"type", "enum", "pattern", "format"}:
        return [(path, surprise)]
    explainer = _EXPLAIN.get(error.validator)
    return explainer(error, path, error.instance) if explainer else [(path, error.message[:200])]
