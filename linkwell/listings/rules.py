"""The rules a listing must keep, file by file and across files.

``check_file(path, display)`` loads one file (``check_bytes(raw, path, display)``: bytes not yet
written there) and returns ``(digest of its bytes, entry or None,
[Problem])``: the JSON Schema (explained by ``messages``), ``id`` equals the file name, the folder
equals ``borough``, opening times, ages, postcodes against the bundled London table, and
personal-data warnings (UK mobile numbers, emails that look like a person's name). The checks
that depend on today or on other files work on small ``facts`` kept per file: ``date_problems``
(no date in the future) and ``cross_file_problems`` (unique ids, likely duplicates).
``validate`` runs them over a whole directory, in parallel and cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass

from linkwell.listings import personal
from linkwell.listings.loader import (
    EntryLoadError,
    LoadedDocument,
    decode,
    load_entry_file,
    load_entry_text,
    read_entry_bytes,
)
from linkwell.listings.lookalike import domain_problem, name_problem
from linkwell.listings.messages import explain, field_name
from linkwell.reference import schema
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reference.postcodes import normalise_postcode, postcodes


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        level = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {self.field}: {level}{self.message}"


# --- per-file checks -------------------------------------------------------------------------

_EMAIL_IN_TEXT_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _personal_data_warnings(entry: dict) -> list[tuple[tuple, str]]:
    out = []
    contact = entry.get("contact") or {}
    phone = contact.get("phone")
    if isinstance(phone, str) and personal.is_mobile(phone):
        out.append((("contact", "phone"), "looks like a mobile number; give an organisational number, "
                                          "not a person's own phone"))
    email = contact.get("email")
    if isinstance(email, str) and personal.looks_personal_email(email):
        out.append((("contact", "email"), "looks like a person's own email address; use a shared "
                                          "address such as info@ or hello@"))
    for key in ("description", "cost_note"):
        text = entry.get(key)
        if not isinstance(text, str) or ("@" not in text and "07" not in text and "+44" not in text):
            continue
        if personal.MOBILE_IN_TEXT.search(text) or _EMAIL_IN_TEXT_RE.search(text):
            out.append(((key,), "contains a phone number or email address; put organisational contact "
                                "details in contact, and no personal ones anywhere"))
    return out


def _lookalike_problems(entry: dict) -> tuple[list[tuple[tuple, str]], list[tuple[tuple, str]]]:
    """(errors, warnings): invisible characters in names; internationalised or mixed-alphabet sites."""
    errors, warnings = [], []
    organisation = entry.get("organisation") or {}
    for path, text in ((("name",), entry.get("name")), (("organisation", "name"), organisation.get("name"))):
        problem = name_problem(text) if isinstance(text, str) and not text.isascii() else None
        if problem:
            errors.append((path, problem))
    contact = entry.get("contact") or {}
    for path, url in ((("contact", "website"), contact.get("website")),
                      (("organisation", "website"), organisation.get("website"))):
        problem = domain_problem(url) if isinstance(url, str) else None
        if problem:
            warnings.append((path, problem))
    return errors, warnings


def _semantic_errors(entry: dict, path: str) -> list[tuple[tuple, str]]:
    out = []
    folder_path, filename = os.path.split(path)
    stem, folder = os.path.splitext(filename)[0], os.path.basename(folder_path)
    if entry["id"] != stem:
        out.append((("id",), f"'{entry['id']}' must equal the file name; rename the file to "
                             f"{entry['id']}.yml or change id to '{stem}'"))
    if entry["borough"] != folder:
        out.append((("borough",), f"'{entry['borough']}' does not match the folder '{folder}'; "
                                  f"the file belongs in directory/{entry['borough']}/"))
    for i, slot in enumerate(entry.get("schedule") or []):
        opens, closes = slot.get("opens"), slot.get("closes")
        if opens and closes and closes <= opens:
            out.append((("schedule", i, "closes"), f"closing time {closes} is not after opening time {opens}"))
    out += _areas_problems(entry)
    audience = entry.get("audience") or {}
    if "min_age" in audience and "max_age" in audience and audience["min_age"] > audience["max_age"]:
        out.append((("audience", "max_age"), "is lower than min_age"))
    if "in-person" in entry["delivery"] and not entry.get("location") and entry["verified_by"] != "unverified":
        out.append((("location",), "is needed for an in-person listing: give at least the venue or "
                                   "postcode (or set delivery to online/phone only)"))
    return out


def _areas_problems(entry: dict) -> list[tuple[tuple, str]]:
    areas = entry.get("areas_served") or []
    if "london" in areas and len(areas) > 1:
        return [(("areas_served",), "london already means all of London; write areas_served: [london] alone, "
                                    "or list only the boroughs")]
    if len(areas) == len(BOROUGHS):
        return [(("areas_served",), "names every London borough; write areas_served: [london] instead")]
    return []


def _line(document: LoadedDocument | None, path: tuple) -> int:
    return document.line_of(path) if document is not None else 1


def check_file(path: str, display: str) -> tuple[str, dict | None, list[Problem]]:
    """Load and check one file on its own (no other files, no today's date).

    Returns (content digest, entry or None when it cannot be used, problems).
    """
    try:
        raw = read_entry_bytes(path)
    except OSError as exc:
        return "", None, [Problem(display, 1, "(file)", f"cannot be read: {exc.strerror}")]
    return check_bytes(raw, path, display)


def check_bytes(raw: bytes, path: str, display: str) -> tuple[str, dict | None, list[Problem]]:
    """``check_file`` for a file's bytes not (yet) written to ``path``, e.g. a harvest's listing."""
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    problems: list[Problem] = []
    document = None
    try:
        document = load_entry_text(decode(raw))
    except EntryLoadError as exc:
        return digest, None, [Problem(display, exc.line or 1, exc.field or "(file)", exc.message)]
    entry = document.data

    def add(items, severity="error"):
        for p, message in items:
            problems.append(Problem(display, _line(document, p), field_name(p), message, severity))

    if not schema.entry_checker().is_valid(entry):
        for error in schema.entry_validator().iter_errors(entry):
            add(explain(error, document))
        if not problems:  # jsonschema (Python regexes) let through what the strict check refused
            add((tuple(error.instance_path), f"does not match schema/entry.schema.json: {error.message}")
                for error in schema.entry_checker().iter_errors(entry))
        return digest, None, sorted(problems)
    add(_semantic_errors(entry, path))
    add(_postcode_problems(entry))
    add(_personal_data_warnings(entry), "warning")
    lookalike_errors, lookalike_warnings = _lookalike_problems(entry)
    add(lookalike_errors)
    add(lookalike_warnings, "warning")
    return digest, entry, sorted(problems)


def line_in_file(path: str, field_path: tuple) -> int:
    """The line of a field in a file that loaded before; used only when a later check finds a
    problem, so the fast path never walks the YAML nodes for line numbers."""
    try:
        return load_entry_file(path).line_of(field_path)
    except (OSError, EntryLoadError):
        return 1


def _postcode_problems(entry: dict) -> list[tuple[tuple, str]]:
    location = entry.get("location") or {}
    if "postcode" not in location:
        return []
    table = postcodes()
    point = table.get(location["postcode"]) or table.lookup(location["postcode"])
    where = ("location", "postcode")
    if point is None:
        return [(where, f"{location['postcode']!r} is not a current London postcode; check it "
                        "(Linkwell lists London services only)")]
    if point.borough != entry["borough"]:
        name = BOROUGHS[point.borough].name if point.borough in BOROUGHS else point.borough
        return [(where, f"{point.postcode} is in {name}, not {entry['borough']}; move the file to "
                        f"directory/{point.borough}/ and set borough: {point.borough}, or correct the "
                        "postcode")]
    if point.postcode != location["postcode"]:
        return [(where, f"write it as {point.postcode!r} (capitals, one space)")]
    return []


# --- checks that depend on today, and across files: on small "facts" kept per file ------------

def entry_facts(entry: dict) -> tuple:
    """What the date and cross-file checks need from an entry, small enough to cache cheaply."""
    location = entry.get("location") or {}
    dates = [(("last_verified",), entry["last_verified"])]
    for i, source in enumerate(entry["sources"]):
        dates += [(("sources", i, key), source[key]) for key in ("first_seen", "last_seen") if key in source]
    website = (entry.get("contact") or {}).get("website")
    return (entry["id"], _normalise_name(entry["name"]), normalise_postcode(location.get("postcode", "")),
            _normalise_url(website) if website else None, tuple(dates))


def date_problems(dates, path: str, display: str, today: dt.date) -> list[Problem]:
    out = []
    for p, value in dates:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            out.append(Problem(display, line_in_file(path, p), field_name(p), f"{value!r} is not a real date"))
            continue
        if day > today:
            out.append(Problem(display, line_in_file(path, p), field_name(p),
                               f"{value} is in the future; use the date the details were actually "
                               "confirmed"))
    return out


def _normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().replace("&", "and"))


def _normalise_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/")


def cross_file_problems(facts: dict[str, tuple], paths: dict[str, str]) -> list[Problem]:
    out = []
    by_id: dict[str, list[str]] = defaultdict(list)
    by_name_postcode: dict[tuple, list[str]] = defaultdict(list)
    by_website: dict[str, list[str]] = defaultdict(list)
    for display, (entry_id, name, postcode, website, _dates) in facts.items():
        by_id[entry_id].append(display)
        if postcode:
            by_name_postcode[(name, postcode)].append(display)
        if website:
            by_website[website].append(display)
    for entry_id, files in by_id.items():
        for display in files[1:]:
            out.append(Problem(display, line_in_file(paths[display], ("id",)), "id",
                               f"'{entry_id}' is already used by {files[0]}; ids must be unique across "
                               "the directory"))
    for groups, reason in ((by_name_postcode, "the same name and postcode"),
                           (by_website, "the same website")):
        for files in groups.values():
            for display in files[1:]:
                out.append(Problem(display, line_in_file(paths[display], ("name",)), "name",
                                   f"looks like a duplicate of {files[0]} ({reason}); merge them or make "
                                   "the difference clear", "warning"))
    return out


