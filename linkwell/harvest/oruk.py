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


def harvest(source, fetcher: Fetcher, finisher: Finisher, result: SourceResult) -> None:
    """Fill ``result`` from the source's ``/services`` pages; raises ``FetchError`` or
    ``SourceFormatError`` when the source cannot be read completely."""
    base = services_url(source.url)
    size = source.option("oruk", "page_size", 100)
    detail = source.option("oruk", "detail", "auto")
    max_pages = source.option("oruk", "max_pages", 10_000)
    records: dict[str, dict] = {}
    totals: list[int] = []
    page, total_pages = 1, None
    while True:
        url = f"{base}?page={page}&per_page={size}"
        data = fetcher.get_json(url)
        items, pages = read_page(data, url)
        totals += [_total(data)] if _total(data) is not None else []
        total_pages = pages if pages is not None else total_pages
        for item in items:
            if not isinstance(item, dict) or item.get("id") in (None, ""):
                raise SourceFormatError(f"{url}: a service without an id; every ORUK service needs one")
            records[str(item["id"])] = item
        if not items or (total_pages is not None and page >= total_pages) or page >= max_pages:
            break
        if total_pages is None and len(items) < size:
            break
        page += 1
    note = _totals_note(totals, base)
    if note:
        result.notes.append(note)
    for record_id in sorted(records):
        record = records[record_id]
        record_url = f"{base}/{record_id}"
        if detail == "always" or (detail == "auto" and _partial(record)):
            full = fetcher.get_json(record_url)
            if not isinstance(full, dict) or str(full.get("id", record_id)) != record_id:
                raise SourceFormatError(f"{record_url}: did not return the service {record_id}")
            records[record_id] = full
    add_parent_labels(fetcher, base, records, result)
    known = organisations(fetcher, base, records, result)
    for record_id in sorted(records):
        finisher.add(draft_from_record(records[record_id], f"{base}/{record_id}", known))


__all__ = ["FetchError", "SourceFormatError", "draft_from_record", "harvest", "read_page", "services_url"]
