"""From a source's labels (taxonomy terms, OpenActive activities, spreadsheet values) to ours.

``LabelMap(source_mapping)`` maps a label to Linkwell categories and activities. Labels are
compared by ``text.label_key`` (case, spaces and punctuation ignored). The source's own
``mapping`` (label -> list of our values) wins; then the built-in table ``DEFAULT_LABELS`` of
common English labels; then our own vocabulary words. Each activity also implies a category
(``ACTIVITY_CATEGORY``) so "Walking" alone gives active + walking. A label mapped to ``[]``
is deliberately ignored; any other label nobody knows is returned as unmapped, for the report.
"""

from __future__ import annotations

import re

from linkwell.listings.describe import LANGUAGE_NAMES as DESCRIBED_LANGUAGES
from linkwell.reference import schema, vocabulary

from .text import label_key

ACTIVITY_CATEGORY = {
    "arts": "creative", "music": "creative", "dance": "creative", "gardening": "active", "museums": "creative",
    "reading": "creative", "walking": "active", "sport": "active", "exercise": "active", "swimming": "active",
    "befriending": "connected", "peer-support": "connected", "time-banking": "connected",
    "volunteering": "connected", "learning": "creative", "employment": "safe", "food": "safe",
    "housing": "safe", "debt": "safe", "benefits": "safe", "legal-advice": "safe", "domestic-abuse": "safe",
    "falls-prevention": "active", "mental-health": "safe", "carers": "connected", "cooking": "creative",
    "crafts": "creative", "digital-skills": "connected", "english-language": "connected",
    "faith": "connected", "nature": "active", "yoga": "active", "cycling": "active",
    "social-group": "connected", "lunch-club": "connected",
}

DEFAULT_LABELS: dict[str, list[str]] = {
    "art": ["arts"], "arts and crafts": ["arts", "crafts"], "arts and culture": ["creative", "arts"],
    "painting": ["arts"], "drawing": ["arts"], "photography": ["arts"], "pottery": ["crafts"],
    "knitting": ["crafts"], "sewing": ["crafts"], "choir": ["music"], "singing": ["music"],
    "drumming": ["music"], "theatre": ["arts"], "drama": ["arts"], "creative writing": ["arts"],
    "book club": ["reading"], "library": ["reading"], "museum": ["museums"], "heritage": ["museums"],
    "football": ["sport"], "tennis": ["sport"], "table tennis": ["sport"], "badminton": ["sport"],
    "netball": ["sport"], "basketball": ["sport"], "cricket": ["sport"], "bowls": ["sport"],
    "boxing": ["sport"], "martial arts": ["sport"], "running": ["sport"], "athletics": ["sport"],
    "gym": ["exercise"], "fitness": ["exercise"], "keep fit": ["exercise"], "pilates": ["exercise"],
    "aerobics": ["exercise"], "zumba": ["exercise", "dance"], "tai chi": ["exercise"],
    "chair exercise": ["exercise"], "chair based exercise": ["exercise"], "strength and balance":
        ["exercise", "falls-prevention"], "physical activity": ["active", "exercise"],
    "keeping active": ["exercise"], "keep active": ["exercise"], "sports and leisure": ["sport"],
    "swim": ["swimming"], "swimming pool": ["swimming"], "aqua aerobics": ["swimming", "exercise"],
    "walk": ["walking"], "health walks": ["walking"], "walking football": ["sport", "walking"],
    "bike": ["cycling"], "cycle": ["cycling"], "allotment": ["gardening"], "community garden": ["gardening"],
    "growing": ["gardening"], "outdoors": ["nature"], "green space": ["nature"],
    "advice": ["safe"], "debt advice": ["debt"], "money advice": ["debt"], "welfare benefits": ["benefits"],
    "benefits advice": ["benefits"], "legal": ["legal-advice"], "immigration advice": ["legal-advice"],
    "housing advice": ["housing"], "homelessness": ["housing"], "domestic violence": ["domestic-abuse"],
    "counselling": ["mental-health"], "wellbeing": ["mental-health"], "mental wellbeing": ["mental-health"],
    "bereavement": ["peer-support"], "support group": ["peer-support"], "peer support": ["peer-support"],
    "social": ["social-group"], "social activities": ["social-group"], "coffee morning": ["social-group"],
    "lunch club": ["lunch-club"], "luncheon club": ["lunch-club"], "food bank": ["food"],
    "community meals": ["food", "lunch-club"], "cookery": ["cooking"], "esol": ["english-language"],
    "english classes": ["english-language"], "computer": ["digital-skills"], "digital inclusion":
        ["digital-skills"], "jobs": ["employment"], "employment support": ["employment"],
    "carers support": ["carers"], "carer": ["carers"], "befriend": ["befriending"],
    "volunteer": ["volunteering"], "timebank": ["time-banking"], "adult learning": ["learning"],
    "education": ["learning"], "church": ["faith"], "mosque": ["faith"], "temple": ["faith"],
    "falls": ["falls-prevention"], "social prescribing": ["connected"],
}


