"""What every harvester returns: candidate entries with provenance, and what it had to skip.

A harvester turns each source record into a ``Draft`` (the source's values, lightly parsed) and
hands it to ``Finisher.add``, which applies everything common to all sources: plain text, label
mapping to our categories/activities, geography (London only: see ``geocode``), defaults from the
sources file, organisational contacts only (see ``contacts``) and the date the source last
confirmed the record. The result is a ``Candidate``: ``fields`` shaped like an entry (no ``id``,
``sources``, ``verified_by`` or ``last_verified``), plus ``record_id``, ``url`` and ``verified_on``.

Where a record goes: its postcode, postcode district or coordinates decide (outside London:
dropped); a record's own borough field is used when it has no postcode or coordinates; the
source's default ``borough`` only places records with no location at all (online, phone), and
``SourceResult.defaulted`` counts them. When the record's or the source's borough disagrees with
the postcode, the postcode wins and ``SourceResult.disagreements`` says so.

The areas a record serves (``Draft.areas``: names, GSS codes, "Greater London"...) become
``areas_served`` through ``linkwell.listings.areas.read_areas``; areas outside London and text not
understood are left out and counted in ``SourceResult.areas_not_read`` for the report.

``SourceResult`` collects one source's run: candidates, ``skipped`` records (``Skip``: record id,
field, message), ``dropped`` (outside London), ``labels`` and ``unmapped`` labels with counts,
``personal`` (personal contacts left out) and ``personal_records``, ``deleted`` record ids (RPDE),
whether the result is ``incremental`` (RPDE: only changes since last time), a fatal ``error``,
and ``state`` to save once the merge has been applied.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from linkwell.listings.areas import read_areas
from linkwell.reference import schema
from linkwell.reference.boroughs import by_name

from .clean import clean_charity, clean_company, clean_email, clean_phone, clean_url, guess_access
from .contacts import Contact, choose
from .geocode import Geography, OutsideLondon, Place, Unplaceable
from .mapping import LabelMap
from .sources import Source
from .text import one_line, parse_date, plain_text

__all__ = ["Candidate", "Draft", "Finisher", "Skip", "SkipRecord", "SourceResult", "clean_charity",
           "clean_company", "clean_email", "clean_phone", "clean_url", "guess_access"]


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
    disagreements: list[Skip] = field(default_factory=list)  # borough given vs postcode: postcode won
    labels: Counter = field(default_factory=Counter)  # every label seen, for the dry run's mapping block
    unmapped: Counter = field(default_factory=Counter)
    deleted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    incremental: bool = False
    error: str | None = None
    records: int = 0  # records the source listed, including skipped and dropped ones
    defaulted: int = 0  # candidates placed in the source's default borough (no location at all)
    personal: int = 0  # personal contacts left out
    personal_records: int = 0  # candidates that had some
    areas_not_read: Counter = field(default_factory=Counter)  # areas served outside London or not understood
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
    postcode: str | None = None  # a full postcode, or only its district ("N15") for masked addresses
    lat: float | None = None
    lon: float | None = None
    borough: str | None = None  # the record's own borough field, if it has one
    areas: list = field(default_factory=list)  # the areas it serves, as the source writes them
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
    contacts: list[Contact] = field(default_factory=list)  # more contacts, personal ones included
    status: str | None = None
    verified_on: object = None
    url: str | None = None
    modified: object = None
    where: str | None = None  # for messages: "row 7"

    @property
    def has_location(self) -> bool:
        return bool(self.venue or self.address or self.postcode or (self.lat is not None and self.lon is not None))


_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}\b", re.I)


def _squash(postcode: str) -> str:
    return "".join(postcode.split()).upper()


@dataclass
class _Outcome:
    """What finishing one draft adds to the source's counts once it is accepted."""

    defaulted: bool = False
    personal: int = 0
    disagreement: Skip | None = None


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
        self.order = {name: schema.vocabulary(name) for name in ("categories", "activities", "access")}

    def add(self, draft: Draft) -> Candidate | None:
        """Finish a draft and add it to the result (or record why it was skipped or dropped)."""
        self.result.records += 1
        outcome = _Outcome()
        try:
            candidate = self.finish(draft, outcome)
        except OutsideLondon as exc:
            self.result.dropped.append(Skip(draft.record_id, "location", f"{exc}; Linkwell lists London "
                                                                          "services only (dropped)", draft.where))
            return None
        except SkipRecord as exc:
            self.result.skipped.append(Skip(draft.record_id, exc.field, exc.message, draft.where))
            return None
        self.result.candidates.append(candidate)
        self.result.defaulted += outcome.defaulted
        self.result.personal += outcome.personal
        self.result.personal_records += bool(outcome.personal)
        if outcome.disagreement:
            self.result.disagreements.append(outcome.disagreement)
        return candidate

    def finish(self, d: Draft, outcome: _Outcome | None = None) -> Candidate:
        outcome = outcome or _Outcome()
        name = one_line(d.name, 200)
        if not name:
            raise SkipRecord("name", "is missing; every listing needs a name")
        description = plain_text(d.description, 1500)
        if not description:
            raise SkipRecord("description", "is missing or empty once HTML is removed; the source must "
                                            "describe the service")
        categories, activities = self._categories(d)  # counts labels even for records dropped below
        borough, location = self._where(d, outcome)
        if not categories:
            shown = ", ".join(repr(str(label)) for label in d.labels) or "none"
            raise SkipRecord("categories", f"no category: the record's labels ({shown}) are not mapped to "
                                           "creative/connected/active/safe; add them to this source's mapping "
                                           "in the sources file")
        fields = {"name": name, "organisation": self._organisation(d, name), "description": description,
                  "categories": categories}
        if activities:
            fields["activities"] = activities
        fields["borough"] = borough
        areas = self._areas(d)
        if areas:
            fields["areas_served"] = areas
        if location:
            fields["location"] = location
        fields["delivery"] = self._delivery(d, location)
        fields.update(self._details(d))
        contact = self._contact(d, outcome)
        if contact:
            fields["contact"] = contact
        fields["status"] = d.status if d.status in ("active", "temporarily-closed", "closed") else "active"
        verified = parse_date(d.verified_on)
        if verified is not None and verified > self.today:
            verified = self.today  # a source's date in the future is not believable beyond today
        return Candidate(record_id=str(d.record_id), fields=fields, url=clean_url(d.url),
                         verified_on=verified.isoformat() if verified else None, modified=d.modified)

    # --- the steps of finish ------------------------------------------------------------------

    def _categories(self, d: Draft) -> tuple[list[str], list[str]]:
        for label in d.labels:
            text = " ".join(str(label).split())
            if text:
                self.result.labels[text] += 1
        categories, activities, unmapped = self.labels.map(d.labels)
        for label in unmapped:
            self.result.unmapped[label] += 1
        categories = set(categories) | (set(d.categories) & self.vocab["categories"])
        activities = set(activities) | (set(d.activities) & self.vocab["activities"])
        categories = categories or set(self.source.default_categories)
        return ([c for c in self.order["categories"] if c in categories],
                [a for a in self.order["activities"] if a in activities])

    def _areas(self, d: Draft) -> list[str]:
        """The London areas it serves; the rest (outside London, not understood) are counted, never guessed."""
        areas, not_read = read_areas(d.areas)
        for piece in not_read:
            self.result.areas_not_read[piece] += 1
        return areas

    def _organisation(self, d: Draft, name: str) -> dict:
        organisation = {"name": one_line(d.organisation.get("name"), 200) or name}
        for key, cleaner in (("charity_number", clean_charity), ("company_number", clean_company),
                             ("website", clean_url)):
            value = cleaner(d.organisation.get(key))
            if value:
                organisation[key] = value
        return organisation

    def _where(self, d: Draft, outcome: _Outcome) -> tuple[str, dict]:
        """(borough, location); raises OutsideLondon or SkipRecord."""
        try:
            place = self.geography.place(d.postcode, d.address, d.lat, d.lon)
        except Unplaceable as exc:
            raise SkipRecord("location", str(exc)) from None
        named = by_name(d.borough) if d.borough else None
        if place.borough:
            claimed = named.slug if named else self.source.borough
            if claimed and claimed != place.borough:
                outcome.disagreement = Skip(d.record_id, "borough", f"the {'record' if named else 'source'} says "
                                            f"{claimed}, but its location is in {place.borough}: placed by "
                                            "its location", d.where)
            return place.borough, self._location(d, place)
        if named:
            return named.slug, self._location(d, place)
        if d.has_location:
            raise SkipRecord("location", "has an address but no postcode or coordinates, so it cannot be "
                                         "placed in a London borough; the source must give the postcode")
        if self.source.borough:
            outcome.defaulted = True
            return self.source.borough, {}
        raise SkipRecord("borough", "has no location at all (no address, postcode or coordinates) and the "
                                    "source has no default borough; if this source's online and phone "
                                    "services belong to one borough, give the source a borough in the "
                                    "sources file")

    @staticmethod
    def _location(d: Draft, place: Place) -> dict:
        location = {}
        if d.venue:
            location["venue"] = one_line(d.venue, 200)
        address = one_line(d.address, 300) if d.address else ""
        if address and place.postcode:  # the postcode has its own field
            address = one_line(_POSTCODE_RE.sub(lambda m: "" if _squash(m.group()) == _squash(place.postcode)
                                                else m.group(), address).strip(" ,"), 300)
        if address:
            location["address"] = address
        if place.postcode:
            location["postcode"] = place.postcode
        if place.lat is not None and place.lon is not None:
            location["lat"], location["lon"] = place.lat, place.lon
        return {k: v for k, v in location.items() if v not in ("", None)}

    def _delivery(self, d: Draft, location: dict) -> list[str]:
        delivery = [x for x in d.delivery if x in self.vocab["delivery"]]
        if not delivery:
            delivery = list(self.source.defaults.get("delivery") or (["in-person"] if location else []))
        if not delivery:
            raise SkipRecord("delivery", "no venue, postcode or online/phone delivery given; cannot tell how "
                                         "people take part")
        return sorted(set(delivery), key=["in-person", "online", "phone"].index)

    def _details(self, d: Draft) -> dict:
        """Schedule, cost, access, audience, accessibility and languages, in the entry's order."""
        out = {}
        unique = []
        for slot in d.schedule:
            if slot.get("days") and slot not in unique:
                unique.append(slot)
        if unique:
            out["schedule"] = unique
        out["cost"] = d.cost or self.source.defaults.get("cost") or "varies"
        note = plain_text(d.cost_note, 300) if d.cost_note else ""
        if note:
            out["cost_note"] = note
        access = {x for x in d.access if x in self.vocab["access"]} or set(
            self.source.defaults.get("access") or ["self-referral"])
        out["access"] = [a for a in self.order["access"] if a in access]
        audience = self._audience(d)
        if audience:
            out["audience"] = audience
        accessibility = sorted({a for a in d.accessibility if a in self.vocab["accessibility"]})
        if accessibility:
            out["accessibility"] = accessibility
        languages = sorted({str(x).lower() for x in d.languages if re.fullmatch(r"[A-Za-z]{2}", str(x))})
        if languages:
            out["languages"] = languages
        return out

    def _audience(self, d: Draft) -> dict:
        audience = {}
        for key, value in (("min_age", d.min_age), ("max_age", d.max_age)):
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 120:
                audience[key] = value
        if audience.get("min_age", 0) > audience.get("max_age", 120):
            audience.pop("max_age")
        groups = sorted({g for g in d.groups if g in self.vocab["groups"]})
        if groups:
            audience["groups"] = groups
        return audience

    @staticmethod
    def _contact(d: Draft, outcome: _Outcome) -> dict:
        contacts = [Contact(None, d.email, d.phone)] if (d.email or d.phone) else []
        email, phone, outcome.personal = choose(contacts + list(d.contacts))
        contact = {}
        for key, value in (("website", clean_url(d.website)), ("email", clean_email(email)),
                           ("phone", clean_phone(phone))):
            if value:
                contact[key] = value
        return contact
