"""Listings submitted through the GitHub issue forms: parse the issue body, build the entry.

``FIELDS`` is the one table of the forms' questions: each ``Field`` has the form's ``id`` (also
the query parameter that pre-fills it), the ``label`` shown on GitHub and in the issue body as a
``### Label`` heading, its kind (``input``, ``textarea``, ``dropdown``, ``checkboxes``) and, for
choices, ``options`` mapping the label a volunteer sees to the schema value. The issue forms in
``.github/ISSUE_TEMPLATE/`` and the site's add-your-group form are checked against it by tests.

``parse_body(text)`` reads an issue body as GitHub renders a submitted form (``### Label``
headings, ``_No response_`` for blanks, ``- [X] option`` checkboxes, dropdown choices joined by
", ") into ``{field id: value}``. ``build_entry(answers, ...)`` turns the answers into a new
entry, or an edit of an existing one. Both raise ``SubmissionError`` carrying ``problems``:
``(form label, sentence)`` pairs written for the person who filled the form. Nothing in the body is
ever executed or interpreted beyond this parsing; text that looks like a shell command, a
workflow expression or an ``ENV=value`` line is refused.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from linkwell.reference import vocabulary
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reference.postcodes import postcodes

from .answers import convert, make_id, quote, remove_path, set_path
from .maintainers import is_maintainer

__all__ = ["BY_ID", "BY_LABEL", "FIELDS", "Field", "SubmissionError", "build_entry", "label_for", "make_id",
           "parse_body", "quote", "render_problems"]

MAX_BODY_CHARS = 2_000_000  # GitHub caps issue bodies at 65,536 characters; far larger is not a form
NO_RESPONSE = "_No response_"
REMOVE_WORDS = {"remove", "delete", "none"}  # in the update form, clears an optional text field


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    kind: str  # input | textarea | dropdown | checkboxes
    options: dict[str, str] = field(default_factory=dict)  # label shown -> schema value
    multiple: bool = False
    required: bool = False  # required in the "Add your group" form


def _options(pairs: str) -> dict[str, str]:
    """'Label=value|Label=value' -> {label: value}; keeps the table below readable."""
    return dict(item.split("=", 1) for item in pairs.split("|"))


def _vocabulary_options(field: str) -> dict[str, str]:
    """{label shown: schema value} for a controlled field, in the words of ``reference.vocabulary``."""
    return {text: value for value, text in vocabulary.labels(field).items()}


_ACTIVITIES = _vocabulary_options("activities")
_GROUPS = _vocabulary_options("groups")
_ACCESSIBILITY = _vocabulary_options("accessibility")
_DAYS = _vocabulary_options("days")

FIELDS: list[Field] = [
    Field("listing", "Listing to update", "input"),
    Field("status", "Is it still running?", "dropdown",
          _options("Yes: it is running=active|Paused for now=temporarily-closed|Closed for good=closed")),
    Field("name", "Name of the activity or service", "input", required=True),
    Field("organisation", "Organisation name", "input", required=True),
    Field("charity_number", "Charity number", "input"),
    Field("company_number", "Company number", "input"),
    Field("organisation_website", "Organisation website", "input"),
    Field("description", "Description", "textarea", required=True),
    Field("categories", "Type of support", "dropdown", _options(
        "Creative: arts and making=creative|Connected: meeting people and belonging=connected|"
        "Active: moving and being outdoors=active|Safe: advice and practical help=safe"),
        multiple=True, required=True),
    Field("activities", "Activities", "dropdown", _ACTIVITIES, multiple=True),
    Field("audience", "Who it is for", "dropdown", _GROUPS, multiple=True),
    Field("min_age", "Youngest age welcome", "input"),
    Field("max_age", "Oldest age welcome", "input"),
    Field("borough", "Borough", "dropdown", {b.name: b.slug for b in BOROUGHS.values()}),
    Field("areas_served", "Which areas do you take people from?", "dropdown",
          {"All of London": "london"} | {b.name: b.slug for b in BOROUGHS.values()}, multiple=True),
    Field("venue", "Venue name", "input"),
    Field("address", "Street address", "input"),
    Field("postcode", "Postcode", "input"),
    Field("delivery", "How it is offered", "checkboxes",
          _options("In person=in-person|Online=online|By phone=phone"), multiple=True, required=True),
    Field("days", "Days", "checkboxes", _DAYS, multiple=True),
    Field("opens", "Start time", "input"),
    Field("closes", "End time", "input"),
    Field("frequency", "How often", "dropdown",
          _options("Every week=weekly|Every two weeks=fortnightly|Once a month=monthly")),
    Field("schedule_note", "More about when it runs", "input"),
    Field("cost", "Cost", "dropdown", _options(
        "Free=free|Low cost (a small charge or donation)=low-cost|Paid=paid|It varies=varies"), required=True),
    Field("cost_note", "More about cost", "input"),
    Field("access", "How to join", "dropdown", _options(
        "Just turn up (drop-in)=drop-in|Contact the group directly (self-referral)=self-referral|"
        "Referral from a link worker=link-worker-referral|Referral from a GP=gp-referral|"
        "Book a place first=booking"), multiple=True, required=True),
    Field("accessibility", "Accessibility", "checkboxes", _ACCESSIBILITY, multiple=True),
    Field("languages", "Languages", "input"),
    Field("website", "Website", "input"),
    Field("email", "Email", "input"),
    Field("phone", "Phone", "input"),
    Field("confirm", "Please confirm", "checkboxes", _options(
        "I run or work for this group and these details are correct=provider|"
        "The contact details belong to the organisation and are not a person's own phone or email=organisational"),
        multiple=True),
    Field("notes", "Anything else for the reviewers", "textarea"),
]
BY_ID = {f.id: f for f in FIELDS}
BY_LABEL = {f.label: f for f in FIELDS}

# Where each answer goes in the entry (the rest are handled one by one in build_entry).
_PATHS = {
    "name": ("name",), "organisation": ("organisation", "name"),
    "charity_number": ("organisation", "charity_number"), "company_number": ("organisation", "company_number"),
    "organisation_website": ("organisation", "website"), "description": ("description",),
    "categories": ("categories",), "activities": ("activities",), "audience": ("audience", "groups"),
    "min_age": ("audience", "min_age"), "max_age": ("audience", "max_age"), "borough": ("borough",),
    "areas_served": ("areas_served",), "venue": ("location", "venue"), "address": ("location", "address"),
    "postcode": ("location", "postcode"),
    "delivery": ("delivery",), "cost": ("cost",), "cost_note": ("cost_note",), "access": ("access",),
    "accessibility": ("accessibility",), "languages": ("languages",), "website": ("contact", "website"),
    "email": ("contact", "email"), "phone": ("contact", "phone"), "status": ("status",),
    "days": ("schedule", 0, "days"), "opens": ("schedule", 0, "opens"), "closes": ("schedule", 0, "closes"),
    "frequency": ("schedule", 0, "frequency"), "schedule_note": ("schedule", 0, "note"),
}
_LABEL_OF_PATH = {path: BY_ID[fid].label for fid, path in _PATHS.items()}


class SubmissionError(Exception):
    """The form cannot become a listing; ``problems`` is a list of (form label, sentence)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{label}: {message}" for label, message in problems))
        self.problems = problems


