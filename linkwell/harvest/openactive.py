"""OpenActive harvester: RPDE feeds (Realtime Paged Data Exchange) into candidate entries.

Source options (``openactive:`` in the sources file): ``feeds`` (more RPDE feeds of the same
dataset read in the same run, e.g. the ScheduledSession feed next to the SessionSeries one),
``max_pages`` (a guard, default 100,000).

Starts at each feed's URL (or, on later runs, at the page where the last applied run stopped),
follows ``next`` (relative or absolute) until a page has no items and ``next`` equals its own URL;
a pre-1.0 page without ``next`` is the last. Each item is ``{state, kind, id, modified, data}``;
for the same id only a newer ``modified`` wins (also across runs). ``state: deleted`` records are
reported as deleted (the merge marks them "not seen since"; nothing is deleted). A ``next``
leading back to a page already read (A -> B -> A) stops the run at once as a broken feed, and one
leading to another site is not followed (see ``http``).

What becomes a listing (see ``openactive_data`` for the fields): SessionSeries, EventSeries, Event,
HeadlineEvent, CourseInstance, OnDemandEvent, FacilityUse, and IndividualFacilityUse unless its
``aggregateFacilityUse`` is listed too. The type is the data's ``type``/``@type``, else the item's
``kind`` (combined kinds such as ``SessionSeries.ScheduledSession`` name the outer type first; the
pre-1.0 ``session`` is a SessionSeries). Parents fill what their children leave out:
``superEvent`` (embedded, or an id or URL of an item in the run) and ``instanceOfCourse``
(a Course). ScheduledSessions become weekly schedule slots of their SessionSeries (Europe/London
time), ``subEvent`` ones too; Slots are booking times, not listings. A result read from a saved
position is ``incremental``: records not in it are unchanged, not gone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urljoin

from .candidate import Draft, Finisher, Skip, SourceResult
from .http import Fetcher
from .openactive_data import draft_from_data, inherit, node_id, node_type, session_slot
from .oruk import SourceFormatError
from .text import DAYS

LISTED = {"SessionSeries", "EventSeries", "Event", "HeadlineEvent", "CourseInstance", "OnDemandEvent",
          "FacilityUse", "IndividualFacilityUse"}
PARENTS_ONLY = {"Course"}
NOT_LISTINGS = {"Slot", "ScheduledSession"}
KIND_ALIASES = {"session": "SessionSeries", "sessions": "SessionSeries", "event": "Event", "course": "Course"}


def _modified_key(value) -> tuple:
    """Order RPDE ``modified`` values: numbers numerically, strings as strings, numbers first."""
    if isinstance(value, int | float):
        return (0, value, "")
    if isinstance(value, str) and value.isdigit():
        return (0, int(value), "")
    return (1, 0, str(value))


def item_type(item: dict) -> str:
    found = node_type(item.get("data"))
    if found:
        return found
    kind = str(item.get("kind") or "")
    return KIND_ALIASES.get(kind.lower(), kind.split(".", 1)[0])


def read_feed(fetcher: Fetcher, start: str, max_pages: int) -> tuple[dict, str, int]:
    """Follow the feed from ``start``; returns ({id: item} newest per id, next start URL, items read)."""
    items: dict[str, dict] = {}
    url, count = start, 0
    visited = {start}
    for _ in range(max_pages):
        page = fetcher.get_json(url, accept="application/json, application/vnd.openactive.rpde+json")
        if not isinstance(page, dict) or not isinstance(page.get("items"), list) or not isinstance(
                page.get("next", url), str):
            raise SourceFormatError(f"{url}: not an RPDE page (needs 'items' as a list and 'next' as a URL)")
        for item in page["items"]:
            if not isinstance(item, dict) or item.get("id") in (None, "") or "modified" not in item:
                raise SourceFormatError(f"{url}: an item without 'id' or 'modified'; every RPDE item needs both")
            if item.get("state") not in ("updated", "deleted"):
                raise SourceFormatError(f"{url}: item {item.get('id')}: state must be 'updated' or 'deleted'")
            key = f"{item.get('kind', '')}|{item['id']}"
            best = items.get(key)
            if best is None or _modified_key(item["modified"]) > _modified_key(best["modified"]):
                items[key] = item
            count += 1
        next_url = urljoin(url, page.get("next", url))  # a pre-1.0 page without next is the last
        if next_url == url:
            return items, url, count  # the last page: next run starts here
        if next_url in visited:
            raise SourceFormatError(f"{url}: its next link goes back to {next_url}, a page already read: the "
                                    "feed goes round in a circle and never ends; tell its publisher")
        fetcher.check_origin(next_url, f"{url}: its next link {next_url} is")
        visited.add(next_url)
        url = next_url
    raise SourceFormatError(f"{start}: still not at the end after {max_pages} pages; raise openactive.max_pages "
                            "if the feed really is that long")


class _Run:
    """One harvest's items sorted into listings, parents and sessions."""

    def __init__(self, result: SourceResult, today: dt.date):
        self.result = result
        self.today = today
        self.listed: dict[str, tuple[str, dict, object]] = {}  # data id -> (item key, data, modified)
        self.parents: dict[str, dict] = {}  # data id -> data of anything a child may point at
        self.sessions: list[tuple[str, dict]] = []  # (record id, data)
        self.other = Counter()

    def take(self, key: str, item: dict) -> None:
        data = item.get("data")
        record_id = str(item["id"])
        if not isinstance(data, dict):
            self.result.records += 1
            self.result.skipped.append(Skip(record_id, "data", "an updated item without data"))
            return
        kind = item_type(item)
        data_id = node_id(data) or record_id
        self.parents[data_id] = data
        if kind in LISTED:
            self.listed[data_id] = (key, data, item["modified"])
        elif kind == "ScheduledSession":
            self.sessions.append((record_id, data))
        elif kind not in PARENTS_ONLY:
            self.other[kind or "(no type)"] += 1

    def _parent(self, ref, depth: int = 0) -> dict | None:
        """The parent a ``superEvent``/``instanceOfCourse`` points at, with its own parents' properties."""
        if ref is None or depth > 3:  # EventSeries > SessionSeries > ScheduledSession is as deep as it goes
            return None
        found = ref if isinstance(ref, dict) and len(ref) > 2 else self.parents.get(node_id(ref))
        return inherit(found, self._parent(found.get("superEvent"), depth + 1)) if found else None

    def drafts(self) -> dict[str, Draft]:
        out = {}
        for data_id, (_key, data, modified) in sorted(self.listed.items()):
            aggregate = node_id(data.get("aggregateFacilityUse"))
            if node_type(data) == "IndividualFacilityUse" and aggregate in self.listed:
                continue  # one court of a facility that is listed itself
            full = inherit(inherit(data, self._parent(data.get("superEvent"))),
                           self._parent(data.get("instanceOfCourse")))
            out[data_id] = draft_from_data(data_id, full, modified, self.today)
        return out

    def add_sessions(self, drafts: dict[str, Draft], incremental: bool) -> None:
        missing = Counter()
        for record_id, data in self.sessions:
            ref = data.get("superEvent")
            parent_id = node_id(ref)
            if parent_id not in drafts:
                parent = self._parent(ref)
                if parent is None or not parent.get("name"):
                    missing[parent_id or f"(none given by session {record_id})"] += 1
                    continue
                drafts[parent_id] = draft_from_data(parent_id, parent, None, self.today)
            slot = session_slot(data)
            if slot and slot not in drafts[parent_id].schedule:
                drafts[parent_id].schedule.append(slot)
        for parent_id, n in sorted(missing.items()):
            if incremental:
                continue  # the series was harvested before; only its new sessions are in this run
            self.result.records += 1
            self.result.skipped.append(Skip(parent_id, "superEvent", f"{n} ScheduledSession(s) refer to this "
                                            "SessionSeries, which is in none of this source's feeds; add its "
                                            "feed to openactive.feeds"))


