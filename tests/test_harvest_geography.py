"""London, always: how a record's postcode, postcode district or coordinates place it (or drop it),
and which contacts are organisational."""

from __future__ import annotations

import pytest

from linkwell.harvest.contacts import Contact, choose, names_person, personal_email, phone_number
from linkwell.harvest.geocode import _POINTS, BOUNDARY_DISTRICTS, Geography, OutsideLondon, Unplaceable
from linkwell.listings.personal import is_mobile as mobile


@pytest.fixture(scope="module")
def geo():
    return Geography()


def test_a_full_london_postcode_gives_point_and_borough(geo):
    place = geo.place("n15 3aa")
    assert (place.postcode, place.borough, place.how) == ("N15 3AA", "haringey", "postcode")
    assert place.lat == pytest.approx(51.58464)


def test_postcodes_and_districts_outside_london_are_dropped(geo):
    with pytest.raises(OutsideLondon, match="HP11 2DN is not a London postcode"):
        geo.place("HP11 2DN")
    with pytest.raises(OutsideLondon, match="district HP11 is outside London"):
        geo.place("HP11")
    with pytest.raises(OutsideLondon, match="EN5 9ZZ is not a London postcode"):  # unknown, on the boundary
        geo.place("EN5 9ZZ")


def test_a_district_is_used_only_when_it_lies_in_one_borough(geo):
    assert geo.place("E17").borough == "waltham-forest"
    with pytest.raises(Unplaceable, match="several boroughs"):
        geo.place("N15")
    with pytest.raises(Unplaceable, match="crosses the London boundary"):
        geo.place("EN5")  # all of EN5 in the table is Barnet, but part of it is Hertfordshire
    # an unknown postcode in a district wholly in London is placed by its district, without a point
    place = geo.place("E17 9ZZ")
    assert (place.postcode, place.lat, place.borough, place.how) == (None, None, "waltham-forest", "district")


def test_a_masked_districts_rounded_point_can_settle_the_borough(geo):
    assert geo.place("N15", None, 51.59, -0.07).borough == "haringey"
    with pytest.raises(Unplaceable):
        geo.place("N15", None, 51.58, -0.07)  # that cell holds Hackney and Haringey postcodes


def test_coordinates_alone(geo):
    place = geo.place(None, None, 51.5855, -0.018)
    assert (place.borough, place.how, place.postcode) == ("waltham-forest", "coordinates", None)
    with pytest.raises(OutsideLondon, match="coordinates 51.6287, -0.7482 are outside London"):
        geo.place(None, None, "51.6287", "-0.7482")  # High Wycombe; text numbers as feeds send them
    assert geo.place(None, None, "n/a", None).how is None  # no usable location at all


def test_district_table_matches_the_boundary_list():
    geo_districts = {d for d in BOUNDARY_DISTRICTS if _POINTS.boroughs_of(d)}
    assert geo_districts == set(BOUNDARY_DISTRICTS)  # each boundary district has London postcodes
    one = [d for d, b in _POINTS.districts.items() if len(b) == 1 and d not in BOUNDARY_DISTRICTS]
    assert len(one) == 93  # as Code-Point Open counts the districts wholly inside one borough


@pytest.mark.parametrize(("contact", "personal"), [
    (Contact("Jane Example", "jane@example.org"), True),
    (Contact("Youth team", "youth@example.org", "020 7946 0311"), False),
    (Contact(None, "jane.example@example.org"), True),
    (Contact(None, "info@example.org", "07700 900123"), True),
    (Contact(None, None, "+44 7700 900123"), True),
    (Contact(None, "hello@example.org", "Community team: 020 7946 0533"), False),
])
def test_personal_contacts(contact, personal):
    email, phone, left_out = choose([contact])
    assert left_out == int(personal)
    assert (email is None and phone is None) == personal


def test_contact_words():
    assert names_person("Mrs J Example") and not names_person("Reception") and not names_person(None)
    assert personal_email("j_example@example.org") and not personal_email("bookings@example.org")
    assert mobile("07700 900123") and not mobile("020 7946 0000")
    assert phone_number("Youth team: 020 7946 0123 (weekdays)") == "020 7946 0123"
