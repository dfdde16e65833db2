"""Everyday words a link worker types, and what the directory calls the same thing.

The search stems each typed word (``stem``: "debts" -> "debt", "counselling" -> "counsel",
"loneliness" -> "lonel") and matches it as a prefix of the words listings use, so a plural or
an -ing form finds the same listings as the plain word. On top of that, ``SYNONYMS`` maps
social-prescribing vocabulary to the words, categories, activities and groups listings are
tagged with: "lonely" finds befriending groups and every listing in the Connected category
even when none of them says "lonely".

Each group has:

- ``words``: what people type (single words or phrases; matched after stemming, so "carer"
  covers "carers");
- ``terms``: prefixes of index words the group also matches ("befriend" finds "befriending",
  "befriender");
- any of ``cat`` (categories), ``act`` (activities), ``grp`` (audience groups): schema values
  the group also matches.

How the browser uses it: ``search_table()`` goes into the index's meta.json; a typed word (or a
two-word phrase) whose stem is one of a group's words matches the union of the typed word, the
group's terms and its schema values. A match in a listing's name ranks above a match in its text
or tags, and that above a match through a category or tag alone (see search-index.js).

Reviewed against the Social Prescribing Network's and NHS England's link-worker vocabulary;
keep groups narrow: a word listed here widens every search for it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

STOP_WORDS = frozenset(
    "an and are as at be but by for from has have in into is it its of on or our so that the their them "
    "they this to was we were will with you your".split())
_SPLIT = re.compile(r"[^a-z0-9]+")
_MARKS = re.compile(r"[\u0300-\u036f]")  # combining accents, as search-index.js removes them
_APOSTROPHES = re.compile(r"['\u2019]")


def tokens(text: str) -> list[str]:
    """Index words of a text: 'Men’s Café, Brixton' -> ['mens', 'cafe', 'brixton'] (lower-case ASCII words
    of two or more characters, accents and apostrophes dropped, stop words removed; search-index.js
    applies the same rule to the query)."""
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    text = _APOSTROPHES.sub("", text.lower())
    return [t for t in _SPLIT.split(text) if len(t) >= 2 and t not in STOP_WORDS]

SYNONYMS: dict[str, dict[str, list[str]]] = {
    "lonely": {
        "words": ["lonely", "loneliness", "lonesome", "isolated", "isolation", "social isolation",
                  "social connection", "social contact", "companionship", "friendship", "make friends"],
        "terms": ["lonel", "isolat", "befriend", "companion", "friendship"],
        "cat": ["connected"],
        "act": ["befriending", "social-group", "lunch-club", "peer-support"],
    },
    "debt": {
        "words": ["debt", "debts", "money worries", "arrears", "bills", "cost of living", "budgeting", "money advice"],
        "terms": ["debt", "arrear", "budget", "money"],
        "act": ["debt", "benefits"],
    },
    "benefits": {
        "words": ["benefits", "universal credit", "pip", "welfare", "pension credit"],
        "terms": ["benefit", "universal", "welfare"],
        "act": ["benefits"],
    },
    "counselling": {
        "words": ["counselling", "counseling", "counsellor", "counselor", "therapy", "therapist",
                  "talking therapy", "talking therapies"],
        "terms": ["counsel", "therap", "talking"],
        "act": ["mental-health"],
    },
    "depressed": {
        "words": ["depressed", "depression", "low mood", "feeling low", "anxiety", "anxious", "stress", "stressed",
                  "mental health", "wellbeing", "mental wellbeing"],
        "terms": ["depress", "anxi", "mental", "wellbeing", "mood"],
        "act": ["mental-health", "peer-support"],
    },
    "carer": {
        "words": ["carer", "carers", "caring", "caregiver", "unpaid carer", "young carer", "looking after"],
        "terms": ["carer", "caring"],
        "grp": ["carers"],
        "act": ["carers"],
    },
    "bereavement": {
        "words": ["bereaved", "bereavement", "grief", "grieving", "widowed", "widow"],
        "terms": ["bereave", "grief", "griev", "widow"],
    },
    "exercise": {
        "words": ["exercise", "fitness", "keep fit", "get active", "physical activity", "moving more"],
        "terms": ["exercis", "fitness"],
        "cat": ["active"],
        "act": ["exercise", "sport", "walking", "swimming", "yoga", "cycling", "dance", "falls-prevention"],
    },
    "gardening": {
        "words": ["gardening", "garden", "allotment", "growing", "green space", "green spaces"],
        "terms": ["garden", "allotment", "grow"],
        "act": ["gardening", "nature"],
    },
    "food": {
        "words": ["food", "food bank", "foodbank", "hungry", "meals", "hot meal", "lunch"],
        "terms": ["food", "meal", "lunch", "pantry"],
        "act": ["food", "lunch-club"],
    },
    "housing": {
        "words": ["housing", "homeless", "homelessness", "eviction", "evicted", "landlord"],
        "terms": ["housing", "homeless", "evict", "tenan"],
        "act": ["housing"],
    },
    "english": {
        "words": ["esol", "english classes", "learn english", "english lessons"],
        "terms": ["esol", "english"],
        "act": ["english-language"],
    },
    "digital": {
        "words": ["computer", "computers", "internet", "smartphone", "tablet", "digital", "online skills"],
        "terms": ["digital", "computer", "internet", "smartphone", "tablet"],
        "act": ["digital-skills"],
    },
    "singing": {
        "words": ["singing", "sing", "choir", "music"],
        "terms": ["sing", "choir", "music"],
        "act": ["music"],
    },
    "dementia": {
        "words": ["dementia", "alzheimers", "memory loss"],
        "terms": ["dementia", "alzheimer", "memory"],
        "grp": ["people-with-dementia"],
    },
    "abuse": {
        "words": ["domestic abuse", "domestic violence"],
        "terms": ["abuse", "violence"],
        "act": ["domestic-abuse"],
    },
    "volunteering": {
        "words": ["volunteering", "volunteer", "give back"],
        "terms": ["volunteer"],
        "act": ["volunteering", "time-banking"],
    },
}


# What each word ends with -> (what replaces it, the shortest stem allowed; a shorter one keeps the word).
GROUP_FACETS = ("cat", "act", "grp")  # the facets a group may also match

SUFFIXES = [("iness", "", 4), ("ness", "", 4), ("ssion", "ss", 4), ("ation", "at", 4), ("ies", "", 4),
            ("ing", "", 4), ("ed", "", 4), ("ly", "", 4), ("sses", "ss", 4), ("ches", "ch", 4), ("shes", "sh", 4),
            ("ss", "ss", 0), ("us", "us", 0), ("is", "is", 0), ("s", "", 3)]
_DOUBLED = re.compile(r"([bdglmnprt])\1$")


def stem(word: str) -> str:
    """The stem of an index word (the first suffix that matches): "debts" -> "debt",
    "counselling" -> "counsel", "isolation" / "isolated" -> "isolat". search-index.js has the same rules."""
    for suffix, replacement, shortest in SUFFIXES:
        if len(word) <= len(suffix) or not word.endswith(suffix):
            continue
        root = word[: len(word) - len(suffix)] + replacement
        if len(root) < shortest:
            return word
        if suffix in ("ing", "ed") and _DOUBLED.search(root):
            root = root[:-1]
        return root
    return word


def _key(phrase: str) -> str:
    return " ".join(stem(t) for t in tokens(phrase))


@cache
def search_table() -> dict:
    """The table as the browser reads it from meta.json: ``syn`` maps each stemmed word or phrase to
    a group number; ``synGroups[n]`` is ``[terms, {facet key: values}]``."""
    keys, groups = {}, []
    for n, group in enumerate(SYNONYMS.values()):
        facets = {key: group[key] for key in GROUP_FACETS if group.get(key)}
        groups.append([group["terms"], facets])
        for word in group["words"]:
            keys[_key(word)] = n
    return {"syn": dict(sorted(keys.items())), "synGroups": groups}


def query_groups(text: str) -> list[tuple[list[str], dict[str, list[str]]]]:
    """The query's groups as the browser forms them: (prefixes, {facet key: values}) each, matched as
    an OR; a listing must match every group. A word or two-word phrase in the table becomes its
    group (a single word keeps its own stem among the prefixes)."""
    table = search_table()
    stems = [stem(t) for t in tokens(text)]
    out, i = [], 0
    while i < len(stems):
        two = " ".join(stems[i:i + 2]) if i + 1 < len(stems) else None
        if two is not None and two in table["syn"]:
            terms, facets = table["synGroups"][table["syn"][two]]
            out.append((list(terms), facets))
            i += 2
            continue
        if stems[i] in table["syn"]:
            terms, facets = table["synGroups"][table["syn"][stems[i]]]
            out.append(([stems[i], *terms], facets))
        else:
            out.append(([stems[i]], {}))
        i += 1
    return out
