"""What every feed shares: stable ORUK ids, labels for our vocabularies, licence and source attribution.

``service_id(slug)`` is the ORUK service id of a listing: ``uuid5(LINKWELL_NAMESPACE, slug)``.
``LINKWELL_NAMESPACE`` is fixed forever (it is ``uuid5(NAMESPACE_URL,
"https://linkwell.london/openreferral")``), so a listing keeps its id across builds and
hosts. Ids of the records hanging off a service (locations, schedules, phones...) are
``uuid5(LINKWELL_NAMESPACE, "<slug>/<what>")`` and equally stable (``sub_ids(slug)`` makes them).

``coordinates(entry)`` gives ``(lat, lon, "entry"|"postcode")`` or ``None``; ``facts(entry, today)``
what every feed needs about an entry (service id, coordinates, freshness, JSON writer), worked
out once per entry; ``dumps(value)`` compact UTF-8 JSON bytes, as ``json.dumps(value,
ensure_ascii=False, separators=(",", ":"))`` gives them;
``source_catalogue(path)`` reads licence and attribution per ``source_id`` from the harvester
``sources.yml`` (when present); ``attributions(entries, catalogue)`` lists every source the
entries came from, with its licence and attribution.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import yaml

from linkwell import project
from linkwell.listings.freshness import Freshness, freshness
from linkwell.publish.output import json_bytes
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reference.postcodes import normalise_postcode, postcodes

LINKWELL_NAMESPACE = uuid.UUID("3eb6b928-0f47-5ebd-8d95-b6dca4170c85")
FEED_SCHEMA_VERSION = "1.0.0"

OGL = {
    "name": "Open Government Licence v3.0",
    "id": "OGL-UK-3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "attribution": "Contains Linkwell directory data, licensed under the Open Government Licence v3.0.",
}
POSTCODE_ATTRIBUTION = ("Coordinates derived from postcodes contain OS data © Crown copyright and database right "
                        "2025, Royal Mail data © Royal Mail copyright and database right 2025 and National "
                        "Statistics data © Crown copyright and database right 2025 (OGL v3.0).")


_NAMESPACE_BYTES = LINKWELL_NAMESPACE.bytes
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # RFC 4122 variant bits 10xx


def _uuid5_text(namespace_and_name: bytes) -> str:
    """The text of the version-5 UUID of these bytes (the namespace's 16 bytes, then the name in UTF-8).
    A fresh ``sha1`` of the joined bytes is cheaper than copying a hash of the namespace."""
    h = hashlib.sha1(namespace_and_name).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def uuid5(name: str) -> str:
    """``str(uuid.uuid5(LINKWELL_NAMESPACE, name))``, several times faster (feeds make millions)."""
    return _uuid5_text(_NAMESPACE_BYTES + name.encode("utf-8"))


def stable_id(*parts: str) -> str:
    return uuid5("/".join(parts))


def sub_ids(slug: str) -> Callable[[str], str]:
    """The id maker for the records hanging off one listing's service (phones, schedules,
    attributes...): ``sub_ids(slug)("attribute/linkwell-delivery/online")`` is
    ``stable_id(slug, "attribute", "linkwell-delivery", "online")``, with the slug encoded once."""
    prefix = _NAMESPACE_BYTES + slug.encode("utf-8") + b"/"

    def sub_id(what: str) -> str:
        return _uuid5_text(prefix + what.encode("utf-8"))

    return sub_id


def service_id(slug: str) -> str:
    """The ORUK ``service.id`` of the listing with this slug (never changes)."""
    return uuid5(slug)


def organisation_key(org: dict) -> str:
    """Entries that share a charity or company number (else the same name) share one organisation."""
    if org.get("charity_number"):
        return "charity:" + org["charity_number"]
    if org.get("company_number"):
        return "company:" + org["company_number"]
    return "name:" + " ".join(org["name"].casefold().split())


def organisation_id(org: dict) -> str:
    return stable_id("organisation", organisation_key(org))


def borough_name(slug: str) -> str:
    borough = BOROUGHS.get(slug)
    return borough.name if borough else slug


def coordinates(entry: dict) -> tuple[float, float, str] | None:
    """(lat, lon, where-from) for an entry: its own lat/lon, else its postcode's centre, else None."""
    location = entry.get("location") or {}
    if "lat" in location and "lon" in location:
        return float(location["lat"]), float(location["lon"]), "entry"
    code = normalise_postcode(location.get("postcode", ""))
    point = postcodes().get(code) if code else None
    if point:
        return point.lat, point.lon, "postcode"
    return None


