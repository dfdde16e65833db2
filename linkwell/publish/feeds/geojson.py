"""``directory.geojson``: listings as an RFC 7946 FeatureCollection of Points ``[lon, lat]``.

A listing's point is its own ``location.lat/lon``, else the centre of its postcode (from the
bundled postcode table). Listings with neither — online- or phone-only services, and the
bundled listings with no address yet — are left out of this file (they are in every other
feed). Properties: ``id``, ``oruk_id``, ``name``, ``organisation``, ``categories``,
``borough``, ``borough_name``, ``areas_served`` (when known), ``url`` (website, when known),
``status``, ``freshness`` and ``located_by`` (``entry`` or ``postcode``). Closed listings are included with ``status:
closed`` so a map can grey them out or filter them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkwell.publish.feeds import common
from linkwell.publish.output import write_joined

FILE_NAME = "directory.geojson"


def feature(entry: dict, today: dt.date, facts: common.Facts | None = None) -> dict | None:
    """The entry's Feature, or None when it has no place; ``facts`` is ``common.facts(entry, today)``."""
    facts = facts or common.facts(entry, today)
    if facts.point is None:
        return None
    lat, lon, where = facts.point
    properties = {
        "id": entry["id"], "oruk_id": facts.service_id, "name": entry["name"],
        "organisation": entry["organisation"]["name"], "categories": entry["categories"],
        "borough": entry["borough"], "borough_name": common.borough_name(entry["borough"]),
    }
    if entry.get("areas_served"):
        properties["areas_served"] = entry["areas_served"]
    url = common.website(entry)
    if url:
        properties["url"] = url
    properties |= {"status": entry["status"], "freshness": facts.freshness.state, "located_by": where}
    return {"type": "Feature", "id": entry["id"], "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}


def build(entries: list[dict], generated_at: dt.datetime) -> dict:
    today = generated_at.date()
    features = [f for f in (feature(e, today) for e in entries) if f]
    return {"type": "FeatureCollection", "features": features}


def write(entries: list[dict], out_dir: Path, generated_at: dt.datetime) -> Path:
    today = generated_at.date()
    return write_texts([t for t in (feature_text(e, today) for e in entries) if t], out_dir)


def feature_text(entry: dict, today: dt.date, facts: common.Facts | None = None) -> bytes | None:
    """The entry's Feature as compact UTF-8 JSON, or None when it has no place."""
    facts = facts or common.facts(entry, today)
    found = feature(entry, today, facts)
    return None if found is None else facts.dumps(found)


def write_texts(features: list[bytes], out_dir: Path) -> Path:
    """Write the file from each feature's JSON: the same bytes as dumping ``build(...)``."""
    path = Path(out_dir) / FILE_NAME
    write_joined(path, b'{"type":"FeatureCollection","features":[', features, b",", b"]}\n")
    return path
