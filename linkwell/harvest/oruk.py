"""Open Referral UK harvester: a council's (or anyone's) ORUK API into candidate entries.

Source options (``oruk:`` in the sources file): ``page_size`` (default 100), ``detail``
(``auto``: fetch ``/services/{id}`` when a list record is partial, i.e. has no locations,
schedules, contacts or phones; ``always``; ``never``), ``max_pages`` (a guard, default 10,000).

Pages through ``<url>/services?page=N&per_page=SIZE`` and accepts both envelopes: ORUK v1
(``totalElements, totalPages, number, content``; Outpost, Porism, LocalGov Drupal) and ORUK/HSDS
3.0 (``total_items, total_pages, page_number, contents``; Open Place Directory); a bare JSON list
is one page. A ``totalElements`` that changes between pages is reported (the feed changed while
it was read). Outpost records whose ``taxonomies`` name a ``parent_id`` they do not list get that
parent's name (and its parents') from ``<url>/taxonomies``, Outpost's nested tree, read once.
Records whose organisation is only an ``organization_id`` get it from
``<url>/organizations`` (an envelope or a bare array), read once. Each record is mapped by
``oruk_records.draft_from_record``, whatever platform's shape it has.
"""

from __future__ import annotations

import math
from urllib.parse import quote

from .candidate import Finisher, SourceResult
from .http import Fetcher, FetchError
from .oruk_records import draft_from_record

_DETAIL_KEYS = ("service_at_locations", "locations", "regular_schedules", "schedules", "contacts", "phones")


class SourceFormatError(Exception):
    pass


