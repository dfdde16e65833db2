"""The quick reader (linkwell.listings.quick_yaml) reads what it accepts exactly as libyaml does, and
declines everything else (so libyaml reads it, and words any error)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import generate
from linkwell.listings import quick_yaml
from linkwell.listings.loader import EntryLoadError, load_entry_text
from linkwell.listings.scalars import plain_scalar
from linkwell.listings.store import dump_entry
from tests.conftest import BUNDLED as DIRECTORY_DIR


def libyaml(text: str):
    return load_entry_text(text, quick=False).data


def test_reads_every_bundled_listing_as_libyaml_does():
    files = sorted(Path(DIRECTORY_DIR).glob("*/*.yml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert quick_yaml.read(text) == libyaml(text), path


def test_reads_synthetic_listings_as_libyaml_does():
    for entry in generate(300, seed=7):
        text = dump_entry(entry)
        data = quick_yaml.read(text)
        assert data is not None, text
        assert data == libyaml(text) == entry


def test_yaml_1_1_surprises_read_as_libyaml_reads_them():
    text = ("id: x\nname: no\nphone: 02079460000\nopens: 12:30\nfloat: 1.5e3\nnothing: ~\nlon: -0.12\n"
            "yes_no: 'no'\nwhen: 2025-01-31\nflag: On\noctal: 0o17\nbig: 1_000\n")
    data = quick_yaml.read(text)
    assert data == libyaml(text)
    assert data["name"] is False and data["opens"] == 750 and data["nothing"] is None
    assert data["when"] == "2025-01-31" and data["yes_no"] == "no"


@pytest.mark.parametrize("text", [
    "id: x\n# a comment\nname: y\n",
    "id: x\nname: y # a comment\n",
    "id: x\nid: y\n",
    "id: x\nname:\n",
    "id: x\n\nname: y\n",
    "id: x \nname: y\n",
    "id: x\nname:\ty\n",
    "---\nid: x\n",
    "id: &a x\nname: *a\n",
    "id: !!str x\n",
    "id: x\ndays: [mo, tu]\n",
    "id: x\norg: {name: y}\n",
    "id: x\ndescription: |\n  line\n",
    "id: x\ndescription: >-\n  one\n    two\n",
    "id: x\ndescription: >-\n  one\n\n  two\n",
    "id: x\nname: two\n  lines\n",
    "id: x\nname: 'it''s\n  split'\n",
    'id: x\nname: "tab\\there"\n',
    "id: x\nName: y\n",
    "id: x\n'name': y\n",
    "  id: x\n",
    "- x\n",
    "id: x\nname: a: b\n",
    "id: x\nname: \u2028\n",
    "id: x\r\nname: y\r\n",
    "id: x\nlist:\n- a\n  - b\n",
    "id: x\nlist:\n-\n",
    "id: x\nmap:\n  a: 1\n b: 2\n",
])
def test_declines_what_it_does_not_handle(text):
    assert quick_yaml.read(text) is None


def test_a_declined_file_still_gets_libyamls_error_with_its_line():
    with pytest.raises(EntryLoadError) as caught:
        load_entry_text("id: x\nname: a: b\n")
    assert caught.value.line == 2


def test_line_numbers_come_from_libyaml_when_asked():
    text = dump_entry(next(generate(1, seed=3)))
    document = load_entry_text(text)
    assert document.node is None  # read quickly; the node tree is composed only when a line is wanted
    assert document.line_of(("borough",)) == text.splitlines().index(f"borough: {document.data['borough']}") + 1


# --- property tests: never a different reading ------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(list("ab :#-'\"?!&*[]{}|>%@`,\\\t\n~é") + ["\u2028", "\x85", "\x7f"]),
                max_size=30)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_TEXT, note=_TEXT, items=st.lists(_TEXT, max_size=3))
def test_anything_dump_entry_writes_reads_the_same_or_is_declined(name, note, items):
    entry = {"id": "x", "name": name, "organisation": {"name": note}, "categories": items,
             "description": (name + " ") * 8}
    text = dump_entry(entry)
    data = quick_yaml.read(text)
    if data is not None:
        assert data == libyaml(text)


_MUTATIONS = [" ", "  ", "\n", "- ", ": ", "#", "'", '"', ">-", "|", "[", "]", "{", "&a ", "*a", "!!str ", "\t", "---"]


def test_random_edits_never_read_differently():
    """Whatever the quick reader accepts after random edits, libyaml reads the same data from
    (and does not refuse)."""
    rng = random.Random(11)
    texts = [dump_entry(entry) for entry in generate(40, seed=5)]
    accepted = 0
    for _ in range(4000):
        text = rng.choice(texts)
        for _edit in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            cut = rng.choice([0, 0, 1, 2])
            text = text[:at] + rng.choice(_MUTATIONS + [""]) + text[at + cut:]
        data = quick_yaml.read(text)
        if data is None:
            continue
        accepted += 1
        try:
            expected = libyaml(text)
        except EntryLoadError as exc:
            pytest.fail(f"quick reader accepted text libyaml refuses ({exc.message}):\n{text}")
        assert data == expected, text
    assert accepted > 400  # the edits leave plenty of acceptable texts, so the comparison is exercised


@pytest.mark.parametrize("text", ["51.47538", "-0.0238", "+1.5", "0.0", "-0.0", "00.10", "08.5", "1_000.5", "1.5e3",
                                  ".5", "1.", "-.inf", ".nan", "1:30.5", "1.5.5", "0.1234567890123456789", "3", "no"])
def test_plain_scalars_read_as_pyyaml_reads_them(text):
    want = yaml.safe_load(text)
    got = plain_scalar(text)
    assert type(got) is type(want) and (repr(got) == repr(want))


@given(st.floats(min_value=-180, max_value=180, allow_nan=False), st.integers(min_value=1, max_value=17))
def test_decimals_read_as_pyyaml_reads_them(number, places):
    text = f"{number:.{places}f}"
    assert repr(plain_scalar(text)) == repr(yaml.safe_load(text))