def harvest(source, fetcher: Fetcher, finisher: Finisher, result: SourceResult, state: dict) -> None:
    known = dict(state.get("modified") or {})
    record_ids = dict(state.get("records") or {})  # item key -> the record id its entry carries
    positions = dict(state.get("feeds") or {})
    if state.get("next"):
        positions.setdefault(source.url, state["next"])
    result.incremental = bool(positions)
    run = _Run(result, finisher.today)
    max_pages = source.option("openactive", "max_pages", 100_000)
    for feed in [source.url, *source.option("openactive", "feeds", [])]:
        start = positions.get(feed) or feed
        items, positions[feed], count = read_feed(fetcher, start, max_pages)
        if count == 0 and not result.incremental:
            result.notes.append(f"{start} has no items at all")
        for key in sorted(items):
            item = items[key]
            previous = known.get(key)
            if previous is not None and _modified_key(item["modified"]) <= _modified_key(previous):
                continue  # an older or replayed version: what we have is newer
            known[key] = item["modified"]
            if item["state"] == "deleted":
                result.deleted.append(record_ids.get(key, str(item["id"])))
            else:
                run.take(key, item)
    drafts = run.drafts()
    for data_id, (key, _data, _modified) in run.listed.items():
        record_ids[key] = data_id
    run.add_sessions(drafts, result.incremental)
    for kind, n in sorted(run.other.items()):
        result.notes.append(f"{n} item(s) of type {kind} are not listings (booking slots and the like) and were "
                            "not harvested")
    for record_id in sorted(drafts):
        draft = drafts[record_id]
        draft.schedule.sort(key=lambda s: (DAYS.index(s["days"][0]), s.get("opens", "")))
        finisher.add(draft)
    result.state = {"next": positions[source.url], "feeds": dict(sorted(positions.items())),
                    "modified": dict(sorted(known.items())), "records": dict(sorted(record_ids.items()))}
