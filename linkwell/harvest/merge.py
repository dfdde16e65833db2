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
  errors. Every resulting entry is validated (schema and semantic checks, by writing it to a
  staging folder and running ``linkwell.listings.validate``); a candidate that fails is reported with
  its source, record id, field and message and skipped, leaving the listing as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from linkwell.listings.loader import EntryLoadError, load_entry_text
from linkwell.listings.store import dump_entry, entry_path, write_entries
from linkwell.listings.validate import find_entry_files, validate_paths

from .text import markdown_text as _md

HARVESTED_FIELDS = ["name", "organisation", "description", "categories", "activities", "borough", "location",
                    "delivery", "schedule", "cost", "cost_note", "access", "audience", "accessibility",
                    "languages", "contact", "status"]
REQUIRED = {"name", "organisation", "description", "categories", "borough", "delivery", "cost", "access",
            "status"}
LAST_SEEN_REFRESH_DAYS = 30
MAX_DROP = 0.15
REPORT_LIMIT = 200  # lines per report section; the rest is counted


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
    before: dict[str, dict] = field(default_factory=dict)  # id -> entry as it was (existing only)
    new: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
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
        written = write_entries(self.directory, [self.writes[k] for k in sorted(self.writes)], files=files)
        self.applied = True
        return written

    def diff(self) -> str:
        out = []
        for entry_id in sorted(self.writes):
            entry = self.writes[entry_id]
            path = entry_path(self.directory, entry)
            rel = f"{self.directory.name}/{entry['borough']}/{entry_id}.yml"
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            new = dump_entry(entry)
            if old == new:
                continue
            out += difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{rel}" if old else "/dev/null", f"b/{rel}")
        return "".join(out)

    # --- the report ---------------------------------------------------------------------------

    def report(self) -> str:
        lines = [f"## Harvest {self.today.isoformat()}", ""]
        if self.refused:
            lines += ["**Refused: nothing was written.** Fix the problems below, or run the other sources "
                      "with `--source ID`.", ""]
            lines += [f"- `{sid}`: {why}" for sid, why in self.refused] + [""]
        elif not self.writes:
            lines += ["No changes: the directory already matches every source.", ""]
        lines += ["| source | kind | records | new | updated | unchanged | not seen | skipped | dropped | unmapped "
                  "labels | result |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        by_source = defaultdict(Counter)
        for name, changes in (("new", self.new), ("updated", self.updated), ("not seen", self.not_seen)):
            for change in changes:
                by_source[change.source_id][name] += 1
        for sid, *_ in self.invalid:
            by_source[sid]["invalid"] += 1
        refused = dict(self.refused)
        for r in self.sources:
            sid = r.source.id
            counts = by_source[sid]
            touched = counts["new"] + counts["updated"]
            unchanged = max(0, len(r.candidates) - touched - counts["invalid"])
            status = "refused" if sid in refused else ("unchanged (HTTP 304)" if r.not_modified else "ok")
            lines.append(f"| `{sid}` | {r.source.kind} | {r.records} | {counts['new']} | {counts['updated']} | "
                         f"{unchanged} | {counts['not seen']} | {len(r.skipped) + counts['invalid']} | "
                         f"{len(r.dropped)} | {len(r.unmapped)} | {status} |")
        lines.append("")

        def section(title, items):
            if not items:
                return
            lines.append(f"### {title} ({len(items)})")
            lines.append("")
            lines.extend(items[:REPORT_LIMIT])
            if len(items) > REPORT_LIMIT:
                lines.append(f"- … and {len(items) - REPORT_LIMIT} more")
            lines.append("")

        section("New", [f"- {c.link()} {_md(c.name)} — `{c.source_id}` record `{_md(c.record_id)}`"
                        for c in self.new])
        section("Updated", [f"- {c.link()} {_md(c.name)}: {', '.join(c.fields)} (from `{c.source_id}`)"
                            for c in self.updated])
        section("Kept edits made by people", [
            f"- {c.link()} {', '.join(c.fields)}: `{c.source_id}` has a different value; the listing's "
            "value was kept" for c in self.kept])
        section("Not seen upstream (marked, not deleted)", [
            f"- {c.link()} {_md(c.name)}: `{c.source_id}` no longer lists record `{_md(c.record_id)}`"
            for c in self.not_seen])
        section("Seen again", [f"- {c.link()} {_md(c.name)} (`{c.source_id}`)" for c in self.seen_again])
        skipped = [f"- `{sid}` {_md(str(s))}" for r in self.sources for sid in [r.source.id] for s in r.skipped]
        skipped += [f"- `{sid}` record `{_md(rid)}`: {f}: {_md(msg)}" for sid, rid, f, msg in self.invalid]
        section("Skipped records (fix them at the source)", skipped)
        section("Dropped: outside London", [f"- `{r.source.id}` {_md(str(s))}" for r in self.sources
                                            for s in r.dropped])
        unmapped = [f"- `{r.source.id}`: \"{_md(label)}\" ({n} record{'s' if n != 1 else ''})"
                    for r in self.sources for label, n in sorted(r.unmapped.items())]
        section("Unmapped labels (add them to the source's mapping in the sources file)", unmapped)
        notes = [f"- `{r.source.id}`: {_md(note)}" for r in self.sources for note in r.notes]
        section("Notes", notes + [f"- {_md(w)}" for w in self.warnings])
        return "\n".join(lines).rstrip() + "\n"


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
        options = [base, f"{base}-{borough}", f"{base}-{digest}"]
        options += [f"{base}-{digest}-{n}" for n in range(2, 1000)]
        for option in options:
            if option not in self.taken:
                self.taken.add(option)
                return option
        raise RuntimeError("no free id")  # unreachable in practice


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
    originals = {k: copy.deepcopy(v) for k, v in existing.entries.items()}
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


def _merge_candidate(result, candidate, d: _Directory, p: Plan, today: dt.date, touched) -> None:  # noqa: C901
    sid = result.source.id
    fields = candidate.fields
    verification = _verification(candidate)
    harvested = {k: copy.deepcopy(fields[k]) for k in HARVESTED_FIELDS if k in fields}
    if verification:
        harvested["verified_by"], harvested["last_verified"] = verification
    entry_id = d.match(sid, candidate.record_id, fields)
    if entry_id is None:
        entry_id = d.new_id(fields["name"], fields["borough"], sid, candidate.record_id)
        verified_by, last_verified = verification or ("unverified", today.isoformat())
        entry = {"id": entry_id, **copy.deepcopy(fields), "last_verified": last_verified,
                 "verified_by": verified_by, "sources": [_source_item(result, candidate, today, None, harvested)]}
        d.entries[entry_id] = entry
        d.index(entry)
        touched[entry_id].append((sid, candidate.record_id))
        p.new.append(Change(entry_id, entry["borough"], entry["name"], sid, candidate.record_id))
        return
    entry = d.entries[entry_id]
    touched[entry_id].append((sid, candidate.record_id))
    items = entry["sources"]
    position = next((i for i, item in enumerate(items) if item.get("source_id") == sid
                     and item.get("record_id") == candidate.record_id), None)
    old_item = items[position] if position is not None else None
    previous = (old_item or {}).get("harvested")
    changed, kept = [], []
    moves = fields["borough"] != entry["borough"]
    for key in HARVESTED_FIELDS:
        new, current = fields.get(key), entry.get(key)
        if new == current:
            continue
        if moves and key in ("borough", "location"):
            kept.append(f"{key} (the source puts it in {fields['borough']}; move it by hand if right)")
            continue
        if previous is None:  # this source meets the entry for the first time: fill gaps only
            if current is None and new is not None:
                entry[key] = copy.deepcopy(new)
                changed.append(key)
            else:
                kept.append(key)
            continue
        if current == previous.get(key):  # nobody edited it since this source wrote it
            if new is None:
                if key not in REQUIRED:
                    entry.pop(key, None)
                    changed.append(key)
            else:
                entry[key] = copy.deepcopy(new)
                changed.append(key)
        else:
            kept.append(key)
    if verification:
        pair = (entry["verified_by"], entry["last_verified"])
        prev_pair = (previous.get("verified_by"), previous.get("last_verified")) if previous else None
        if pair != verification and (pair == prev_pair or entry["verified_by"] == "unverified"):
            entry["verified_by"], entry["last_verified"] = verification
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
    if changed:
        p.updated.append(change)
    elif old_item is None:
        p.updated.append(Change(entry_id, entry["borough"], entry["name"], sid, candidate.record_id,
                                ["sources (also listed by this source)"]))
    if seen_again:
        p.seen_again.append(change)
    if kept:
        p.kept.append(Change(entry_id, entry["borough"], entry["name"], sid, candidate.record_id, kept))


def _check(changed: dict[str, dict], p: Plan, today: dt.date, touched) -> None:
    """Validate every entry about to be written; drop (new) or revert (existing) the ones that fail."""
    if not changed:
        return
    with tempfile.TemporaryDirectory(prefix="linkwell-merge-") as tmp:
        root = Path(tmp) / "directory"
        bad_write = []
        for entry_id, entry in changed.items():  # staging copies: no fsync needed, the real write has it
            try:
                text = dump_entry(entry)
                if load_entry_text(text).data != entry:
                    raise ValueError("the listing would not read back exactly as written (unusual characters?)")
            except (ValueError, KeyError, TypeError, EntryLoadError) as exc:
                bad_write.append((entry_id, "(file)", str(exc)))
                continue
            path = entry_path(root, entry)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        report = validate_paths([root], today=today, load_entries=False, keep_cache=False)
    failed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entry_id, where, message in bad_write:
        failed[entry_id].append((where, message))
    for problem in report.problems:
        entry_id = Path(problem.file).stem
        if problem.severity == "error":
            failed[entry_id].append((problem.field, problem.message))
        elif entry_id in changed:
            p.warnings.append(f"{changed[entry_id]['borough']}/{entry_id}.yml: {problem.field}: {problem.message}")
    for entry_id, problems in sorted(failed.items()):
        for sid, record_id in touched.get(entry_id, [("?", "?")]):
            for where, message in problems:
                p.invalid.append((sid, record_id, where, message))
        changed.pop(entry_id, None)
        bad = {(s, r) for s, r in touched.get(entry_id, [])}
        p.new = [c for c in p.new if c.entry_id != entry_id]
        p.updated = [c for c in p.updated if c.entry_id != entry_id or (c.source_id, c.record_id) not in bad]
        p.not_seen = [c for c in p.not_seen if c.entry_id != entry_id]
