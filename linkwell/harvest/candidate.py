"""What every harvester returns: candidate entries with provenance, and what it had to skip.

A harvester turns each source record into a ``Draft`` (the source's values, lightly parsed) and
hands it to ``Finisher.finish``, which applies everything common to all sources: plain text,
label mapping to our categories/activities, geography (postcode -> coordinates and borough,
outside London -> dropped), defaults from the sources file, and the date the source last
confirmed the record. The result is a ``Candidate``: ``fields`` shaped like an entry (no ``id``,
``sources``, ``verified_by`` or ``last_verified``), plus ``record_id``, ``url`` and ``verified_on``.

``SourceResult`` collects one source's run: candidates, ``skipped`` records (``Skip``: record id,
field, message), ``dropped`` (outside London), ``unmapped`` labels with counts, ``deleted`` record
ids (RPDE), whether the result is ``incremental`` (RPDE: only changes since last time), a fatal
``error``, and ``state`` to save once the merge has been applied.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from linkwell.reference import schema
from linkwell.reference.boroughs import by_name

from .geocode import Geography, OutsideLondon
from .mapping import LabelMap
from .sources import Source
from .text import one_line, parse_date, plain_text


@dataclass
class Skip:
    record_id: str
    field: str
    message: str
    where: str | None = None  # how people find the record, e.g. "row 7" of a spreadsheet

    def __str__(self) -> str:
        return f"{self.where or 'record ' + self.record_id}: {self.field}: {self.message}"


class SkipRecord(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Candidate:
    record_id: str
    fields: dict
    url: str | None = None
    verified_on: str | None = None  # ISO date the source last confirmed the record
    modified: object = None  # RPDE modified, for "newer wins"


@dataclass
class SourceResult:
    source: Source
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    dropped: list[Skip] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    deleted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    incremental: bool = False
    error: str | None = None
    records: int = 0  # records the source listed, including skipped and dropped ones
    state: dict | None = None
    not_modified: bool = False

    @property
    def seen_ids(self) -> set[str]:
        return {c.record_id for c in self.candidates} | {s.record_id for s in self.skipped}


@dataclass
class Draft:
    """A source record read but not yet cleaned; every field optional."""

    record_id: str
    name: str | None = None
    description: str | None = None
    organisation: dict = field(default_factory=dict)  # name, charity_number, company_number, website
    labels: list = field(default_factory=list)
    categories: list = field(default_factory=list)  # already ours (spreadsheets)
    activities: list = field(default_factory=list)
    venue: str | None = None
    address: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    borough: str | None = None
    delivery: list = field(default_factory=list)
    schedule: list = field(default_factory=list)
    cost: str | None = None
    cost_note: str | None = None
    access: list = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    groups: list = field(default_factory=list)
    accessibility: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    status: str | None = None
    verified_on: object = None
    url: str | None = None
    modified: object = None
    where: str | None = None  # for messages: "row 7"


_URL_RE = re.compile(r"^https?://[^\s<>\"]+$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{6,18}[0-9]$")
_CHARITY_RE = re.compile(r"^[0-9]{6,8}(-[0-9]{1,2})?$|^SC[0-9]{6}$")
_COMPANY_RE = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")


def clean_url(value) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    if text.startswith("www."):
        text = "https://" + text
    return text if _URL_RE.match(text) and len(text) <= 500 else None


def clean_email(value) -> str | None:
    text = str(value or "").strip().removeprefix("mailto:")
    return text if _EMAIL_RE.match(text) and len(text) <= 254 else None


def clean_phone(value) -> str | None:
    text = re.sub(r"\s+", " ", str(value or "").strip().removeprefix("tel:"))
    text = re.sub(r"(?i)\s*(ext\.?|extension|x)\s*\d+$", "", text)
    return text if _PHONE_RE.match(text) else None


def clean_charity(value) -> str | None:
    text = re.sub(r"\s+", "", str(value or "")).upper().removeprefix("GB-CHC-")
    return text if _CHARITY_RE.match(text) else None


def clean_company(value) -> str | None:
    text = re.sub(r"\s+", "", str(value or "")).upper().removeprefix("GB-COH-")
    if text.isdigit() and len(text) < 8:
        text = text.zfill(8)  # Companies House numbers are 8 characters: 1234567 -> 01234567
    return text if _COMPANY_RE.match(text) else None


def guess_access(text: str) -> list[str]:
    text = re.sub(r"no (need|booking|referral)[a-z ]*?(to book|needed|required|necessary)|without booking|"
                  r"no need to book", " ", text.lower())
    found = []
    if re.search(r"\bdrop[- ]?in\b", text):
        found.append("drop-in")
    if re.search(r"\bgp\b|doctor", text):
        found.append("gp-referral")
    if "link worker" in text or "social prescrib" in text:
        found.append("link-worker-referral")
    if re.search(r"\bbook(ing)?\b|\bbook (a|your) place", text):
        found.append("booking")
    if "self-refer" in text or "self refer" in text:
        found.append("self-referral")
    return found


class Finisher:
    """Turns ``Draft``s of one source into ``Candidate``s; see the module docstring."""

    def __init__(self, source: Source, result: SourceResult, geography: Geography, today: dt.date):
        self.source = source
        self.result = result
        self.geography = geography
        self.labels = LabelMap(source.mapping)
        self.today = today
        self.vocab = {name: set(schema.vocabulary(*path)) for name, path in (
            ("access", ("access",)), ("groups", ("audience", "groups")), ("accessibility", ("accessibility",)),
            ("delivery", ("delivery",)), ("activities", ("activities",)), ("categories", ("categories",)))}

    def add(self, draft: Draft) -> Candidate | None:
        """Finish a draft and add it to the result (or record why it was skipped or dropped)."""
        self.result.records += 1
        try:
            candidate = self.finish(draft)
        except OutsideLondon as exc:
            self.result.dropped.append(Skip(draft.record_id, "location.postcode",
                                            f"{exc}; Linkwell lists London services only (dropped)", draft.where))
            return None
        except SkipRecord as exc:
            self.result.skipped.append(Skip(draft.record_id, exc.field, exc.message, draft.where))
            return None
        self.result.candidates.append(candidate)
        return candidate

    def finish(self, d: Draft) -> Candidate:  # noqa: C901 - to split (issue 13)
        name = one_line(d.name, 200)
        if not name:
            raise SkipRecord("name", "is missing; every listing needs a name")
        description = plain_text(d.description, 1500)
        if not description:
            raise SkipRecord("description", "is missing or empty once HTML is removed; the source must "
                                            "describe the service")
        organisation = {"name": one_line(d.organisation.get("name"), 200) or name}
        for key, cleaner in (("charity_number", clean_charity), ("company_number", clean_company),
                             ("website", clean_url)):
            value = cleaner(d.organisation.get(key))
            if value:
                organisation[key] = value

        categories, activities, unmapped = self.labels.map(d.labels)
        for label in unmapped:
            self.result.unmapped[label] += 1
        categories = sorted(set(categories) | (set(d.categories) & self.vocab["categories"]),
                            key=schema.vocabulary("categories").index)
        activities = sorted(set(activities) | (set(d.activities) & self.vocab["activities"]),
                            key=schema.vocabulary("activities").index)
        if not categories:
            categories = list(self.source.default_categories)
        if not categories:
            shown = ", ".join(repr(str(label)) for label in d.labels) or "none"
            raise SkipRecord("categories", f"no category: the record's labels ({shown}) are not mapped to "
                                           "creative/connected/active/safe; add them to this source's mapping "
                                           "in the sources file")

        place = self.geography.place(d.postcode, d.address)
        borough = place.borough
        if borough is None:
            named = by_name(d.borough) if d.borough else None
            borough = named.slug if named else self.source.borough
        if borough is None:
            raise SkipRecord("borough", "no London postcode and no borough; give the source a default "
                                        "borough in the sources file or fix the record's postcode")
        location = {}
        if d.venue:
            location["venue"] = one_line(d.venue, 200)
        if d.address:
            address = one_line(d.address, 300)
            if place.postcode:  # the postcode has its own field
                address = one_line(re.sub(re.escape(place.postcode).replace(r"\ ", r"\s*"), "", address,
                                          flags=re.I).strip(" ,"), 300)
            if address:
                location["address"] = address
        if place.postcode:
            location["postcode"] = place.postcode
        if place.lat is not None:
            location["lat"], location["lon"] = place.lat, place.lon
        elif d.lat is not None and d.lon is not None and place.postcode is None:
            try:
                lat, lon = round(float(d.lat), 6), round(float(d.lon), 6)
            except (TypeError, ValueError):
                lat = lon = None
            if lat is not None and 51.2 <= lat <= 51.8 and -0.6 <= lon <= 0.4:
                location["lat"], location["lon"] = lat, lon
        location = {k: v for k, v in location.items() if v not in ("", None)}

        delivery = [x for x in d.delivery if x in self.vocab["delivery"]]
        if not delivery:
            delivery = list(self.source.defaults.get("delivery") or (["in-person"] if location else []))
        if not delivery:
            raise SkipRecord("delivery", "no venue, postcode or online/phone delivery given; cannot tell how "
                                         "people take part")
        delivery = sorted(set(delivery), key=["in-person", "online", "phone"].index)

        access = [x for x in d.access if x in self.vocab["access"]]
        if not access:
            access = list(self.source.defaults.get("access") or ["self-referral"])
        access = sorted(set(access), key=schema.vocabulary("access").index)

        fields = {"name": name, "organisation": organisation, "description": description,
                  "categories": categories}
        if activities:
            fields["activities"] = activities
        fields["borough"] = borough
        if location:
            fields["location"] = location
        fields["delivery"] = delivery
        schedule = [slot for slot in d.schedule if slot.get("days")]
        if schedule:
            unique = []
            for slot in schedule:
                if slot not in unique:
                    unique.append(slot)
            fields["schedule"] = unique
        fields["cost"] = d.cost or self.source.defaults.get("cost") or "varies"
        if d.cost_note:
            note = plain_text(d.cost_note, 300)
            if note:
                fields["cost_note"] = note
        fields["access"] = access
        audience = {}
        if isinstance(d.min_age, int) and 0 <= d.min_age <= 120:
            audience["min_age"] = d.min_age
        if isinstance(d.max_age, int) and 0 <= d.max_age <= 120:
            audience["max_age"] = d.max_age
        if audience.get("min_age", 0) > audience.get("max_age", 120):
            audience.pop("max_age")
        groups = sorted({g for g in d.groups if g in self.vocab["groups"]})
        if groups:
            audience["groups"] = groups
        if audience:
            fields["audience"] = audience
        accessibility = sorted({a for a in d.accessibility if a in self.vocab["accessibility"]})
        if accessibility:
            fields["accessibility"] = accessibility
        languages = sorted({str(x).lower() for x in d.languages if re.fullmatch(r"[A-Za-z]{2}", str(x))})
        if languages:
            fields["languages"] = languages
        contact = {}
        for key, value in (("website", clean_url(d.website)), ("email", clean_email(d.email)),
                           ("phone", clean_phone(d.phone))):
            if value:
                contact[key] = value
        if contact:
            fields["contact"] = contact
        fields["status"] = d.status if d.status in ("active", "temporarily-closed", "closed") else "active"

        verified = parse_date(d.verified_on)
        if verified is not None and verified > self.today:
            verified = self.today  # a source's date in the future is not believable beyond today
        return Candidate(record_id=str(d.record_id), fields=fields, url=clean_url(d.url),
                         verified_on=verified.isoformat() if verified else None, modified=d.modified)
