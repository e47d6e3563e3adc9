"""The skills list the project ships: Italian labels (translated through Babel), ESCO URIs where known.

Placeholder with the structure the rest of the code relies on; the full list is filled in
by the publishing work.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Skill:
    code: str
    label: str  # a lazy string: str() it in the reader's language
    group: str
    esco_uri: str | None = None


def _skills(*items: Skill) -> dict[str, Skill]:
    return {item.code: item for item in items}


SKILLS: dict[str, Skill] = _skills(
    Skill("customer_service", _l("Assistenza ai clienti"), "services"),
)