def label_for(path: tuple) -> str:
    """The form label for an entry field path such as ("location", "postcode") or ("schedule", 0, "opens")."""
    path = tuple(0 if isinstance(step, int) else step for step in path)
    while path:
        if path in _LABEL_OF_PATH:
            return _LABEL_OF_PATH[path]
        path = path[:-1]
    return "the form"


# --- parsing the issue body -------------------------------------------------------------------

_HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*$")
_CHECKBOX = re.compile(r"^[-*][ \t]+\[([ xX])\][ \t]+(.+?)[ \t]*$")


def parse_body(text: str) -> dict[str, object]:
    """``{field id: str | list[str] | None}`` for every form question found in the body.

    Text answers are stripped strings (None when blank or ``_No response_``); checkboxes give the
    ticked option labels; dropdowns the chosen option labels (a list when ``multiple``).
    """
    if text is None or not text.strip():
        raise SubmissionError([("the form", "the issue is empty: please fill in the form "
                                            "(choose \"Add your group\" when you open a new issue)")])
    if len(text) > MAX_BODY_CHARS:
        raise SubmissionError([("the form", f"the issue text is {len(text):,} characters long, far more than "
                                            "a listing needs; please shorten the description to 1,500 "
                                            "characters at most")])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sections: dict[str, list[str]] = {}
    current = None
    problems = []
    for line in text.split("\n"):
        match = _HEADING.match(line)
        if match and match.group(1) in BY_LABEL:
            current = BY_LABEL[match.group(1)].id
            if current in sections:
                problems.append((match.group(1), "this question appears twice in the issue; please don't type "
                                                 "lines starting with ### in your answers"))
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    if problems:
        raise SubmissionError(problems)
    if not sections:
        raise SubmissionError([("the form", "this issue does not look like the listing form (no questions "
                                            "were found); please open a new issue with the \"Add your group\" "
                                            "or \"Update or close a listing\" form")])
    return {fid: _answer(BY_ID[fid], "\n".join(lines)) for fid, lines in sections.items()}


