"""Merge harvested candidates into ``directory/``: decide what changes, check it, write it safely.

``plan(directory, results, today)`` takes the ``harvesters.SourceResult``s of one run and returns
a ``Plan``: the entries to write, and everything the report needs. ``plan.apply()`` writes them
through ``linkwell.listings.store.write_entries`` (atomic, all or nothing) unless the run was refused;
``plan.report()`` is Markdown usable as a pull-request body; ``plan.diff()`` a unified diff.

Rules (see DESIGN.md, "Harvesting without losing data"):

- Matching: a candidate belongs to the entry that already carries its (source id, record id);
  else to the only entry with its charity or company number; else to an entry with the same
  normalised name and postcode. So the same group from two sources becomes one entry with two
  ``sources`` items. Otherwise it becomes a new entry, whose id is the slug of its name (then
  name + borough, then name + a short hash of source and record) and never changes afterwards.
- Provenance: each source item keeps ``first_seen``, ``last_seen`` (refreshed when something
  changes, or after ``LAST_SEEN_REFRESH_DAYS``, so an unchanged harvest writes nothing) and
  ``harvested``: the values this source last wrote. A field whose current value differs from
  ``harvested`` was edited by a person and is kept. A source that first meets an existing entry
  only fills fields the entry lacks. A harvest never moves a listing to another borough.
- ``verified_by: harvest`` with ``last_verified`` from the source's own date (ORUK assured date,
  RPDE modified) when it has one; otherwise a new listing is ``unverified``.
- Records missing upstream are marked ``not_seen_since`` on their source item, never deleted.
- A run is refused (nothing written) when any source failed, returned nothing, or would lose
  more than ``max_drop`` (15 %) of the records it had last time, or when ``directory/`` itself has
  errors. Every resulting entry is validated as the text it will be written as (``check``: it
  reads back as the same data and passes the single-file checks of ``linkwell validate``); each
  entry is dumped once; a candidate that fails is reported with
  its source, record id, field and message and skipped, leaving the listing as it was.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import itertools
import marshal
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from linkwell.listings.store import dump_entry, entry_path, write_entries
from linkwell.listings.validate import find_entry_files, validate_paths

from .check import check_entries
from .report import render

HARVESTED_FIELDS = ["name", "organisation", "description", "categories", "activities", "borough", "areas_served",
                    "location", "delivery", "schedule", "cost", "cost_note", "access", "audience", "accessibility",
                    "languages", "contact", "status"]
REQUIRED = {"name", "organisation", "description", "categories", "borough", "delivery", "cost", "access",
            "status"}
LAST_SEEN_REFRESH_DAYS = 30
MAX_DROP = 0.15


def _copy(value):
    """A deep copy of entry data (dicts, lists, text, numbers), several times faster than copy.deepcopy."""
    return marshal.loads(marshal.dumps(value))


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().replace("&", "and"))


def _slug(text: str, limit: int = 80) -> str:
    from linkwell.harvest.text import slug

    return slug(text, limit)


@dataclass
class Change:
    entry_id: str
    borough: str
    name: str
    source_id: str
    record_id: str
    fields: list[str] = field(default_factory=list)

    def link(self) -> str:
        return f"`{self.borough}/{self.entry_id}.yml`"


@dataclass
class Plan:
    directory: Path
    today: dt.date
    writes: dict[str, dict] = field(default_factory=dict)  # id -> entry to write
    texts: dict[str, str] = field(default_factory=dict)  # id -> its text, checked (see _check)
    before: dict[str, dict] = field(default_factory=dict)  # id -> entry as it was (existing only)
    new: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    also: list[Change] = field(default_factory=list)  # a source meeting an existing listing for the first time
    kept: list[Change] = field(default_factory=list)  # fields a person edited, kept
    not_seen: list[Change] = field(default_factory=list)
    seen_again: list[Change] = field(default_factory=list)
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (source id, why)
    invalid: list[tuple[str, str, str, str]] = field(default_factory=list)  # source, record, field, message
    warnings: list[str] = field(default_factory=list)
    sources: list = field(default_factory=list)  # SourceResult, in order
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.refused

    # --- writing ------------------------------------------------------------------------------

    def apply(self, files: dict[Path, bytes] | None = None) -> list[Path]:
        """Write the planned entries, and ``files`` (harvest state) with them, as one all-or-nothing
        batch; nothing when refused. Returns the changed listing paths."""
        if self.refused:
            return []
        written = write_entries(self.directory, [self.writes[k] for k in sorted(self.writes)], self.texts,
                               files=files)
        self.applied = True
        return written

    def diff(self) -> str:
        out = []
        for entry_id in sorted(self.writes):
            entry = self.writes[entry_id]
            path = entry_path(self.directory, entry)
            rel = f"{self.directory.name}/{entry['borough']}/{entry_id}.yml"
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            new = self.texts.get(entry_id) or dump_entry(entry)
            if old == new:
                continue
            out += difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{rel}" if old else "/dev/null", f"b/{rel}")
        return "".join(out)

    # --- the report ---------------------------------------------------------------------------

    def report(self, dry_run: bool = False) -> str:
        """Markdown for a pull-request body; with ``dry_run`` also each source's mapping block."""
        return render(self, dry_run)


