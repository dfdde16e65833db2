"""Offline geography: the postcode table, the geopy geocoder over it, and borough names."""

from __future__ import annotations

import pytest
from geopy.geocoders.base import Geocoder

from linkwell.reference.boroughs import BOROUGHS, by_gss, by_name
from linkwell.reference.geo import PostcodeGeocoder, distance_km
from linkwell.reference.postcodes import borough_centres, normalise_postcode, postcodes


def test_table_covers_london():
    table = postcodes()
    assert len(table) > 180_000
    boroughs = {table.get(code).borough for code in table.codes()[::500]}
    assert boroughs <= set(BOROUGHS) and len(boroughs) == 33



def test_every_row_of_the_table_is_found():
    # lookups binary-search the table's text, so it must stay sorted by postcode
    import gzip

    from linkwell.reference.postcodes import POSTCODE_FILE, PostcodeTable
    with gzip.open(POSTCODE_FILE, "rt", encoding="utf-8") as f:
        rows = [line.split(",") for line in f.read().splitlines()[1:]]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    table = PostcodeTable()
    for code, lat, lon, gss in rows[::7] + rows[-3:]:
        point = table.get(code)
        assert (point.postcode, point.lat, point.lon, point.borough) == (code, float(lat), float(lon), by_gss(gss).slug)
    assert table.codes() == [r[0] for r in rows]
    codes = {r[0] for r in rows}
    between = next(f"SE8 4{a}{b}" for a in "ABDEFGHJLNPQRSTUWXYZ" for b in "ABDEFGHJLNPQRSTUWXYZ"
                   if f"SE8 4{a}{b}" not in codes)  # inside an outward code's lines
    for missing in (between, "A1 1AA", "ZZ99 9ZZ", "E1X 1AA", "BR0 1AA", "SE8", ""):
        assert missing not in codes and table.get(missing) is None

@pytest.mark.parametrize("text,expected", [
    ("se84rj", "SE8 4RJ"), ("SE8 4RJ", "SE8 4RJ"), ("Deptford Lounge, se8  4rj", "SE8 4RJ"),
    ("EC1A 1BB", "EC1A 1BB"), ("no postcode here", None), ("", None),
])
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


def test_lookup_gives_borough_and_coordinates():
    point = postcodes().lookup("se8 4rj")
    assert point.borough == "lewisham"
    assert 51.4 < point.lat < 51.5 and -0.1 < point.lon < 0.0
    assert postcodes().lookup("M1 1AE") is None  # Manchester: not in the London table


def test_geopy_geocoder():
    geocoder = PostcodeGeocoder()
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("Deptford Lounge, SE8 4RJ")
    assert location.raw == {"postcode": "SE8 4RJ", "borough": "lewisham"}
    assert geocoder.geocode("Trafalgar Square") is None
    assert geocoder.geocode("SE8 4RJ", exactly_one=False)[0].point == location.point


def test_distance_uses_geopy():
    deptford = postcodes().get("SE8 4RJ")
    islington = postcodes().get("N1 9GU")
    km = distance_km((deptford.lat, deptford.lon), (islington.lat, islington.lon))
    assert 7 < km < 11


def test_borough_names():
    assert by_gss("E09000023").slug == "lewisham"
    assert by_name("London Borough of Hackney").slug == "hackney"
    assert by_name("Royal Borough of Kensington and Chelsea").slug == "kensington-and-chelsea"
    assert by_name("City of Westminster").slug == "westminster"
    assert by_name("Kingston").slug == "kingston-upon-thames"
    assert by_name("Manchester") is None and by_name(None) is None


def test_borough_centres_are_the_mean_of_each_boroughs_postcodes(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKWELL_CACHE_DIR", str(tmp_path))
    table = postcodes()
    points = [table.get(code) for code in table.codes()]
    city = [p for p in points if p.borough == "city-of-london"]
    centres = borough_centres()
    assert set(centres) == set(BOROUGHS)
    assert centres["city-of-london"] == pytest.approx((sum(p.lat for p in city) / len(city),
                                                       sum(p.lon for p in city) / len(city)))
    assert (tmp_path / "borough-centres.marshal").is_file()
    assert borough_centres() == centres  # from the cache
