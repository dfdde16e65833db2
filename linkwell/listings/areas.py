"""The areas a listing takes people from (``areas_served``): reading them, and saying them.

``areas_served`` is a list of London borough slugs (``[lewisham, greenwich]``), or ``[london]``
alone for a service open to people from all of London. This module is shared by the harvest (feeds
and spreadsheets), the issue forms and the site:

- ``read_area(text)`` -> ``"lewisham"``, ``"london"`` or ``None``: one area as sources write it
  (a slug, "London Borough of Lewisham", "LB Hackney", "Royal Borough of Greenwich", "Kingston",
  a GSS code such as ``E09000023`` or ``E12000007`` for London, "Greater London", "London-wide",
  "Pan-London", "All of London");
- ``read_areas(values)`` -> ``(areas, not_read)``: many values, each possibly a list written as
  text ("Lewisham, Greenwich and Southwark"; "Barking and Dagenham" stays one borough); the areas
  in the order given, without repeats, ``[london]`` when London or every borough is named;
  ``not_read`` is every piece that is not a London area (outside London, or not understood:
  never guessed);
- ``outside_london(text)`` says whether a piece is a GSS code of somewhere outside London;
- ``areas_text(areas)`` -> "Lewisham, Greenwich and Southwark" or "all of London";
- ``suggest(text)`` the nearest slug for a mistyped area, for validation messages;
- ``LONDON_GSS``: the ONS code of the London region, published in the ORUK feed for ``london``.
"""

from __future__ import annotations

import difflib
import re

from linkwell.reference.boroughs import BOROUGHS, by_gss, by_name

LONDON = "london"
LONDON_GSS = "E12000007"  # ONS: London region
LONDON_WORDS = {"london", "greaterlondon", "londonwide", "panlondon", "alllondon", "alloflondon", "acrosslondon",
                "alllondonboroughs", "thewholeoflondon", "wholeoflondon", "anywhereinlondon",
                "greaterlondonauthority", "londonregion"}
_GSS_RE = re.compile(r"\b([EWSN]\d{8})\b")
_SPLIT_RE = re.compile(r"[,;/|\n\r]+")
_AND_RE = re.compile(r"\s+(?:and|&)\s+|\s*&\s*", re.I)


def _key(text: str) -> str:
    return re.sub(r"[^a-z]+", "", text.lower())


def _gss(text: str) -> str | None:
    """The GSS code a piece gives: the code itself, or a statistics.data.gov.uk address ending in one."""
    found = _GSS_RE.findall(text.upper())
    return found[-1] if len(found) == 1 or (found and text.strip().upper().endswith(found[-1])) else None


def read_area(text) -> str | None:
    """One area as a source or a person writes it -> a borough slug, ``"london"`` or ``None``."""
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        return None
    text = " ".join(text.split())
    code = _gss(text)
    if code and len(text) <= 120 and (text.upper() == code or "/" in text or text.upper().startswith(code)):
        if code == LONDON_GSS:
            return LONDON
        borough = by_gss(code)
        return borough.slug if borough else None
    if _key(text) in LONDON_WORDS or _key(re.sub(r"(?i)\b(the|borough|boroughs)\b", "", text)) in LONDON_WORDS:
        return LONDON
    borough = by_name(text) or by_name(re.sub(r"(?i)\b(borough|council)\b", "", text))
    return borough.slug if borough else None


def outside_london(text: str) -> bool:
    """Whether a piece is a GSS code of an area outside London (rather than text not understood)."""
    code = _gss(text) if isinstance(text, str) else None
    return bool(code) and code != LONDON_GSS and by_gss(code) is None


def _pieces(value: str) -> list[str]:
    """Split text that may list several areas; a piece that is one borough ("Kensington and
    Chelsea") is kept whole, else "A and B" is split when every part is an area."""
    out = []
    for piece in _SPLIT_RE.split(value):
        piece = " ".join(piece.split()).strip(" .")
        if not piece:
            continue
        if read_area(piece) is None:
            parts = [p.strip(" .") for p in _AND_RE.split(piece) if p.strip(" .")]
            if len(parts) > 1 and all(read_area(p) for p in parts):
                out += parts
                continue
        out.append(piece)
    return out


def read_areas(values) -> tuple[list[str], list[str]]:
    """``(areas, not_read)`` from text or a list of texts; see the module docstring."""
    if isinstance(values, str):
        values = [values]
    areas: list[str] = []
    not_read: list[str] = []
    for value in values or ():
        if not isinstance(value, str):
            continue
        whole = read_area(value)
        for piece in [value] if whole else _pieces(value):
            area = whole or read_area(piece)
            if area is None:
                not_read.append(" ".join(piece.split())[:120])
            elif area not in areas:
                areas.append(area)
    if LONDON in areas or len(set(areas)) == len(BOROUGHS):
        areas = [LONDON]
    return areas, list(dict.fromkeys(not_read))


def area_name(area: str) -> str:
    return "London" if area == LONDON else BOROUGHS[area].name if area in BOROUGHS else area


def areas_text(areas) -> str:
    """"Lewisham, Greenwich and Southwark", "all of London", or "" when unknown."""
    areas = [a for a in areas or () if a == LONDON or a in BOROUGHS]
    if not areas:
        return ""
    if LONDON in areas:
        return "all of London"
    names = [area_name(a) for a in areas]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def suggest(text) -> str | None:
    """The slug nearest a mistyped area ("Lewsiham" -> "lewisham"), or None."""
    if not isinstance(text, str):
        return None
    found = read_area(text)
    if found:
        return found
    slugs = [LONDON, *BOROUGHS]
    guess = difflib.get_close_matches(text.strip().lower().replace(" ", "-"), slugs, n=1, cutoff=0.6)
    return guess[0] if guess else None