def _answer(spec: Field, raw: str):
    raw = raw.strip("\n")
    if spec.kind == "checkboxes":
        return [m.group(2) for m in map(_CHECKBOX.match, raw.split("\n")) if m and m.group(1) in "xX"]
    value = raw.strip()
    if not value or value == NO_RESPONSE:
        return [] if spec.multiple else None
    if spec.kind == "dropdown" and spec.multiple:
        return [part.strip() for part in value.split(", ") if part.strip()]
    return value


# --- building the entry ---------------------------------------------------------------------

def build_entry(answers: dict, *, today: str, existing_ids: set[str], existing: dict | None = None,
                issue: str | None = None, repo: str | None = None, author: str | None = None) -> dict:
    """A new entry from the "Add your group" answers, or ``existing`` edited by the update answers.

    ``author`` is the GitHub account that submitted the form: a new listing records it in
    ``maintainers``; an update is ``verified_by: provider`` only when it comes from one of the
    listing's maintainers, and is otherwise marked ``unverified`` until a reviewer confirms it
    (``linkwell.submissions.maintainers`` words the notice for the pull request).
    Raises ``SubmissionError`` listing every problem found, each named by its form label.
    """
    updating = existing is not None
    problems: list[tuple[str, str]] = []
    values, removals = _converted(answers, updating, problems)
    _check_confirmation(values, problems)
    if not updating:
        _check_required(values, problems)
    entry = copy.deepcopy(existing) if updating else {}
    _apply_borough(values, entry, problems)
    _apply_areas(values)
    _apply_schedule(values, removals, entry, problems)
    for fid, value in values.items():
        set_path(entry, _PATHS[fid], value)
    for fid in removals:
        if fid in _PATHS:
            remove_path(entry, _PATHS[fid])
    if updating:
        _check_move(values, existing, problems)
    else:
        _name_new(entry, existing_ids, repo, problems)
    _check_whole(entry, problems)
    if problems:
        raise SubmissionError(_unique(problems))
    _verify(entry, today, author, existing)
    _record_source(entry, today, issue)
    return entry


def _converted(answers: dict, updating: bool, problems: list) -> tuple[dict[str, object], list[str]]:
    """({field id: schema value}, [field ids to remove]) from the answers given."""
    values: dict[str, object] = {}
    removals: list[str] = []
    for fid, raw in answers.items():
        spec = BY_ID[fid]
        if raw is None or raw == []:
            continue
        if updating and isinstance(raw, str) and raw.strip().lower() in REMOVE_WORDS and not spec.required:
            removals.append(fid)
            continue
        value = convert(spec, raw, problems)
        if value is not None:
            values[fid] = value
    values.pop("notes", None)
    values.pop("listing", None)
    return values, removals


def _check_confirmation(values: dict, problems: list) -> None:
    ticked = set(values.pop("confirm", []))
    if "provider" not in ticked:
        problems.append((BY_ID["confirm"].label, "please tick \"I run or work for this group and these details "
                                                 "are correct\"; only the group itself can add or update its "
                                                 "listing this way"))
    if "organisational" not in ticked:
        problems.append((BY_ID["confirm"].label, "please tick the box confirming the contact details belong to "
                                                 "the organisation (no personal phone numbers or emails)"))


def _check_required(values: dict, problems: list) -> None:
    for spec in FIELDS:
        if spec.required and spec.id not in values and not any(p[0] == spec.label for p in problems):
            how = {"checkboxes": "please tick at least one box", "dropdown": "please choose from the list"}
            problems.append((spec.label, f"is required; {how.get(spec.kind, 'please fill it in')}"))


def _name_new(entry: dict, existing_ids: set[str], repo: str | None, problems: list) -> None:
    """A new listing: active, with the id made from its name (refused when taken or not Latin letters)."""
    entry["status"] = "active"
    entry_id = make_id(entry.get("name", ""), entry.get("organisation", {}).get("name", ""))
    if entry.get("name") and len(entry_id) < 3:
        problems.append((BY_ID["name"].label, "please include the name in English letters (it is used for "
                                              "the listing's web address)"))
    elif entry_id in existing_ids:
        update_link = (f"https://github.com/{repo}/issues/new?template=update-listing.yml&listing={entry_id}"
                       if repo else "the \"Update or close a listing\" form")
        problems.append((BY_ID["name"].label,
                         f"a listing with this name already exists (`{entry_id}`). If it is yours, please use "
                         f"{update_link} instead. If it is a different group, add your area or organisation "
                         "to the name, for example \"Walking group (Deptford)\""))
    entry["id"] = entry_id


def _check_move(values: dict, existing: dict, problems: list) -> None:
    if "borough" in values and values["borough"] != existing["borough"]:
        problems.append((BY_ID["borough"].label,
                         f"moving a listing from {BOROUGHS[existing['borough']].name} to "
                         f"{BOROUGHS[values['borough']].name} needs a reviewer; please say so in "
                         "\"Anything else for the reviewers\" and leave Borough and Postcode as they were"))


