"""``openreferral/``: the files of the static ORUK 3.0 API, laid out so that any static host answers
the URLs an ORUK client (and the ORUK validator) calls, with base ``https://<site>/openreferral``.

A static host (GitHub Pages, a plain file server) serves a folder's ``index.html`` for the folder's
URL, ignores query strings and picks the content type from the file's extension. So:

- ``index.html`` — ``GET {base}/``: ``version`` "3.0", ``profile``, ``openapi_url`` (``index.json``
  is the same document under a ``.json`` name);
- ``services/index.html`` — ``GET {base}/services``: ONE page holding every service (list view:
  ``total_pages`` 1, ``size`` = ``total_items``), so ``?page=N``, ignored by the host, can never send
  a client round in a loop or hand it a service twice;
- ``services/page-<n>.json`` — ``PAGE_SIZE`` services a page, for hosts that route ``?page=N`` to
  them (``hosting`` writes Netlify's rules; nginx and Caddy snippets are in the docs);
- ``services/<id>`` — ``GET {base}/services/{id}``: the full record (no extension, so the URL is
  the file);
- ``taxonomies/``, ``taxonomy_terms/`` — optional endpoints: ``index.html`` (one page of every
  item) and an ``<id>`` file per item (a few dozen);
- ``organizations/index.html`` — optional: one page of every organisation. ``/organizations/{id}``
  and ``/service_at_locations`` are not published (every service record nests its organisation and
  locations): the host answers 404, which ORUK allows for optional endpoints. A file per
  organisation would be thousands more files for every rebuild to check, for nothing a client
  cannot read in the services.

Every file is compact JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``,
``\\u0026`` (the same JSON to a parser), so a host serving ``index.html`` as ``text/html`` can never
make a browser read listing text as markup. No value is ever ``null``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from pathlib import Path

from linkwell.publish.feeds import common, openreferral
from linkwell.publish.output import write_bytes

FOLDER = openreferral.FOLDER
INDEX = "index.html"
LISTS = ("services", "organizations", "taxonomies", "taxonomy_terms")
_ESCAPES = ((b"&", b"\\u0026"), (b"<", b"\\u003c"), (b">", b"\\u003e"))


def escape(data: bytes) -> bytes:
    """JSON text safe to serve as HTML: ``<``, ``>``, ``&`` only occur inside JSON strings, where
    their ``\\u`` escapes mean the same."""
    for raw, escaped in _ESCAPES:
        if raw in data:
            data = data.replace(raw, escaped)
    return data


def dumps(value, writer=common.dumps) -> bytes:
    """Escaped compact JSON; ``writer`` is ``common.facts(entry, today).dumps`` for a service record."""
    return escape(writer(value))


def root(generated_at: dt.datetime) -> dict:
    return {"version": openreferral.VERSION, "profile": openreferral.PROFILE,
            "openapi_url": openreferral.OPENAPI_URL,
            "generated_at": generated_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "page_size": openreferral.PAGE_SIZE, "licence": common.OGL["url"]}


def page(items: list, number: int, total_pages: int, total_items: int, size: int) -> dict:
    """One ORUK page envelope; ``size`` is the page size (items per full page), as in ORUK."""
    return {"total_items": total_items, "total_pages": total_pages, "page_number": number,
            "size": size, "first_page": number == 1, "last_page": number == total_pages,
            "empty": not items, "contents": items}


def pages(items: list, size: int = openreferral.PAGE_SIZE):
    """Yield ``(number, envelope)`` for every page; an empty list gives one empty page."""
    total_pages = max(1, math.ceil(len(items) / size))
    for number in range(1, total_pages + 1):
        yield number, page(items[(number - 1) * size:number * size], number, total_pages, len(items), size)


def page_text(items: list[bytes], number: int, total_pages: int, total_items: int, size: int) -> bytes:
    """``dumps(page(...))`` from the items' JSON (``contents`` is the envelope's last key)."""
    envelope = page(items, number, total_pages, total_items, size)
    envelope["contents"] = []
    return dumps(envelope)[:-3] + b"[" + b",".join(items) + b"]}"


def one_page(items: list[bytes]) -> bytes:
    """Every item in a single page: what a static host answers for ``?page=N`` whatever ``N``."""
    return page_text(items, 1, 1, len(items), max(1, len(items)))


def record_parts(record: dict) -> tuple[bytes, str, str, bytes]:
    """(list-view JSON, organisation id, organisation sort key, organisation JSON) of a service record."""
    org = record["organization"]
    return dumps(openreferral.summary(record)), org["id"], org["name"].casefold(), dumps(org)


def write_if_changed(path: Path, data: bytes) -> Path:
    """Write ``data`` unless the file already holds it (a rebuild leaves unchanged files alone)."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return path
    except OSError:
        pass
    write_bytes(path, data)
    return path


