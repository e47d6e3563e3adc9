"""Applications (candidature) of people to published opportunities."""

from __future__ import annotations

from typing import Any

from marketplace.applications.models import ApplicationStatus
from marketplace.demo import content
from marketplace.demo.context import DemoContext, WeightedPicker
from marketplace.demo.opportunities import PublishedOpportunity

S = ApplicationStatus
_STATUS_WEIGHTS = (
    (S.SENT, 35),
    (S.UNDER_REVIEW, 25),
    (S.INTERVIEW, 15),
    (S.ACCEPTED, 10),
    (S.NOT_SELECTED, 10),
    (S.WITHDRAWN, 5),
)
DEMO_CANDIDATE_APPLICATIONS = 3
# Give up after this many draws per wanted application (tiny demos may run out of fitting pairs).
_ATTEMPTS_PER_APPLICATION = 30


def application_count(scale: int) -> int:
    return scale // 2


def _fits(opportunity: PublishedOpportunity, age: int) -> bool:
    if opportunity.age_min is not None and age < opportunity.age_min:
        return False
    return opportunity.age_max is None or age <= opportunity.age_max


def build_applications(
    ctx: DemoContext,
    count: int,
    published: list[PublishedOpportunity],
    opportunity_ids: list[int],
    person_ids: list[int],
    ages: list[int],
) -> list[dict[str, Any]]:
    """Unique (opportunity, person) pairs where the person's age fits the opportunity.

    The demo candidate (the first person) always has a few, so their dashboard is not empty.
    """
    rng = ctx.rng
    if not published or not person_ids:
        return []
    statuses = WeightedPicker(*zip(*_STATUS_WEIGHTS, strict=True))
    pairs: set[tuple[int, int]] = set()
    rows: list[dict[str, Any]] = []

    def add(opportunity: PublishedOpportunity, person: int) -> None:
        pairs.add((opportunity.index, person))
        created_at = ctx.between(opportunity.published_at, ctx.now)
        status = statuses.pick(rng)
        updated_at = created_at if status == S.SENT else ctx.between(created_at, ctx.now)
        rows.append(
            {
                "opportunity_id": opportunity_ids[opportunity.index],
                "person_id": person_ids[person],
                "status": status,
                "message": rng.choice(content.APPLICATION_MESSAGES),
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

    for opportunity in published:
        if len(rows) >= min(count, DEMO_CANDIDATE_APPLICATIONS):
            break
        if _fits(opportunity, ages[0]):
            add(opportunity, 0)

    attempts = count * _ATTEMPTS_PER_APPLICATION
    while len(rows) < count and attempts > 0:
        attempts -= 1
        opportunity = rng.choice(published)
        person = rng.randrange(len(person_ids))
        if (opportunity.index, person) not in pairs and _fits(opportunity, ages[person]):
            add(opportunity, person)
    return rows