def dumps(value) -> bytes:
    """Compact JSON as UTF-8 bytes (``output.json_bytes``): byte for byte
    ``json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()`` for every value the
    feeds hold, except floats with 0 < |x| < 1e-4 (orjson writes ``0.00005`` and ``5e-6`` where
    Python writes ``5e-05`` and ``5e-06``): see ``facts(...).dumps``."""
    return json_bytes(value)


def stdlib_dumps(value) -> bytes:
    """``dumps`` with the standard library: the writer for entries whose coordinates orjson would
    spell differently."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _spelled_alike(number) -> bool:
    """orjson and Python write this number the same way (any int; a float 0 or finite with |x| >= 1e-4)."""
    return not isinstance(number, float) or number == 0 or 1e-4 <= abs(number) < math.inf


class Facts(NamedTuple):
    """What every feed needs about one entry, worked out once per entry and build."""
    service_id: str
    point: tuple[float, float, str] | None  # ``coordinates(entry)``
    freshness: Freshness
    dumps: Callable[[object], bytes]  # ``dumps``, or ``stdlib_dumps`` for a coordinate orjson spells differently


def facts(entry: dict, today: dt.date) -> Facts:
    point = coordinates(entry)
    location = entry.get("location") or {}
    numbers = (location.get("lat"), location.get("lon"), *(point[:2] if point else ()))
    writer = dumps if all(map(_spelled_alike, numbers)) else stdlib_dumps
    return Facts(service_id(entry["id"]), point, freshness(entry, today), writer)


def website(entry: dict) -> str | None:
    return (entry.get("contact") or {}).get("website") or entry["organisation"].get("website")


def source_catalogue(path: Path | None = None) -> dict[str, dict]:
    """``{source_id: {title?, licence?, attribution?, url?}}`` from a harvester sources file.

    Reads ``path``, else the project's ``harvesters/sources.yml`` (``linkwell.project``). Accepts
    a list of sources or ``{sources: [...]}``; each source names itself with ``id`` or ``source_id``.
    A missing file gives ``{}``.
    """
    if path is None:
        try:
            path = project.find().sources_file
        except project.ProjectNotFound:
            return {}
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    items = data.get("sources", []) if isinstance(data, dict) else data
    catalogue: dict[str, dict] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        sid = item.get("source_id") or item.get("id")
        if not isinstance(sid, str):
            continue
        info = {}
        for key, names in (("title", ("title", "name")), ("licence", ("licence", "license")),
                           ("attribution", ("attribution",)), ("url", ("url", "homepage"))):
            for name in names:
                value = item.get(name)
                if isinstance(value, dict):  # e.g. licence: {name:, url:}
                    value = value.get("name") or value.get("id")
                if isinstance(value, str) and value.strip():
                    info[key] = value.strip()
                    break
        catalogue[sid] = info
    return catalogue


def source_key(source: dict) -> str:
    return source.get("source_id") or f"{source['kind']}:{source.get('title', '')}"


def attributions(entries: list[dict], catalogue: dict[str, dict]) -> list[dict]:
    """Every distinct source the entries cite: kind, title, url, licence, attribution, entry count.

    Manual sources without a catalogue entry are attributed by their report title.
    """
    found: dict[str, dict] = {}
    for entry in entries:
        for key, source in {source_key(s): s for s in entry["sources"]}.items():
            if key not in found:
                info = {"kind": source["kind"]}
                if source.get("source_id"):
                    info["source_id"] = source["source_id"]
                known = catalogue.get(source.get("source_id", ""), {})
                title = known.get("title") or source.get("title")
                if title:
                    info["title"] = title
                if known.get("url"):
                    info["url"] = known["url"]
                if known.get("licence"):
                    info["licence"] = known["licence"]
                attribution = known.get("attribution") or (f"Listed in: {title}" if title else None)
                if attribution:
                    info["attribution"] = attribution
                info["entries"] = 0
                found[key] = info
            found[key]["entries"] += 1
    return [found[k] for k in sorted(found)]