def _vocabulary() -> tuple[set[str], set[str]]:
    return set(schema.vocabulary("categories")), set(schema.vocabulary("activities"))


class LabelMap:
    """Maps labels to (categories, activities); see the module docstring."""

    def __init__(self, source_mapping: dict[str, list[str]] | None = None):
        self.categories, self.activities = _vocabulary()
        self.table: dict[str, list[str]] = {}
        for word in self.categories | self.activities:
            self.table[label_key(word)] = [word]
        for field in ("categories", "activities"):  # our own labels too: "Museums and heritage"
            for value, text in vocabulary.labels(field).items():
                self.table.setdefault(label_key(text), [value])
        for label, values in DEFAULT_LABELS.items():
            self.table[label_key(label)] = values
        for label, values in (source_mapping or {}).items():
            self.table[label_key(label)] = list(values or [])

    def lookup(self, label) -> list[str] | None:
        """Our values for one label; None when unknown."""
        key = label_key(label)
        if not key:
            return []
        if key in self.table:
            return self.table[key]
        if key.endswith("s") and key[:-1] in self.table:  # "Choirs", "Walks"
            return self.table[key[:-1]]
        return None

    def map(self, labels) -> tuple[list[str], list[str], list[str]]:
        """(categories, activities, unmapped labels) for a list of labels, each sorted/unique."""
        categories: set[str] = set()
        activities: set[str] = set()
        unmapped: list[str] = []
        for label in labels:
            if label is None or not str(label).strip():
                continue
            values = self.lookup(label)
            if values is None:
                unmapped.append(" ".join(str(label).split()))
                continue
            for value in values:
                if value in self.categories:
                    categories.add(value)
                elif value in self.activities:
                    activities.add(value)
                    categories.add(ACTIVITY_CATEGORY.get(value, "connected"))
        order_c = schema.vocabulary("categories")
        order_a = schema.vocabulary("activities")
        return ([c for c in order_c if c in categories], [a for a in order_a if a in activities],
                sorted(set(unmapped)))


# --- free text to controlled values (accessibility, audience groups, languages) --------------

_ACCESSIBILITY_WORDS = [
    (r"wheelchair", "wheelchair-accessible"), (r"step[- ]free|level access|ramp(ed)? access|\blift\b", "step-free"),
    (r"accessible (toilet|wc)|disabled (toilet|wc)", "accessible-toilet"),
    (r"(hearing|induction) loop", "hearing-loop"), (r"\bbsl\b|british sign language", "bsl"),
    (r"large print", "large-print"), (r"quiet (space|room|area)", "quiet-space"),
    (r"dementia[- ]friendly", "dementia-friendly"),
]
_GROUP_WORDS = [
    (r"older (people|adults)|elderly|over[- ](50|55|60|65)s?\b|\b(50|55|60|65)\+|pensioner|senior", "older-people"),
    (r"young people|teenager|\byouth\b", "young-people"), (r"\bchildren\b|\bkids\b", "children"),
    (r"\bfamil(y|ies)\b|parents?\b", "families"), (r"\bcarers?\b", "carers"), (r"\bwomen\b", "women"),
    (r"\bmen\b", "men"), (r"lgbt", "lgbtq"), (r"disabled people|disabilit", "disabled-people"),
    (r"refugee|asylum", "refugees"), (r"dementia", "people-with-dementia"),
    (r"learning disabilit", "people-with-learning-disabilities"),
    (r"long[- ]term (health )?condition", "people-with-long-term-conditions"),
    (r"veteran|armed forces", "veterans"),
]
_ACCESSIBILITY_WORDS = [(re.compile(pattern), value) for pattern, value in _ACCESSIBILITY_WORDS]
_GROUP_WORDS = [(re.compile(pattern), value) for pattern, value in _GROUP_WORDS]
# Language names as feeds write them -> ISO 639-1, from linkwell.listings.describe plus common alternatives.
LANGUAGE_NAMES = {name.lower(): code for code, name in DESCRIBED_LANGUAGES.items()} | {
    "bangla": "bn", "persian": "fa", "farsi": "fa", "mandarin": "zh", "cantonese": "zh", "punjabi": "pa",
}


def _matches(text: str, table) -> list[str]:
    text = (text or "").lower()
    if not text:
        return []
    return sorted({value for pattern, value in table if pattern.search(text)})


def accessibility_from_text(text: str) -> list[str]:
    return _matches(text, _ACCESSIBILITY_WORDS)


def groups_from_text(text: str) -> list[str]:
    return _matches(text, _GROUP_WORDS)


def language_code(value) -> str | None:
    """'en', 'English', 'eng' -> 'en'; None when unknown."""
    text = str(value or "").strip().lower()
    if re.fullmatch(r"[a-z]{2}", text):
        return text
    if text in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[text]
    return {"eng": "en", "ben": "bn", "pol": "pl", "som": "so", "tur": "tr", "urd": "ur", "ara": "ar",
            "fra": "fr", "fre": "fr", "spa": "es", "por": "pt"}.get(text)