def _sync_folder(folder: Path, files: dict[str, bytes], keep) -> list[Path]:
    """Make ``folder`` hold ``files`` (name -> bytes) and delete the other files unless
    ``keep(name)`` claims them (service records, written by the caller)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [write_if_changed(folder / name, data) for name, data in files.items()]
    with os.scandir(folder) as found:  # not glob(): services/ holds a file per service
        stale = [entry.path for entry in found if entry.name not in files and not keep(entry.name)]
    for path in stale:
        os.unlink(path)
    return paths


def _remove_others(base: Path) -> None:
    """Remove whatever in ``base`` is no endpoint (left by an older layout)."""
    with os.scandir(base) as found:
        others = [entry for entry in found if entry.name not in (INDEX, "index.json", *LISTS)]
    for entry in others:
        if entry.is_dir():
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def _services_files(summaries: list[bytes]) -> dict[str, bytes]:
    size = openreferral.PAGE_SIZE
    total_pages = max(1, math.ceil(len(summaries) / size))
    files = {INDEX: one_page(summaries)}
    for number in range(1, total_pages + 1):
        chunk = summaries[(number - 1) * size:number * size]
        files[f"page-{number}.json"] = page_text(chunk, number, total_pages, len(summaries), size)
    return files


def _listed_files(items: list[tuple[str, bytes]], by_id: bool = True) -> dict[str, bytes]:
    """``index.html`` (one page of every item) and, ``by_id``, one ``<id>`` file per item."""
    files = {INDEX: one_page([data for _id, data in items])}
    if by_id:
        files.update(items)
    return files


def write_lists(parts: list[tuple[bytes, str, str, bytes]], out_dir: Path, generated_at: dt.datetime,
                service_files: set[str]) -> list[Path]:
    """Write the root and every list from each service's ``record_parts`` (in id order), and the
    organisation and taxonomy files; remove files the API no longer has. Service records
    (``service_files``: the names of the wanted ones) are written by the caller."""
    base = Path(out_dir) / FOLDER
    base.mkdir(parents=True, exist_ok=True)
    root_data = dumps(root(generated_at))
    written = [write_if_changed(base / name, root_data) for name in (INDEX, "index.json")]
    organisations: dict[str, tuple[str, bytes]] = {}
    for _summary, org_id, org_key, org_text in parts:
        organisations.setdefault(org_id, (org_key, org_text))
    by_name = sorted(organisations.items(), key=lambda o: (o[1][0], o[0]))
    folders = {
        "services": _services_files([p[0] for p in parts]),
        "organizations": _listed_files([(org_id, text) for org_id, (_key, text) in by_name], by_id=False),
        "taxonomies": _listed_files([(record["id"], dumps(record)) for record in
                                     map(openreferral.taxonomy_record, openreferral.TAXONOMIES)]),
        "taxonomy_terms": _listed_files([(term["id"], dumps(term)) for term in openreferral.all_terms()]),
    }
    for name, files in folders.items():
        keep = service_files.__contains__ if name == "services" else (lambda _name: False)
        written += _sync_folder(base / name, files, keep)
    _remove_others(base)
    return written


def write(entries: list[dict], out_dir: Path, generated_at: dt.datetime) -> list[Path]:
    """Write the whole API into ``out_dir/openreferral/`` from scratch (``write_feeds`` does the same
    incrementally)."""
    today = generated_at.date()
    base = Path(out_dir) / FOLDER
    if base.exists():
        shutil.rmtree(base)
    (base / "services").mkdir(parents=True)
    parts, written = [], []
    for entry in sorted(entries, key=lambda e: e["id"]):
        facts = common.facts(entry, today)
        record = openreferral.service_record(entry, today, facts)
        path = base / "services" / record["id"]
        write_bytes(path, dumps(record, facts.dumps))
        written.append(path)
        parts.append(record_parts(record))
    return write_lists(parts, out_dir, generated_at, {p.name for p in written}) + written
