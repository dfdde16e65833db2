"""What the search can be filtered by: each facet's values and labels, and an entry's days and times.

``facet_values()`` / ``facet_labels()`` give every facet key ("cat", "bor", "cost", ...) with its
values and the words shown for them, in display order, from the schema's vocabularies
(``linkwell.reference.vocabulary``); the search index (``index.py``) writes one file per value and
the home page's form (``form.py``) offers them. ``schedule_facets(entry)`` is an entry's days and
times of day (daytime / evening / weekend).
"""

from __future__ import annotations

from linkwell.listings.describe import DAY_NAMES, DAYS, LANGUAGE_NAMES
from linkwell.reference import vocabulary
from linkwell.reference.boroughs import BOROUGHS

TIMES = {"daytime": "Daytime (weekdays, starts before 5pm)", "evening": "Evening (from 5pm)",
         "weekend": "Weekend"}
COST_NOT_KNOWN = ("unknown", "Cost not known")  # the cost filter's extra option (see words.cost_known)
FACET_FIELDS = {"cat": "categories", "cost": "cost", "del": "delivery", "grp": "groups", "acc": "access",
                "a11y": "accessibility", "act": "activities"}  # key -> vocabulary field (linkwell.reference.vocabulary)


def facet_values() -> dict[str, list[str]]:
    """Every facet the search offers, in display order: key -> allowed values."""
    values = {key: list(vocabulary.labels(field)) for key, field in FACET_FIELDS.items()}
    return {"cat": values["cat"], "bor": list(BOROUGHS), "cost": values["cost"] + [COST_NOT_KNOWN[0]],
            "del": values["del"],
            "day": list(DAYS), "time": list(TIMES), "grp": values["grp"], "acc": values["acc"],
            "a11y": values["a11y"], "lang": list(LANGUAGE_NAMES), "act": values["act"]}


INDEX_ONLY = {"act"}  # facets the form does not offer (the synonym table matches activities)


def facet_labels() -> dict[str, list[str]]:
    """The words shown for each facet value, in the order of ``facet_values``."""
    out = {key: list(vocabulary.labels(field).values()) for key, field in FACET_FIELDS.items()}
    out["bor"] = [b.name for b in BOROUGHS.values()]
    out["day"] = [DAY_NAMES[d] for d in DAYS]
    out["time"] = list(TIMES.values())
    out["lang"] = list(LANGUAGE_NAMES.values())
    out["cost"].append(COST_NOT_KNOWN[1])
    return {key: out[key] for key in facet_values()}


def _minutes(hhmm: str | None) -> int | None:
    if not hhmm:
        return None
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def schedule_facets(entry: dict) -> tuple[set[str], set[str]]:
    """(days, times) an entry runs on: times among daytime / evening / weekend."""
    days, times = set(), set()
    for slot in entry.get("schedule") or ():
        slot_days = set(slot.get("days") or ())
        days |= slot_days
        opens, closes = _minutes(slot.get("opens")), _minutes(slot.get("closes"))
        if slot_days & {"sa", "su"}:
            times.add("weekend")
        if slot_days - {"sa", "su"} and opens is not None and opens < 17 * 60:
            times.add("daytime")
        if (opens is not None and opens >= 17 * 60) or (closes is not None and closes > 18 * 60):
            times.add("evening")
    return days, times
