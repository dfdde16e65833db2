"""The issue forms in .github/ISSUE_TEMPLATE/ match ``linkwell.submissions.FIELDS`` and the entry schema.

Every question has an id and label from FIELDS (so ``from-issue`` can read it back), every choice
maps to a schema value, every controlled schema value can be chosen, and no dropdown choice contains
", " (GitHub joins several choices with ", ").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from linkwell.reference import schema
from linkwell.reference.boroughs import BOROUGHS
from linkwell.submissions import BY_ID, FIELDS

FORMS = Path(__file__).resolve().parent.parent / ".github" / "ISSUE_TEMPLATE"


def questions(name: str) -> list[dict]:
    spec = yaml.safe_load((FORMS / name).read_text(encoding="utf-8"))
    assert spec["name"] and spec["description"] and spec["labels"]
    return [item for item in spec["body"] if item["type"] != "markdown"]


@pytest.mark.parametrize("name", ["add-your-group.yml", "update-listing.yml"])
def test_every_question_matches_fields(name):
    items = questions(name)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids))
    for item in items:
        spec = BY_ID[item["id"]]
        assert item["type"] == spec.kind and item["attributes"]["label"] == spec.label
        if spec.kind == "dropdown":
            assert item["attributes"]["options"] == list(spec.options)
            assert bool(item["attributes"].get("multiple")) == spec.multiple
            assert not any(", " in option for option in spec.options)
        if spec.kind == "checkboxes":
            assert [o["label"] for o in item["attributes"]["options"]] == list(spec.options)
    expected = [f.id for f in FIELDS if name == "update-listing.yml" or f.id not in ("listing", "status")]
    assert ids == expected


def test_the_forms_name_their_privacy_rules_and_labels():
    for name, label in (("add-your-group.yml", "listing-submission"), ("update-listing.yml", "listing-update")):
        spec = yaml.safe_load((FORMS / name).read_text(encoding="utf-8"))
        assert spec["labels"] == [label]
        intro = spec["body"][0]["attributes"]["value"]
        assert "organisational contacts only" in intro and "published" in intro
    confirm = next(i for i in questions("add-your-group.yml") if i["id"] == "confirm")
    assert all(o["required"] for o in confirm["attributes"]["options"])


def test_required_questions_in_the_add_form():
    for item in questions("add-your-group.yml"):
        if item["type"] != "checkboxes":
            assert item["validations"]["required"] == BY_ID[item["id"]].required, item["id"]


@pytest.mark.parametrize("field_id, schema_path", [
    ("categories", ("categories",)), ("activities", ("activities",)), ("audience", ("audience", "groups")),
    ("delivery", ("delivery",)), ("cost", ("cost",)), ("access", ("access",)),
    ("accessibility", ("accessibility",)), ("status", ("status",)),
])
def test_choices_cover_the_schema_vocabulary(field_id, schema_path):
    assert sorted(BY_ID[field_id].options.values()) == sorted(schema.vocabulary(*schema_path))


def test_days_frequency_and_boroughs_cover_the_schema():
    slot = schema.load("entry.schema.json")["properties"]["schedule"]["items"]["properties"]
    assert sorted(BY_ID["days"].options.values()) == sorted(slot["days"]["items"]["enum"])
    assert sorted(BY_ID["frequency"].options.values()) == sorted(slot["frequency"]["enum"])
    assert sorted(BY_ID["borough"].options.values()) == sorted(BOROUGHS) == sorted(schema.vocabulary("borough"))


def test_labels_are_unique():
    labels = [f.label for f in FIELDS]
    assert len(labels) == len(set(labels))
