"""Hypothesis fuzzes the loader and validator: no exception escapes, whatever the input."""

from __future__ import annotations

import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwell.loader import EntryLoadError, decode, load_entry_text
from linkwell.store import dump_entry
from linkwell.validate import check_file
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
