"""Geocoding through geopy, with the bundled London postcode table as the offline default.

``PostcodeGeocoder`` is a ``geopy.geocoders.base.Geocoder`` answering from ``linkwell.reference.postcodes``,
so code that geocodes goes through geopy with no network; ``distance_km`` uses
``geopy.distance``. An online geocoder (for addresses without a postcode) is the harvesters'
concern and is only ever a cached fallback.
"""

from __future__ import annotations

from geopy.distance import geodesic
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from linkwell.reference.postcodes import PostcodeTable, postcodes


class PostcodeGeocoder(Geocoder):
    """A geopy geocoder answering from the bundled London postcode table, offline.

    ``geocode("Deptford Lounge, SE8 4RJ")`` finds the first postcode in the query and returns a
    ``geopy.Location`` whose ``raw`` holds ``postcode`` and ``borough``; ``None`` when the query has
    no London postcode.
    """

    def __init__(self, table: PostcodeTable | None = None):
        super().__init__(scheme="https", timeout=1)
        self.table = table or postcodes()

    def geocode(self, query, *, exactly_one=True, **_kwargs):
        point = self.table.lookup(str(query))
        if point is None:
            return None
        location = Location(f"{point.postcode}, London", (point.lat, point.lon),
                            {"postcode": point.postcode, "borough": point.borough})
        return location if exactly_one else [location]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return geodesic(a, b).km
