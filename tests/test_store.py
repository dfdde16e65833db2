"""linkwell.listings.store: deterministic YAML and all-or-nothing atomic writes."""

from __future__ import annotations

import copy

import pytest
import yaml

from linkwell.listings.loader import load_entry_text
from linkwell.listings.store import dump_entry, entry_path, write_entries
from tests.conftest import VALID_ENTRY


def test_dump_is_deterministic_and_round_trips():
    shuffled = dict(reversed(list(VALID_ENTRY.items())))
    assert dump_entry(shuffled) == dump_entry(VALID_ENTRY)
    text = dump_entry(VALID_ENTRY)
    assert text.startswith("id: deptford-walking-group\nname: ")
    assert load_entry_text(text).data == VALID_ENTRY


def test_non_ascii_text_is_kept_readable():
    entry = copy.deepcopy(VALID_ENTRY)
    entry["name"] = "Cymdeithas Gymraeg — বাংলা — Zażółć"
    text = dump_entry(entry)
    assert "Cymdeithas Gymraeg — বাংলা — Zażółć" in text
    assert load_entry_text(text).data == entry


def test_write_is_idempotent(tmp_path):
    assert write_entries(tmp_path, [VALID_ENTRY]) == [entry_path(tmp_path, VALID_ENTRY)]
    assert write_entries(tmp_path, [VALID_ENTRY]) == []  # unchanged: not rewritten


def test_failed_batch_writes_nothing(tmp_path):
    good = copy.deepcopy(VALID_ENTRY)
    bad = copy.deepcopy(VALID_ENTRY)
    bad["id"] = "bad-one"
    bad["description"] = object()  # cannot be written as YAML
    with pytest.raises(yaml.representer.RepresenterError):
        write_entries(tmp_path, [good, bad])
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_text_that_cannot_be_encoded_writes_nothing(tmp_path):
    entry = copy.deepcopy(VALID_ENTRY)
    entry["description"] = "lone surrogate \ud800"
    with pytest.raises(UnicodeEncodeError):
        write_entries(tmp_path, [VALID_ENTRY, entry])
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_dump_that_would_not_read_back_is_refused(tmp_path, monkeypatch):
    """The round-trip guard: if the YAML written would load as different data, nothing is written."""
    import linkwell.listings.store as store

    real_dump = store.dump_entry
    monkeypatch.setattr(store, "dump_entry", lambda e: real_dump(e).replace("cost: free", "cost: 'no'"))
    with pytest.raises(ValueError, match="read back"):
        write_entries(tmp_path, [VALID_ENTRY])
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