def _check_whole(entry: dict, problems: list) -> None:
    if entry.get("delivery") and "in-person" in entry["delivery"] and not entry.get("location"):
        problems.append((BY_ID["venue"].label, "please give the venue name or postcode: people need to know "
                                               "where to go for an in-person activity"))
    audience = entry.get("audience") or {}
    if audience.get("min_age") is not None and audience.get("max_age") is not None \
            and audience["min_age"] > audience["max_age"]:
        problems.append((BY_ID["max_age"].label, "is lower than the youngest age welcome"))


def _verify(entry: dict, today: str, author: str | None, existing: dict | None) -> None:
    """Who vouches for the details: the provider when a maintainer (or, for a new listing, its author)
    submitted them; nobody yet (``unverified``, for a reviewer to confirm) otherwise."""
    if existing is None:
        if author:
            entry["maintainers"] = [author]
        entry["verified_by"] = "provider"
    else:
        entry["verified_by"] = "provider" if is_maintainer(existing, author) else "unverified"
    entry["last_verified"] = today


def _record_source(entry: dict, today: str, issue: str | None) -> None:
    sources = entry.setdefault("sources", [])
    same = [s for s in sources if s.get("kind") == "form" and issue and s.get("record_id") == str(issue)]
    if same:
        same[0]["last_seen"] = today
        return
    record = {"kind": "form", "first_seen": today, "last_seen": today}
    if issue:
        record["record_id"] = str(issue)
    sources.append(record)


def _apply_areas(values: dict) -> None:
    """"All of London" chosen with some boroughs, or every borough ticked, means all of London."""
    areas = values.get("areas_served")
    if areas and ("london" in areas or len(areas) == len(BOROUGHS)):
        values["areas_served"] = ["london"]


def _apply_borough(values: dict, entry: dict, problems: list) -> None:
    postcode = values.get("postcode")
    point = postcodes().get(postcode) if postcode else None
    chosen = values.get("borough") or (entry.get("borough") if "postcode" in values else None)
    if point is not None and point.borough in BOROUGHS:
        if chosen and chosen != point.borough:
            problems.append((BY_ID["postcode"].label,
                             f"{postcode} is in {BOROUGHS[point.borough].name}, but Borough says "
                             f"{BOROUGHS[chosen].name}; please check which one is right"))
        elif "borough" not in values and "borough" not in entry:
            values["borough"] = point.borough
    if "borough" not in values and "borough" not in entry and not any(
            p[0] == BY_ID["postcode"].label for p in problems):
        problems.append((BY_ID["borough"].label, "is required: choose the London borough where it happens "
                                                 "(or give its postcode)"))


def _apply_schedule(values: dict, removals: list, entry: dict, problems: list) -> None:
    keys = ("days", "opens", "closes", "frequency", "schedule_note")
    given = {k: values.pop(k) for k in keys if k in values}
    cleared = [k for k in keys if k in removals]
    for k in cleared:
        removals.remove(k)
    if not given and not cleared:
        return
    slots = entry.get("schedule") or []
    if len(slots) == 1:
        slot = dict(slots[0])  # one slot: edit it in place
    elif "days" in given:
        slot = {}  # none or several: the form describes one new slot
    else:
        problems.append((BY_ID["days"].label, "please tick the days it runs, so the times have a day to go "
                                              "with"))
        return
    names = {"schedule_note": "note"}
    for k, value in given.items():
        slot[names.get(k, k)] = value
    for k in cleared:
        slot.pop(names.get(k, k), None)
    if slot.get("opens") and slot.get("closes") and slot["closes"] <= slot["opens"]:
        problems.append((BY_ID["closes"].label, f"{slot['closes']} is not after the start time {slot['opens']}"))
    entry["schedule"] = [slot]


def _unique(problems: list) -> list:
    return list(dict.fromkeys(problems))


def render_problems(problems: list[tuple[str, str]], updating: bool = False) -> str:
    """The Markdown comment for a form that could not become a listing."""
    what = "update this listing" if updating else "add this listing"
    lines = [f"**Thank you! We could not {what} yet.** Please edit this issue (the ··· menu at the top of it, "
             "then *Edit*), fix the answers below and save: we will check it again automatically.", ""]
    order = {f.label: i for i, f in enumerate(FIELDS)}
    problems = sorted(problems, key=lambda p: order.get(p[0], -1))
    lines += [f"- **{label}**: {message}" for label, message in problems]
    lines += ["", "Nothing has been published. If you are stuck, reply here and a volunteer reviewer will help."]
    return "\n".join(lines) + "\n"
