"""The finer details of demo opportunities: skills, target groups, languages, contacts, editions, closing.

Drawn from a generator seeded by the opportunity's position, so adding a detail here never
shifts the rest of the demo data (titles, dates, applications stay what they were).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from faker.providers.person.it_IT import Provider as ItalianNames

from marketplace.candidates.models import EducationLevel
from marketplace.opportunities.models import CloseReason, OpportunityKind, OpportunityStatus, TargetGroup
from marketplace.opportunities.rules import EDITION_KINDS
from marketplace.opportunities.skills import SKILLS

K = OpportunityKind
T = TargetGroup
_TARGETS = {
    K.INTERNSHIP: ((T.YOUNG_NEET,), (T.EVERYONE,), (T.YOUNG_NEET, T.LONG_TERM_UNEMPLOYED)),
    K.INCLUSION_INTERNSHIP: ((T.VULNERABLE_ADULTS,), (T.DISABILITY,), (T.JUSTICE, T.VULNERABLE_ADULTS)),
    K.WORK_GRANT: ((T.VULNERABLE_ADULTS,), (T.DISABILITY,), (T.MIGRANTS, T.VULNERABLE_ADULTS)),
    K.CURRICULAR_STAGE: ((T.STUDENTS,),),
    K.PCTO: ((T.STUDENTS, T.MINORS),),
    K.WORKSHOP: ((T.YOUNG_NEET, T.MINORS), (T.YOUNG_NEET,), (T.MIGRANTS,)),
    K.VOLUNTEERING: ((T.EVERYONE,), (T.YOUNG_NEET, T.STUDENTS)),
    K.COURSE: ((T.YOUNG_NEET,), (T.LONG_TERM_UNEMPLOYED,), (T.MIGRANTS,), (T.EVERYONE,)),
    K.GUIDANCE: ((T.YOUNG_NEET, T.MINORS), (T.YOUNG_NEET,)),
    K.APPRENTICESHIP: ((T.YOUNG_NEET,), (T.EVERYONE,)),
    K.JOB: ((T.EVERYONE,), (T.DISABILITY,), (T.LONG_TERM_UNEMPLOYED,)),
}
_EDUCATION = (None, None, EducationLevel.LOWER_SECONDARY, EducationLevel.UPPER_SECONDARY)
_SCHEDULES = (
    "dal lunedì al venerdì, 9-13",
    "dal lunedì al venerdì, 14-18",
    "su turni, anche nel fine settimana",
    "tre mattine a settimana",
    "martedì e giovedì pomeriggio",
)
_PLACES = ("sala polivalente", "laboratorio", "aula corsi", "centro di aggregazione giovanile", "biblioteca comunale")


@dataclass(frozen=True)
class EditionPlan:
    """An edition to insert once the opportunity at `index` has its id."""

    index: int
    row: dict[str, Any]


def details(
    index: int,
    kind: OpportunityKind,
    status: OpportunityStatus,
    *,
    start: date,
    deadline: date,
    seats: int,
    comune_code: str,
    editions: list[EditionPlan],
) -> dict[str, Any]:
    rng = random.Random(index * 7919 + 17)
    codes = sorted(SKILLS)
    picked = rng.sample(codes, min(len(codes), rng.randint(1, 4)))
    values: dict[str, Any] = {
        "skills": [{"code": code, "required": position == 0} for position, code in enumerate(picked)],
        "target_groups": [group.value for group in rng.choice(_TARGETS[kind])],
        "education_level": rng.choice(_EDUCATION),
        "languages": [{"code": "it", "level": rng.choice(("A2", "B1"))}]
        + ([{"code": "en", "level": "A2"}] if rng.random() < 0.15 else []),
        "driving_licence_required": kind == K.JOB and rng.random() < 0.2,
        "schedule": rng.choice(_SCHEDULES),
        "contact_name": f"{rng.choice(ItalianNames.first_names)} {rng.choice(ItalianNames.last_names)}",
        "total_hours": None,
        "submitted_at": None,
        "closed_at": None,
        "close_reason": None,
    }
    if status == OpportunityStatus.CLOSED:
        values["closed_at"] = datetime.combine(deadline + timedelta(days=1), time(2, 0), tzinfo=UTC)
        values["close_reason"] = rng.choice((CloseReason.DEADLINE_PASSED, CloseReason.FILLED, CloseReason.WITHDRAWN))
    if kind in EDITION_KINDS:
        values["total_hours"] = rng.choice((12, 20, 24, 40, 60))
        for number in range(rng.randint(1, 3)):
            starts_on = start + timedelta(days=35 * number)
            editions.append(EditionPlan(index, {
                "label": f"Edizione {number + 1}",
                "starts_on": starts_on,
                "ends_on": starts_on + timedelta(days=rng.choice((0, 4, 11, 25))),
                "start_time": time(rng.choice((9, 14, 15)), 0),
                "end_time": time(rng.choice((12, 17, 18)), 0),
                "place": rng.choice(_PLACES),
                "municipality_code": comune_code,
                "seats": seats,
            }))  # fmt: skip
    return values