# --- planning --------------------------------------------------------------------------------

class _Directory:
    """The existing entries with the indexes matching needs."""

    def __init__(self, entries: dict[str, dict], taken: set[str]):
        self.entries = entries
        self.taken = set(taken) | set(entries)
        self.by_record: dict[tuple[str, str], str] = {}
        self.by_number: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_name_postcode: dict[tuple[str, str], set[str]] = defaultdict(set)
        for entry in entries.values():
            self.index(entry)

    def index(self, entry: dict) -> None:
        for item in entry["sources"]:
            if item.get("source_id") and item.get("record_id"):
                self.by_record[(item["source_id"], item["record_id"])] = entry["id"]
        for key in ("charity_number", "company_number"):
            if entry["organisation"].get(key):
                self.by_number[(key, entry["organisation"][key])].add(entry["id"])
        postcode = (entry.get("location") or {}).get("postcode")
        if postcode:
            self.by_name_postcode[(normalise_name(entry["name"]), postcode)].add(entry["id"])

    def has_source(self, entry_id: str, source_id: str) -> bool:
        return any(item.get("source_id") == source_id for item in self.entries[entry_id]["sources"])

    def match(self, source_id: str, record_id: str, fields: dict) -> str | None:
        hit = self.by_record.get((source_id, record_id))
        if hit:
            return hit
        for key in ("charity_number", "company_number"):
            number = fields["organisation"].get(key)
            ids = self.by_number.get((key, number), set()) if number else set()
            if len(ids) == 1:
                (only,) = ids
                if not self.has_source(only, source_id):
                    return only
        postcode = (fields.get("location") or {}).get("postcode")
        if postcode:
            ids = sorted(i for i in self.by_name_postcode.get((normalise_name(fields["name"]), postcode), ())
                         if not self.has_source(i, source_id))
            if ids:
                return ids[0]
        return None

    def new_id(self, name: str, borough: str, source_id: str, record_id: str) -> str:
        base = _slug(name, 80)
        if len(base) < 3:
            base = f"{base}-listing".strip("-")
        digest = hashlib.blake2b(f"{source_id}|{record_id}".encode(), digest_size=3).hexdigest()
        options = itertools.chain([base, f"{base}-{borough}", f"{base}-{digest}"],
                                  (f"{base}-{digest}-{n}" for n in itertools.count(2)))
        option = next(option for option in options if option not in self.taken)
        self.taken.add(option)
        return option


def _verification(candidate) -> tuple[str, str] | None:
    return ("harvest", candidate.verified_on) if candidate.verified_on else None


def _source_item(result, candidate, today: dt.date, old: dict | None, harvested: dict) -> dict:
    source = result.source
    item = dict(old) if old else {"kind": source.kind, "source_id": source.id, "first_seen": today.isoformat()}
    item["kind"] = source.kind
    if source.title:
        item["title"] = source.title
    item["record_id"] = candidate.record_id
    if candidate.url:
        item["url"] = candidate.url
    else:
        item.pop("url", None)
    item.setdefault("last_seen", today.isoformat())
    item["harvested"] = harvested
    return item


