"""The staleness report: which listings need re-checking, grouped by borough, with who to ask.

``build_report(entries, as_of, thresholds)`` takes validated entries and returns a
``StaleReport``: ``stale`` (verified once, but ``last_verified`` is older than the threshold:
by default 6 months for ``safe``, 12 for the rest; the due date itself still counts as fresh,
the day after is stale) and ``unverified`` (``verified_by: unverified``: nobody has confirmed
the details yet), each sorted by borough name, then most overdue / oldest first, then id.
Closed listings (``status: closed``) are left out: there is nothing to re-check. Staleness
itself is decided by ``linkwell.listings.freshness`` only.

``render_text``, ``render_markdown`` (for a recurring tracking issue; all listing text is
escaped) and ``render_json`` turn a report into output.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field

from linkwell.listings.freshness import DEFAULT_THRESHOLDS, freshness
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reports.markdown import inline


@dataclass(frozen=True)
class StaleItem:
    id: str
    name: str
    borough: str
    borough_name: str
    status: str
    last_verified: str
    due_on: str
    days_overdue: int
    age_months: int
    threshold_months: int
    ask: list[str]  # website and/or email to re-check the details with
    file: str


@dataclass
class StaleReport:
    as_of: dt.date
    thresholds: dict[str, int]
    checked: int = 0
    skipped_closed: int = 0
    stale: list[StaleItem] = field(default_factory=list)
    unverified: list[StaleItem] = field(default_factory=list)


def who_to_ask(entry: dict) -> list[str]:
    contact = entry.get("contact") or {}
    website = contact.get("website") or entry["organisation"].get("website")
    return [value for value in (website, contact.get("email")) if value]


def _borough_name(slug: str) -> str:
    borough = BOROUGHS.get(slug)
    return borough.name if borough else slug


def build_report(entries, as_of: dt.date, thresholds: dict[str, int] | None = None) -> StaleReport:
    """``entries``: entry dicts, or ``{file path: entry}`` as ``validate_paths(...).entries``."""
    thresholds = dict(DEFAULT_THRESHOLDS if thresholds is None else thresholds)
    report = StaleReport(as_of=as_of, thresholds=thresholds)
    pairs = entries.items() if isinstance(entries, dict) else ((None, e) for e in entries)
    for path, entry in pairs:
        if entry["status"] == "closed":
            report.skipped_closed += 1
            continue
        report.checked += 1
        fresh = freshness(entry, as_of, thresholds)
        if fresh.state == "fresh":
            continue
        item = StaleItem(id=entry["id"], name=entry["name"], borough=entry["borough"],
                         borough_name=_borough_name(entry["borough"]), status=entry["status"],
                         last_verified=entry["last_verified"], due_on=fresh.due_on.isoformat(),
                         days_overdue=fresh.days_overdue, age_months=fresh.age_months,
                         threshold_months=fresh.threshold_months, ask=who_to_ask(entry),
                         file=path or f"directory/{entry['borough']}/{entry['id']}.yml")
        (report.stale if fresh.state == "stale" else report.unverified).append(item)
    report.stale.sort(key=lambda i: (i.borough_name, -i.days_overdue, i.id))
    report.unverified.sort(key=lambda i: (i.borough_name, i.last_verified, i.id))
    return report


def _grouped(items: list[StaleItem]):
    groups: dict[str, list[StaleItem]] = {}
    for item in items:
        groups.setdefault(item.borough_name, []).append(item)
    return groups.items()


def _threshold_words(thresholds: dict[str, int]) -> str:
    by_months: dict[int, list[str]] = {}
    for category, months in sorted(thresholds.items()):
        by_months.setdefault(months, []).append(category)
    return "; ".join(f"{', '.join(cats)} {months} months" for months, cats in sorted(by_months.items()))


def _summary(report: StaleReport) -> str:
    closed = f" ({report.skipped_closed} closed skipped)" if report.skipped_closed else ""
    return (f"{len(report.stale)} stale, {len(report.unverified)} never verified, "
            f"out of {report.checked} listings checked{closed}.")


def render_text(report: StaleReport) -> str:
    lines = [f"Stale listings as of {report.as_of.isoformat()} "
             f"(thresholds: {_threshold_words(report.thresholds)})", _summary(report)]
    for title, items in (("Stale", report.stale), ("Never verified", report.unverified)):
        lines += ["", f"{title} ({len(items)}):"]
        if not items:
            lines.append("  none")
        for borough, group in _grouped(items):
            lines.append(f"  {borough}")
            for item in group:
                if title == "Stale":
                    when = (f"last verified {item.last_verified}, due {item.due_on}, "
                            f"{item.days_overdue} day{'' if item.days_overdue == 1 else 's'} overdue")
                else:
                    when = f"recorded {item.last_verified}"
                ask = ", ".join(item.ask) or "no website or email: find a contact"
                status = " [temporarily closed]" if item.status == "temporarily-closed" else ""
                lines.append(f"    {item.id}: {item.name}{status} — {when} — ask: {ask}")
    return "\n".join(lines) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def md_escape(text: str) -> str:
    """Escape listing text for a Markdown table cell: no markup, links, HTML, column breaks,
    mentions or invisible characters (``reports.markdown.inline``)."""
    text = inline(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_ask(item: StaleItem) -> str:
    if not item.ask:
        return "no website or email — find a contact"
    return " · ".join(f"<{value.replace('|', '%7C')}>" if value.startswith("http") else f"`{value}`"
                      for value in item.ask)


def render_markdown(report: StaleReport, max_chars: int | None = None) -> str:
    """The report as Markdown. With ``max_chars`` (GitHub issue bodies stop at 65,536), table rows
    that would not fit are left out and a closing line says how many, so the issue still updates."""
    lines = [f"# Stale listings report — {report.as_of.isoformat()}", "",
             f"Thresholds: {_threshold_words(report.thresholds)}. {_summary(report)}", "",
             "A listing is stale the day after its due date. Please re-check each one with the provider "
             "(website or email below), then update `last_verified` and `verified_by` in its file."]
    budget = (max_chars - 400) if max_chars else None  # room for the closing note
    used = sum(len(line) + 1 for line in lines)
    left_out = 0

    def add(*new: str) -> bool:
        nonlocal used, left_out
        size = sum(len(line) + 1 for line in new)
        if budget is not None and used + size > budget:
            return False
        lines.extend(new)
        used += size
        return True

    sections = [
        ("Stale", report.stale, "| Listing | File | Last verified | Due | Days overdue | Who to ask |\n"
                                "|---|---|---|---|---:|---|",
         lambda item: f"| {md_escape(item.name)}"
                      f"{' (temporarily closed)' if item.status == 'temporarily-closed' else ''} | "
                      f"`{item.file}` | {item.last_verified} | {item.due_on} | {item.days_overdue} | "
                      f"{_md_ask(item)} |"),
        ("Never verified", report.unverified, "| Listing | File | Recorded | Who to ask |\n|---|---|---|---|",
         lambda item: f"| {md_escape(item.name)} | `{item.file}` | {item.last_verified} | {_md_ask(item)} |"),
    ]
    for title, items, header, row in sections:
        add("", f"## {title} ({len(items)})")
        if not items:
            add("", "None.")
        for borough, group in _grouped(items):
            if not add("", f"### {md_escape(borough)} ({len(group)})", "", *header.split("\n")):
                left_out += len(group)
                continue
            for i, item in enumerate(group):
                if not add(row(item)):
                    left_out += len(group) - i
                    break
    if left_out:
        lines += ["", f"_{left_out} more listings are not shown, to keep this report within the size an "
                      "issue allows. Run `linkwell stale` for the full list._"]
    return "\n".join(lines) + "\n"


def render_json(report: StaleReport) -> str:
    data = {"as_of": report.as_of.isoformat(), "thresholds": report.thresholds, "checked": report.checked,
            "skipped_closed": report.skipped_closed,
            "stale": [asdict(i) for i in report.stale], "unverified": [asdict(i) for i in report.unverified]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
