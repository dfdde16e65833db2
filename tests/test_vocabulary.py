"""One source for the words of every controlled value: the schema's ``x-labels``, read through
``linkwell.reference.vocabulary`` by the site, the search form, the feeds, the forms and the harvest."""

from __future__ import annotations

from linkwell.harvest.mapping import LabelMap
from linkwell.publish.feeds import openreferral
from linkwell.publish.search.facets import facet_labels, facet_values
from linkwell.publish.site import words
from linkwell.reference import vocabulary
from linkwell.submissions import FIELDS


def test_every_controlled_value_has_exactly_one_label():
    for field, path in vocabulary.FIELDS.items():
        node = vocabulary._node(path)
        assert list(node["x-labels"]) == node["enum"], field
        assert all(text and text.strip() == text for text in node["x-labels"].values()), field


def test_the_same_words_everywhere():
    assert words.activity("english-language") == "English language (ESOL)"
    assert words.group("lgbtq") == "LGBTQ+ people" and words.group("older-people") == "older people"
    labels = dict(zip(facet_values()["grp"], facet_labels()["grp"], strict=True))
    assert labels["lgbtq"] == vocabulary.label("groups", "lgbtq")
    assert openreferral.term_record("linkwell-audience", "lgbtq")["name"] == "LGBTQ+ people"
    audience = next(f for f in FIELDS if f.id == "audience")
    assert audience.options["LGBTQ+ people"] == "lgbtq"
    assert set(audience.options.values()) == set(vocabulary.labels("groups"))


def test_harvest_maps_our_own_labels():
    categories, activities, unmapped = LabelMap().map(["Museums and heritage", "Carers support"])
    assert {"museums", "carers"} <= set(activities) and not unmapped


def test_in_sentence_keeps_names_and_acronyms():
    assert vocabulary.in_sentence("groups", "people-with-dementia") == "people with dementia"
    assert vocabulary.in_sentence("accessibility", "bsl") == "British Sign Language (BSL)"
    assert vocabulary.label("activities", "no-such-value") == "No such value"