def _load_directory(directory: Path, today: dt.date, plan: Plan) -> _Directory | None:
    if not directory.is_dir():
        return _Directory({}, set())
    files, _others = find_entry_files([directory])
    taken = {Path(f).stem for f in files}
    report = validate_paths([directory], today=today)
    if report.errors:
        first = "; ".join(str(p) for p in report.errors[:3])
        plan.refused.append(("(directory)", f"{len(report.errors)} error(s) in the listings already there (e.g. "
                                            f"{first}); run `linkwell validate` and fix them first"))
        return None
    entries = {e["id"]: e for e in report.entries.values()}
    return _Directory(entries, taken)


def plan(directory: Path, results: list, today: dt.date | None = None, max_drop: float = MAX_DROP) -> Plan:
    """Decide what a harvest run changes; see the module docstring."""
    today = today or dt.date.today()
    directory = Path(directory)
    result_plan = Plan(directory, today, sources=list(results))
    existing = _load_directory(directory, today, result_plan)
    if existing is None:
        return result_plan
    originals = {k: _copy(v) for k, v in existing.entries.items()}
    touched: dict[str, list[tuple]] = defaultdict(list)  # id -> [(source, record)] for error reports
    for result in results:
        _merge_source(result, existing, result_plan, today, max_drop, touched)
    if result_plan.refused:
        result_plan.writes.clear()
        return result_plan
    changed = {i: e for i, e in existing.entries.items() if originals.get(i) != e}
    result_plan.before = {i: originals[i] for i in changed if i in originals}
    _check(changed, result_plan, today, touched)
    result_plan.writes = changed
    result_plan.unchanged = len(existing.entries) - len(changed)
    return result_plan


def _merge_source(result, d: _Directory, p: Plan, today: dt.date, max_drop: float, touched) -> None:
    sid = result.source.id
    if result.error:
        p.refused.append((sid, result.error))
        return
    had = {item["record_id"]: entry["id"] for entry in d.entries.values() for item in entry["sources"]
           if item.get("source_id") == sid and item.get("record_id") and not item.get("not_seen_since")}
    nothing = not (result.candidates or result.skipped or result.dropped or result.deleted or result.records)
    if nothing and not result.incremental:
        extra = f"; refusing to mark its {len(had)} listings as not seen" if had else ""
        p.refused.append((sid, f"returned no records at all (an empty feed){extra}. If the source really "
                               "closed, remove it from the sources file"))
        return
    missing = set(result.deleted) & set(had)
    if not result.incremental:
        missing |= set(had) - result.seen_ids
    if had and len(missing) / len(had) > max_drop:
        p.refused.append((sid, f"would drop {len(missing)} of the {len(had)} records it had last time "
                               f"({100 * len(missing) / len(had):.0f} %, more than the {100 * max_drop:.0f} % "
                               "allowed); this looks like a broken or partial feed, so nothing was written. "
                               "If the records really went, run again with a higher --max-drop"))
        return
    for candidate in result.candidates:
        _merge_candidate(result, candidate, d, p, today, touched)
    for record_id in sorted(missing):
        entry = d.entries[had[record_id]]
        for item in entry["sources"]:
            if item.get("source_id") == sid and item.get("record_id") == record_id:
                item["not_seen_since"] = today.isoformat()
        p.not_seen.append(Change(entry["id"], entry["borough"], entry["name"], sid, record_id))


def _new_entry(result, candidate, d: _Directory, p: Plan, today: dt.date, harvested: dict, verification) -> str:
    fields = candidate.fields
    sid = result.source.id
    entry_id = d.new_id(fields["name"], fields["borough"], sid, candidate.record_id)
    verified_by, last_verified = verification or ("unverified", today.isoformat())
    entry = {"id": entry_id, **_copy(fields), "last_verified": last_verified, "verified_by": verified_by,
             "sources": [_source_item(result, candidate, today, None, harvested)]}
    d.entries[entry_id] = entry
    d.index(entry)
    p.new.append(Change(entry_id, entry["borough"], entry["name"], sid, candidate.record_id))
    return entry_id


