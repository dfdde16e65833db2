"""The 33 London local authorities: GSS code, official name and the slug Linkwell uses.

Reads ``linkwell/reference/data/london_boroughs.csv`` (from ../shared/data). ``BOROUGHS`` maps slug to
``Borough``; ``by_gss`` and ``by_name`` look one up by ONS code or by a name as people write it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from linkwell.reference import DATA_DIR


@dataclass(frozen=True)
class Borough:
    slug: str
    name: str
    gss: str


def _load() -> dict[str, Borough]:
    with open(DATA_DIR / "london_boroughs.csv", newline="", encoding="utf-8") as f:
        rows = [Borough(r["slug"], r["name"], r["gss_code"]) for r in csv.DictReader(f)]
    return {b.slug: b for b in sorted(rows, key=lambda b: b.name)}


BOROUGHS: dict[str, Borough] = _load()
_BY_GSS = {b.gss: b for b in BOROUGHS.values()}


def _key(text: str) -> str:
    text = text.lower().replace("&", "and")
    text = re.sub(r"\b(london borough of|royal borough of|city of westminster|council)\b", "", text) \
        if "westminster" not in text else "westminster"
    return re.sub(r"[^a-z]+", "", text)


_BY_KEY = {_key(b.name): b for b in BOROUGHS.values()} | {_key(b.slug): b for b in BOROUGHS.values()}
_BY_KEY["cityoflondon"] = BOROUGHS["city-of-london"]
_BY_KEY["kingston"] = BOROUGHS["kingston-upon-thames"]
_BY_KEY["richmond"] = BOROUGHS["richmond-upon-thames"]


def by_gss(code: str) -> Borough | None:
    return _BY_GSS.get(code)


def by_name(text: str | None) -> Borough | None:
    """Find a borough from a slug or a name as written in a feed ("LB Hackney", "Kingston")."""
    if not text:
        return None
    key = _key(text)
    key = re.sub(r"^(lb|rb|londonborough|royalborough)", "", key)
    return _BY_KEY.get(key)