def services_url(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith("/services") else base + "/services"


def _total(data) -> int | None:
    if isinstance(data, dict):
        total = data.get("total_items", data.get("totalElements"))
        return total if isinstance(total, int) else None
    return None


def read_page(data, url: str) -> tuple[list, int | None]:
    """(records, total pages or None) from a v1 or v3 page, or a bare list."""
    if isinstance(data, list):
        return data, 1
    if not isinstance(data, dict):
        raise SourceFormatError(f"{url}: expected a page of services (a JSON object), got {type(data).__name__}")
    if "contents" in data:
        records, pages = data["contents"], data.get("total_pages")
    elif "content" in data:
        records, pages = data["content"], data.get("totalPages")
    else:
        raise SourceFormatError(f"{url}: not an ORUK page: neither 'contents' (ORUK 3.0) nor 'content' "
                                "(ORUK v1) is present")
    if not isinstance(records, list):
        raise SourceFormatError(f"{url}: the page's services are not a list")
    return records, pages if isinstance(pages, int) and pages >= 0 else None


def _partial(record: dict) -> bool:
    return not any(record.get(k) for k in _DETAIL_KEYS)


def organisations(fetcher: Fetcher, base: str, records: dict, result: SourceResult) -> dict:
    """{organisation id: organisation} from ``/organizations`` when records name theirs only by id."""
    if not any(r.get("organization_id") and not isinstance(r.get("organization"), dict) for r in records.values()):
        return {}
    url = base.removesuffix("/services") + "/organizations"
    try:
        items, _pages = read_page(fetcher.get_json(url), url)
    except (FetchError, SourceFormatError) as exc:
        result.notes.append(f"organisations could not be read ({exc}); listings use the service name instead")
        return {}
    return {str(o.get("id")): o for o in items if isinstance(o, dict)}


def _flatten(tree, parent=None, out=None) -> dict[str, tuple[str, str | None]]:
    """{id: (name, parent id)} from a taxonomy tree (Outpost: ``label`` and ``children``) or a flat list."""
    out = {} if out is None else out
    for node in tree if isinstance(tree, list) else []:
        if isinstance(node, dict) and node.get("id") is not None:
            name = node.get("label") or node.get("name") or node.get("term")
            out[str(node["id"])] = (str(name) if name else "", parent if parent else node.get("parent_id"))
            _flatten(node.get("children"), str(node["id"]), out)
    return out


def add_parent_labels(fetcher: Fetcher, base: str, records: dict, result: SourceResult) -> None:
    """Give Outpost records the names of their taxonomies' parents (from ``/taxonomies``), so parent
    labels can be mapped too."""
    def missing_parents(record: dict) -> set[str]:
        terms = [t for t in record.get("taxonomies") or [] if isinstance(t, dict)]
        return {str(t["parent_id"]) for t in terms if t.get("parent_id") is not None} - {str(t.get("id"))
                                                                                        for t in terms}

    if not any(missing_parents(r) for r in records.values()):
        return
    url = base.removesuffix("/services") + "/taxonomies"
    try:
        tree = _flatten(fetcher.get_json(url))
    except FetchError as exc:
        result.notes.append(f"the taxonomy tree could not be read ({exc}); only the records' own labels were used")
        return
    for record in records.values():
        terms = [t for t in record.get("taxonomies") or [] if isinstance(t, dict)]
        have = {str(t.get("id")) for t in terms}
        parents = [str(t["parent_id"]) for t in terms if t.get("parent_id") is not None]
        while parents:
            parent = parents.pop()
            if parent in have or parent not in tree:
                continue
            have.add(parent)
            name, grandparent = tree[parent]
            terms.append({"id": parent, "name": name, "parent_id": grandparent})
            parents += [str(grandparent)] if grandparent is not None else []
        if terms:
            record["taxonomies"] = terms


def _totals_note(totals: list[int], url: str) -> str | None:
    changes = [t for i, t in enumerate(totals) if i == 0 or t != totals[i - 1]]
    if len(changes) < 2:
        return None
    return (f"{url}: the number of services changed while the feed was read ({', then '.join(map(str, changes))}); "
            "records may have moved between pages, so run the harvest again later if any look missing")


def _page_number(data) -> int | None:
    """The page number an answer says it is (v3 ``page_number``, v1 ``number``), if any."""
    if isinstance(data, dict):
        number = data.get("page_number", data.get("number"))
        if isinstance(number, int) and not isinstance(number, bool):
            return number
    return None


def _says_first(data) -> bool | None:
    """Whether the answer says it is the first page (v3 ``first_page``, v1 ``first``)."""
    if isinstance(data, dict):
        first = data.get("first_page", data.get("first"))
        if isinstance(first, bool):
            return first
    return None


class _Pages:
    """The paging loop's memory: stops at once on a page seen before, and after as many pages as
    ``total_items`` needs (plus one), whatever ``total_pages`` claims."""

    def __init__(self, max_pages: int):
        self.max_pages = max_pages
        self.seen: dict[tuple, int] = {}  # the ids of a page -> the page that had them first
        self.total_items: int | None = None
        self.first_size = 0
        self.notes: list[str] = []
        self.totals: list[int] = []  # total_items as each page said it, for _totals_note
        self.repeated = False

    def repeats(self, page: int, ids: tuple) -> bool:
        if ids and ids in self.seen:
            self.repeated = True
            self.notes.append(f"page {page} repeats page {self.seen[ids]} (the server seems to ignore ?page=); "
                              "stopped there")
            return True
        self.seen[ids] = page
        return False

    def cap(self) -> int:
        """How many pages to ask for at most."""
        if not self.total_items or self.total_items < 0 or not self.first_size:
            return self.max_pages
        return min(self.max_pages, math.ceil(self.total_items / self.first_size) + 1)


def _read_pages(fetcher: Fetcher, base: str, size: int, first: int, pages: _Pages,
                answers: dict[int, object]) -> dict[str, dict]:
    """Every record of ``base?page=first, first+1, ...`` until the end; {id: record}. ``answers``
    holds pages already fetched, by number."""
    records: dict[str, dict] = {}
    page, total_pages, asked = first, None, 0
    while True:
        url = f"{base}?page={page}&per_page={size}"
        data = answers.pop(page) if page in answers else fetcher.get_json(url)
        asked += 1
        items, pages_said = read_page(data, url)
        pages.totals += [_total(data)] if _total(data) is not None else []
        total_pages = pages_said if pages_said is not None else total_pages
        if pages.total_items is None:
            pages.total_items = _total(data)
            pages.first_size = len(items)
        ids = []
        for item in items:
            if not isinstance(item, dict) or item.get("id") in (None, ""):
                raise SourceFormatError(f"{url}: a service without an id; every ORUK service needs one")
            ids.append(str(item["id"]))
        if pages.repeats(page, tuple(ids)):
            break
        for record_id, item in zip(ids, items, strict=True):
            records[record_id] = item
        last = total_pages - 1 + first if total_pages is not None else None
        if not items or (last is not None and page >= last) or asked >= pages.cap():
            break
        if total_pages is None and len(items) < size:
            break
        page += 1
    if asked >= pages.cap() and pages.cap() < pages.max_pages and (last is None or page < last):
        pages.notes.append(f"stopped after {asked} pages: {pages.total_items} services at {pages.first_size} a page "
                           "need no more, whatever total_pages says")
    return records


def _record_url(base: str, record_id: str) -> str:
    """``base/{id}`` with the id percent-encoded: ``../x`` stays one path segment."""
    return f"{base}/{quote(record_id, safe='')}"


def _zero_based(data, asked: int) -> bool:
    """Whether the answer to ``?page=asked`` shows the pages are numbered from 0."""
    number, first = _page_number(data), _says_first(data)
    return first is False and asked == 1 or (number == 0 and asked == 1 and first is not True)


def harvest(source, fetcher: Fetcher, finisher: Finisher, result: SourceResult) -> None:
    """Fill ``result`` from the source's ``/services`` pages; raises ``FetchError`` or
    ``SourceFormatError`` when the source cannot be read completely.

    Pages are numbered from 1 unless the first answer says otherwise (``first``/``first_page``
    false, or ``number`` 0 for page 1), or the pages from 1 hold fewer services than
    ``total_items`` says and page 0 holds the rest: then page 0 is read too."""
    base = services_url(source.url)
    size = source.option("oruk", "page_size", 100)
    detail = source.option("oruk", "detail", "auto")
    pages = _Pages(source.option("oruk", "max_pages", 10_000))
    answers = {1: fetcher.get_json(f"{base}?page=1&per_page={size}")}
    start = 0 if _zero_based(answers[1], 1) else 1
    records = _read_pages(fetcher, base, size, start, pages, answers)
    if start == 1 and not pages.repeated and pages.total_items is not None and len(records) < pages.total_items:
        extra = _read_pages(fetcher, base, size, 0, _Pages(1), {})
        added = {k: v for k, v in extra.items() if k not in records}
        if added:
            records.update(added)
            start = 0
    if start == 0:
        result.notes.append(f"{base} numbers its pages from 0; page 0 was read too")
    if pages.total_items is not None and len(records) < pages.total_items:
        result.notes.append(f"{base} says it has {pages.total_items} services but listed {len(records)}")
    result.notes += [f"{base}: {note}" for note in pages.notes]
    note = _totals_note(pages.totals, base)
    if note:
        result.notes.append(note)
    for record_id in sorted(records):
        record = records[record_id]
        record_url = _record_url(base, record_id)
        if detail == "always" or (detail == "auto" and _partial(record)):
            full = fetcher.get_json(record_url)
            if not isinstance(full, dict) or str(full.get("id", record_id)) != record_id:
                raise SourceFormatError(f"{record_url}: did not return the service {record_id}")
            records[record_id] = full
    add_parent_labels(fetcher, base, records, result)
    known = organisations(fetcher, base, records, result)
    for record_id in sorted(records):
        finisher.add(draft_from_record(records[record_id], _record_url(base, record_id), known))


__all__ = ["FetchError", "SourceFormatError", "draft_from_record", "harvest", "read_page", "services_url"]
