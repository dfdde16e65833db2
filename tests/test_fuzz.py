"""Hypothesis fuzzes the loader and validator: no exception escapes, whatever the input."""

from __future__ import annotations

import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwell.listings.loader import EntryLoadError, decode, load_entry_text
from linkwell.listings.rules import check_file
from linkwell.listings.store import dump_entry
from tests.conftest import VALID_ENTRY

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Control characters and Unicode line separators are refused by the schema; YAML folds them.
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40)
yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), printable)
yaml_values = st.recursive(yaml_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(printable, children, max_size=4)), max_leaves=20)
yaml_punctuation = st.text(alphabet=":-[]{}#&*!|>'\"%@`, \n\t?~0123456789abcdefnoyes", max_size=200)


def _load_or_error(raw: bytes):
    try:
        return load_entry_text(decode(raw)).data
    except EntryLoadError as exc:
        assert exc.message and (exc.line is None or exc.line >= 1)
        return None


@FUZZ
@given(st.binary(max_size=400))
def test_loader_survives_random_bytes(raw):
    _load_or_error(raw)


@FUZZ
@given(yaml_punctuation)
def test_loader_survives_yaml_punctuation(text):
    _load_or_error(text.encode())


@FUZZ
@given(yaml_values)
def test_loader_reads_what_yaml_writes(value):
    text = yaml.safe_dump({"field": value}, allow_unicode=True)
    data = _load_or_error(text.encode())
    if data is not None:
        assert data == {"field": value}


@FUZZ
@given(st.sampled_from(sorted(VALID_ENTRY)), yaml_values)
def test_validator_survives_any_value_in_any_field(tmp_path_factory, field, value):
    entry = copy.deepcopy(VALID_ENTRY)
    entry[field] = value
    path = tmp_path_factory.mktemp("fuzz") / "lewisham" / "deptford-walking-group.yml"
    path.parent.mkdir()
    path.write_text(dump_entry(entry), encoding="utf-8")
    _digest, result, problems = check_file(str(path), "x.yml")
    assert result is not None or problems
    for problem in problems:
        assert problem.message and problem.line >= 1


@FUZZ
@given(st.text(max_size=300))
def test_validator_survives_any_description(tmp_path_factory, text):
    entry = copy.deepcopy(VALID_ENTRY)
    entry["description"] = "PLACEHOLDER"
    path = tmp_path_factory.mktemp("fuzz") / "lewisham" / "deptford-walking-group.yml"
    path.parent.mkdir()
    # A JSON string is a YAML double-quoted scalar: the exact text, whatever characters it holds.
    path.write_text(dump_entry(entry).replace("PLACEHOLDER", json.dumps(text)), encoding="utf-8")
    _digest, result, problems = check_file(str(path), "x.yml")
    if result is not None:  # accepted text is stored and read back exactly, and holds no markup
        assert result["description"] == text
        assert not any(f"<{c}" in text for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!?")


# Where regex dialects differ: Python's \s also matches \x1c-\x1f and \x85, ECMA-262's (jsonschema-rs)
# also matches \ufeff; Python's `$` matches before a final newline.
EDGE_CHARACTERS = [chr(c) for c in [*range(0x20), *range(0x7f, 0xa1)]] + [
    "\u1680", "\u2000", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "<a", "</", "<!"]
TEXT_FIELDS = {"name": "Art club", "description": "A weekly art club.", "id": "art-club",
               ("contact", "website"): "https://example.org/art", ("contact", "email"): "info@example.org",
               ("contact", "phone"): "020 7946 0000", ("location", "postcode"): "SE8 4RJ",
               ("organisation", "name"): "Art Club"}


def _with(field, value) -> dict:
    entry = copy.deepcopy(VALID_ENTRY)
    if isinstance(field, tuple):
        entry.setdefault(field[0], {})[field[1]] = value
    else:
        entry[field] = value
    return entry


def _fast_yes_means_full_yes(entry) -> None:
    from linkwell.reference import schema

    if schema.entry_checker().is_valid(entry):
        assert not list(schema.entry_validator().iter_errors(entry))


def test_fast_schema_check_never_passes_what_jsonschema_refuses():
    """The per-file check trusts jsonschema-rs's yes; jsonschema (which explains errors) must not say no."""
    for field, base in TEXT_FIELDS.items():
        for char in EDGE_CHARACTERS:
            for value in (base + char, char + base, base[:3] + char + base[3:], char):
                _fast_yes_means_full_yes(_with(field, value))


@FUZZ
@given(st.sampled_from(sorted(TEXT_FIELDS, key=str)), st.text(max_size=40))
def test_fast_schema_check_agrees_on_any_text(field, text):
    _fast_yes_means_full_yes(_with(field, text))


def test_a_value_only_the_strict_check_refuses_still_gets_a_message(tmp_path):
    # Python's `$` also matches before a final newline, ECMA-262's (jsonschema-rs) does not.
    entry = copy.deepcopy(VALID_ENTRY)
    entry["location"]["postcode"] = "SE8 4RJ\n"
    path = tmp_path / "lewisham" / "deptford-walking-group.yml"
    path.parent.mkdir()
    path.write_text(dump_entry(entry), encoding="utf-8")
    _digest, result, problems = check_file(str(path), "x.yml")
    assert result is None
    assert [p.field for p in problems] == ["location.postcode"]
    assert "does not match" in problems[0].message