def _update_fields(entry: dict, fields: dict, previous: dict | None) -> tuple[list[str], list[str]]:
    """Apply a candidate's fields to an existing entry; (changed fields, fields kept as people left them)."""
    changed, kept = [], []
    moves = fields["borough"] != entry["borough"]
    for key in HARVESTED_FIELDS:
        new, current = fields.get(key), entry.get(key)
        if new == current:
            continue
        if moves and key in ("borough", "location"):
            kept.append(f"{key} (the source puts it in {fields['borough']}; move it by hand if right)")
        elif previous is None:  # this source meets the entry for the first time: fill gaps only
            if current is None and new is not None:
                entry[key] = _copy(new)
                changed.append(key)
            else:
                kept.append(key)
        elif current != previous.get(key):  # a person edited it since this source wrote it
            kept.append(key)
        elif new is not None:
            entry[key] = _copy(new)
            changed.append(key)
        elif key not in REQUIRED:
            entry.pop(key, None)
            changed.append(key)
    return changed, kept


def _update_verification(entry: dict, verification, previous: dict | None) -> bool:
    """Take the source's date unless a person verified the listing since; True when it changed."""
    if not verification:
        return False
    pair = (entry["verified_by"], entry["last_verified"])
    prev_pair = (previous.get("verified_by"), previous.get("last_verified")) if previous else None
    if pair != verification and (pair == prev_pair or entry["verified_by"] == "unverified"):
        entry["verified_by"], entry["last_verified"] = verification
        return True
    return False


def _merge_candidate(result, candidate, d: _Directory, p: Plan, today: dt.date, touched) -> None:
    sid = result.source.id
    fields = candidate.fields
    verification = _verification(candidate)
    harvested = {k: _copy(fields[k]) for k in HARVESTED_FIELDS if k in fields}
    if verification:
        harvested["verified_by"], harvested["last_verified"] = verification
    entry_id = d.match(sid, candidate.record_id, fields)
    if entry_id is None:
        entry_id = _new_entry(result, candidate, d, p, today, harvested, verification)
        touched[entry_id].append((sid, candidate.record_id))
        return
    entry = d.entries[entry_id]
    touched[entry_id].append((sid, candidate.record_id))
    items = entry["sources"]
    position = next((i for i, item in enumerate(items) if item.get("source_id") == sid
                     and item.get("record_id") == candidate.record_id), None)
    old_item = items[position] if position is not None else None
    previous = (old_item or {}).get("harvested")
    changed, kept = _update_fields(entry, fields, previous)
    if _update_verification(entry, verification, previous):
        changed.append("last_verified")
    item = _source_item(result, candidate, today, old_item, harvested)
    seen_again = bool(item.pop("not_seen_since", None))
    last_seen = dt.date.fromisoformat(item["last_seen"])
    if changed or seen_again or old_item is None or (today - last_seen).days >= LAST_SEEN_REFRESH_DAYS:
        item["last_seen"] = today.isoformat()
    if position is None:
        items.append(item)
    else:
        items[position] = item
    change = Change(entry_id, entry["borough"], entry["name"], sid, candidate.record_id, changed)
    if old_item is None:
        p.also.append(change)
    elif changed:
        p.updated.append(change)
    if seen_again:
        p.seen_again.append(change)
    if kept:
        p.kept.append(Change(entry_id, entry["borough"], entry["name"], sid, candidate.record_id, kept))


def _check(changed: dict[str, dict], p: Plan, today: dt.date, touched) -> None:
    """Check every entry about to be written exactly as it will be written (``check.check_entries``).
    Failing new entries are dropped, failing updates left undone. The texts are kept in ``p.texts``
    so each entry is dumped once."""
    failed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entry_id, (text, problems) in check_entries(changed, p.directory).items():
        for severity, where, message in problems:
            if severity == "error":
                failed[entry_id].append((where, message))
            else:
                p.warnings.append(f"{changed[entry_id]['borough']}/{entry_id}.yml: {where}: {message}")
        if text is not None:
            p.texts[entry_id] = text
    for entry_id, problems in sorted(failed.items()):
        for sid, record_id in touched.get(entry_id, [("?", "?")]):
            for where, message in problems:
                p.invalid.append((sid, record_id, where, message))
        changed.pop(entry_id, None)
        p.texts.pop(entry_id, None)
        bad = {(s, r) for s, r in touched.get(entry_id, [])}
        p.new = [c for c in p.new if c.entry_id != entry_id]
        p.updated = [c for c in p.updated if c.entry_id != entry_id or (c.source_id, c.record_id) not in bad]
        p.also = [c for c in p.also if c.entry_id != entry_id or (c.source_id, c.record_id) not in bad]
        p.not_seen = [c for c in p.not_seen if c.entry_id != entry_id]
