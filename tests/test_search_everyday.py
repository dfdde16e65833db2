"""Everyday words: the stemmer and the synonym table (linkwell.publish.search.everyday), and the column
files the browser counts filter options with (linkwell.publish.search.files.column_files)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from linkwell.publish.search.everyday import SYNONYMS, query_groups, search_table, stem, tokens
from linkwell.publish.search.facets import facet_values
from linkwell.publish.search.index import build_files
from linkwell.reference.schema import vocabulary


@pytest.mark.parametrize(("word", "expected"), [
    ("debts", "debt"), ("debt", "debt"), ("counselling", "counsel"), ("counsellor", "counsellor"),
    ("loneliness", "lonel"), ("lonely", "lone"), ("isolated", "isolat"), ("isolation", "isolat"),
    ("depressed", "depress"), ("depression", "depress"), ("carers", "carer"), ("carer", "carer"),
    ("walking", "walk"), ("swimming", "swim"), ("activities", "activit"), ("classes", "class"),
    ("class", "class"), ("bus", "bus"), ("caring", "caring"), ("need", "need"), ("arts", "art"),
    ("gardening", "garden"), ("families", "famil"), ("yoga", "yoga"),
])
def test_stem(word, expected):
    assert stem(word) == expected


def test_every_form_of_a_word_is_found_by_its_stem_as_a_prefix():
    for forms in (["debt", "debts"], ["lonely", "loneliness"], ["isolated", "isolation"],
                  ["depressed", "depression"], ["counselling", "counselled", "counsel"], ["carer", "carers"]):
        for typed in forms:
            assert all(other.startswith(stem(typed)) for other in forms), (typed, forms)


def group_of(text):
    groups = query_groups(text)
    assert len(groups) == 1, groups
    return groups[0]


@pytest.mark.parametrize(("typed", "term", "facet"), [
    ("lonely", "befriend", ("cat", "connected")),
    ("loneliness", "isolat", ("act", "befriending")),
    ("social connection", "befriend", ("cat", "connected")),
    ("Isolated", "lonel", ("act", "social-group")),
    ("debts", "debt", ("act", "debt")),
    ("counselling", "therap", ("act", "mental-health")),
    ("counseling", "counsel", ("act", "mental-health")),
    ("depressed", "depress", ("act", "mental-health")),
    ("low mood", "mood", ("act", "mental-health")),
    ("carer", "caring", ("grp", "carers")),
    ("carers", "carer", ("act", "carers")),
])
def test_everyday_words_reach_the_directorys_words_and_tags(typed, term, facet):
    prefixes, facets = group_of(typed)
    assert term in prefixes
    assert facet[1] in facets[facet[0]]


def test_a_word_outside_the_table_is_its_own_stem():
    assert query_groups("ukuleles choir") == [(["ukulele"], {}),
                                              (["choir", "sing", "choir", "music"], {"act": ["music"]})]


def test_phrases_and_words_combine_in_order():
    groups = query_groups("social connection in Lewisham")
    assert [p[:1] for p, _ in groups] == [["lonel"], ["lewisham"]]
    assert groups[0][1]["cat"] == ["connected"]


def test_the_table_uses_only_schema_values_and_each_word_once():
    allowed = {"cat": set(vocabulary("categories")), "act": set(vocabulary("activities")),
               "grp": set(vocabulary("audience", "groups"))}
    seen = {}
    for name, group in SYNONYMS.items():
        assert set(group) <= {"words", "terms", "cat", "act", "grp"}, name
        assert group["words"] and group["terms"], name
        for key in ("cat", "act", "grp"):
            assert set(group.get(key, [])) <= allowed[key], (name, key)
        for term in group["terms"]:
            assert term == term.lower() and len(tokens(term)) == 1 and len(term) >= 3, (name, term)
        for word in group["words"]:
            key = " ".join(stem(t) for t in tokens(word))
            assert 1 <= len(key.split()) <= 2, (name, word)
            assert seen.setdefault(key, name) == name, f"{word!r} is in both {seen[key]} and {name}"
    table = search_table()
    assert set(table["syn"].values()) == set(range(len(SYNONYMS)))


def test_meta_carries_the_table_and_columns_count_every_value():
    from bench.synthetic import generate
    entries = list(generate(400, seed=3))
    meta, files, _ = build_files(entries, dt.date(2026, 11, 23), postcode_files=False)
    assert meta["syn"]["lone"] == list(SYNONYMS).index("lonely")
    assert "act/befriending" in meta["facetFiles"] or not any("befriending" in e.get("activities", []) for e in entries)
    values = facet_values()
    assert "c/act.json" not in files  # not in the form: no counts needed
    for key in ("cat", "bor", "cost", "grp", "lang", "day"):
        col = json.loads(files[f"c/{key}.json"])
        data = base64.b64decode(col["d"])
        assert col["n"] == len(values[key]) and len(data) == meta["total"] * col["w"]
        for i, value in enumerate(values[key]):
            path = f"f/{key}/{value}.json"
            want = 0
            if path in files:
                body = json.loads(files[path])
                want = len(body) and (sum(1 for _ in body) if isinstance(body, list) else
                                      sum(bin(b).count("1") for b in base64.b64decode(body)))
            if col["s"]:
                got = sum(1 for b in data if b == i + 1)
            else:
                got = sum(1 for n in range(meta["total"]) if data[n * col["w"] + i // 8] & (1 << (i % 8)))
            assert got == want, (key, value)
