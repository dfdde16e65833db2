"""Where a candidate is: postcode -> coordinates and borough, offline first, through geopy.

``Geography(source, state_dir)`` answers ``place(postcode_text, address_text)`` with a ``Place``
(postcode, lat, lon, borough) or raises ``OutsideLondon``. A postcode is looked up in the bundled
London table through ``linkwell.reference.geo.PostcodeGeocoder`` (a geopy geocoder, no network); a
well-formed postcode that is not in the table lies outside London. An address without a
postcode is geocoded online only when the source enables it (``geocoder: {online: true,
domain: ..., scheme: ...}``): geopy's ``Nominatim`` behind a ``RateLimiter`` (one request a
second by default) with a persistent cache in ``<state_dir>/geocode-cache.json``. When the online
geocoder fails (offline, blocked, rate-limited) it is switched off for the rest of the run and the
candidate simply has no coordinates; ``notes`` says so once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from linkwell.reference.geo import PostcodeGeocoder
from linkwell.reference.postcodes import normalise_postcode, postcodes

from .http import USER_AGENT

LONDON_BOX = (51.2, 51.8, -0.6, 0.4)  # lat min, lat max, lon min, lon max (as in the entry schema)


class OutsideLondon(Exception):
    pass


@dataclass(frozen=True)
class Place:
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    borough: str | None = None


def _in_box(lat: float, lon: float) -> bool:
    return LONDON_BOX[0] <= lat <= LONDON_BOX[1] and LONDON_BOX[2] <= lon <= LONDON_BOX[3]


class Geography:
    def __init__(self, options: dict | None = None, state_dir: Path | None = None):
        self.table = PostcodeGeocoder()
        self.options = options or {}
        self.notes: list[str] = []
        self._online = None
        self._cache_file = Path(state_dir) / "geocode-cache.json" if state_dir else None
        self._cache: dict[str, list | None] | None = None
        self._dirty = False

    def place(self, postcode_text: str | None, address_text: str | None = None) -> Place:
        if postcode_text:
            postcode = normalise_postcode(postcode_text)
            if postcode:
                location = self.table.geocode(postcode)
                if location is None:
                    raise OutsideLondon(f"{postcode} is not a London postcode")
                return Place(location.raw["postcode"], round(location.latitude, 6),
                             round(location.longitude, 6), location.raw["borough"])
        if address_text:
            found = normalise_postcode(address_text)
            if found:
                return self.place(found)
            if self.options.get("online"):
                return self._online_place(address_text)
        return Place()

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
                return Place(point.postcode, round(float(lat), 6), round(float(lon), 6), point.borough)
        if not _in_box(float(lat), float(lon)):
            raise OutsideLondon(f"the address geocodes to {float(lat):.4f}, {float(lon):.4f}, outside London")
        return Place(None, round(float(lat), 6), round(float(lon), 6), None)
