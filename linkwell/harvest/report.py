"""The harvest report: Markdown, ready to paste as a pull-request body.

``render(plan, dry_run=False)`` takes a ``merge.Plan`` and returns the report: a table per
source, then sections for new, updated and kept listings, listings found in more than one source,
records not seen upstream, skipped records, records dropped outside London, records placed by
their location rather than the borough they were given, areas served that were left out
(outside London or not understood), unmapped labels and notes (records placed
in a default borough, personal contacts left out, feeds that changed while read). With
``dry_run`` it ends with a ready-to-edit ``mapping:`` block per source: every label the source
used, with its record count and its current mapping (``[]`` where it has none yet). Everything
that comes from a source is escaped (``md``) or quoted (``yaml_key``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from .mapping import LabelMap
from .text import markdown_text as md  # every source text in the report goes through it

REPORT_LIMIT = 200  # lines per report section; the rest is counted


def yaml_key(label: str) -> str:
    """A label as a YAML double-quoted key that cannot end the surrounding code block."""
    return json.dumps(" ".join(label.split()), ensure_ascii=False).replace("`", "\\u0060")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _table(plan) -> list[str]:
    lines = ["| source | kind | records | new | updated | unchanged | not seen | skipped | dropped | unmapped "
             "labels | result |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    by_source = defaultdict(Counter)
    for name, changes in (("new", plan.new), ("updated", plan.updated + plan.also), ("not seen", plan.not_seen)):
        for change in changes:
            by_source[change.source_id][name] += 1
    for sid, *_ in plan.invalid:
        by_source[sid]["invalid"] += 1
    refused = dict(plan.refused)
    for r in plan.sources:
        sid = r.source.id
        counts = by_source[sid]
        unchanged = max(0, len(r.candidates) - counts["new"] - counts["updated"] - counts["invalid"])
        status = "refused" if sid in refused else ("unchanged (HTTP 304)" if r.not_modified else "ok")
        lines.append(f"| `{sid}` | {r.source.kind} | {r.records} | {counts['new']} | {counts['updated']} | "
                     f"{unchanged} | {counts['not seen']} | {len(r.skipped) + counts['invalid']} | "
                     f"{len(r.dropped)} | {len(r.unmapped)} | {status} |")
    return lines + [""]


def _source_notes(r) -> list[str]:
    sid = r.source.id
    notes = [f"- `{sid}`: {md(note)}" for note in r.notes]
    if r.defaulted:
        were = "was" if r.defaulted == 1 else "were"
        notes.append(f"- `{sid}`: {_plural(r.defaulted, 'record')} with no location at all {were} placed in "
                     f"{r.source.borough} (the source's default borough)")
    if r.personal:
        notes.append(f"- `{sid}`: left out {_plural(r.personal, 'personal contact')} (a named person, a personal "
                     f"email or a mobile number) from {_plural(r.personal_records, 'record')}; organisational "
                     "contacts were kept")
    return notes


def _sections(plan) -> list[tuple[str, list[str]]]:
    sources = plan.sources
    skipped = [f"- `{r.source.id}` {md(s)}" for r in sources for s in r.skipped]
    skipped += [f"- `{sid}` record `{md(rid)}`: {f}: {md(msg)}" for sid, rid, f, msg in plan.invalid]
    return [
        ("New", [f"- {c.link()} {md(c.name)} — `{c.source_id}` record `{md(c.record_id)}`" for c in plan.new]),
        ("Updated", [f"- {c.link()} {md(c.name)}: {', '.join(c.fields)} (from `{c.source_id}`)"
                     for c in plan.updated]),
        ("Listed by more than one source (one listing, each source recorded)", [
            f"- {c.link()} {md(c.name)}: also `{c.source_id}` record `{md(c.record_id)}`"
            + (f" (it filled {', '.join(c.fields)})" if c.fields else "") for c in plan.also]),
        ("Kept edits made by people", [f"- {c.link()} {', '.join(c.fields)}: `{c.source_id}` has a different "
                                       "value; the listing's value was kept" for c in plan.kept]),
        ("Not seen upstream (marked, not deleted)", [
            f"- {c.link()} {md(c.name)}: `{c.source_id}` no longer lists record `{md(c.record_id)}`"
            for c in plan.not_seen]),
        ("Seen again", [f"- {c.link()} {md(c.name)} (`{c.source_id}`)" for c in plan.seen_again]),
        ("Skipped records (fix them at the source)", skipped),
        ("Dropped: outside London", [f"- `{r.source.id}` {md(s)}" for r in sources for s in r.dropped]),
        ("Placed by their location, not by the borough given", [
            f"- `{r.source.id}` {md(s)}" for r in sources for s in r.disagreements]),
        ("Areas served left out: outside London or not understood (never guessed)", [
            f"- `{r.source.id}`: \"{md(area)}\" ({_plural(n, 'record')})"
            for r in sources for area, n in sorted(r.areas_not_read.items())]),
        ("Unmapped labels (add them to the source's mapping in the sources file)", [
            f"- `{r.source.id}`: \"{md(label)}\" ({_plural(n, 'record')})"
            for r in sources for label, n in sorted(r.unmapped.items())]),
        ("Notes", [line for r in sources for line in _source_notes(r)] + [f"- {md(w)}" for w in plan.warnings]),
    ]


def mapping_block(result) -> list[str]:
    """A ``mapping:`` block of every label the source used, ready to paste into the sources file."""
    if not result.labels:
        return []
    table = LabelMap(result.source.mapping)
    lines = [f"### Mapping for `{result.source.id}` (ready to edit: paste it into this source in the sources file)",
             "", "```yaml", "    mapping:"]
    for label, n in sorted(result.labels.items(), key=lambda item: (-item[1], item[0].lower())):
        values = table.lookup(label)
        shown = "[" + ", ".join(values) + "]" if values else "[]"
        state = "not mapped yet" if values is None else ("ignored" if not values else "mapped")
        lines.append(f"      {yaml_key(label)}: {shown}  # {_plural(n, 'record')}, {state}")
    return lines + ["```", ""]


def render(plan, dry_run: bool = False) -> str:
    lines = [f"## Harvest {plan.today.isoformat()}", ""]
    if plan.refused:
        lines += ["**Refused: nothing was written.** Fix the problems below, or run the other sources "
                  "with `--source ID`.", ""]
        lines += [f"- `{sid}`: {md(why)}" for sid, why in plan.refused] + [""]
    elif not plan.writes:
        lines += ["No changes: the directory already matches every source.", ""]
    lines += _table(plan)
    for title, items in _sections(plan):
        if items:
            lines += [f"### {title} ({len(items)})", "", *items[:REPORT_LIMIT]]
            if len(items) > REPORT_LIMIT:
                lines.append(f"- … and {len(items) - REPORT_LIMIT} more")
            lines.append("")
    if dry_run:
        for result in plan.sources:
            lines += mapping_block(result)
    return "\n".join(lines).rstrip() + "\n"
