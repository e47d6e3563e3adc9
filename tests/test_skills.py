"""The skills list the project ships: unique codes, Italian labels, ESCO URIs where known."""

from __future__ import annotations

import re
from datetime import date

import pytest

from marketplace.opportunities import rules
from marketplace.opportunities.skills import GROUP_LABELS, SKILLS, Skill, _skills, grouped_choices, skill_label

ESCO_URI = re.compile(
    r"^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
CODE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


def test_the_list_is_a_useful_size_with_unique_well_formed_codes(app):
    assert 80 <= len(SKILLS) <= 120
    assert all(CODE.match(code) and skill.code == code for code, skill in SKILLS.items())
    with pytest.raises(ValueError):
        _skills(Skill("a_b", "uno", "soft"), Skill("a_b", "due", "soft"))


def test_labels_are_italian_unique_and_grouped(app):
    with app.test_request_context():
        labels = [str(skill.label) for skill in SKILLS.values()]
        assert len(set(label.casefold() for label in labels)) == len(labels)
        assert all(label[0].isupper() for label in labels)
        assert str(SKILLS["forklift"].label) == "Guida del carrello elevatore (muletto)"
        assert {skill.group for skill in SKILLS.values()} == set(GROUP_LABELS)
        choices = grouped_choices()
        assert list(choices) == [str(label) for label in GROUP_LABELS.values()]
        assert sorted(code for items in choices.values() for code, _label in items) == sorted(SKILLS)
        assert all(len(items) >= 5 for items in choices.values())  # every group is worth its heading
        assert skill_label("teamwork") == "Lavoro in gruppo"
        assert skill_label("retired_skill") == "retired_skill"


def test_esco_uris_are_well_formed_distinct_and_cover_most_skills():
    uris = [skill.esco_uri for skill in SKILLS.values() if skill.esco_uri]
    assert all(ESCO_URI.match(uri) for uri in uris)
    assert len(set(uris)) == len(uris)
    assert len(uris) / len(SKILLS) >= 0.8
    # Spot checks against ESCO's labels (scripts/esco_lookup.py re-checks the whole list).
    assert SKILLS["forklift"].esco_uri.endswith("/28cb374e-6261-4133-8371-f9a5470145da")  # operate forklift
    assert SKILLS["stock_shelves"].esco_uri is not None


def test_the_rules_accept_known_skills_and_refuse_unknown_or_repeated_ones(app):
    with app.test_request_context():
        base = {"title": "Tirocinio in magazzino", "description": "Descrizione abbastanza lunga da passare.",
                "kind": "internship", "seats": 1}  # fmt: skip
        ok = rules.check({**base, "skills": [{"code": "forklift", "required": True}]}, today=date.today())
        assert "skills" not in ok
        unknown = rules.check({**base, "skills": [{"code": "juggling", "required": True}]}, today=date.today())
        assert unknown["skills"] == "Competenze non riconosciute o ripetute."
        twice = [{"code": "forklift", "required": True}, {"code": "forklift", "required": False}]
        assert "skills" in rules.check({**base, "skills": twice}, today=date.today())
