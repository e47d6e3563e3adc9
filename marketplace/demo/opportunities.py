"""Opportunities: every kind, a realistic status mix, dates, allowances and ages per kind."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from marketplace.demo import writing
from marketplace.demo.context import DemoContext, WeightedPicker
from marketplace.demo.opportunity_details import EditionPlan, details
from marketplace.demo.organizations import OrganizationPlan
from marketplace.opportunities.models import OpportunityKind, OpportunityStatus

K = OpportunityKind
KINDS = tuple(OpportunityKind)
_KIND_WEIGHTS = {
    K.INTERNSHIP: 20,
    K.INCLUSION_INTERNSHIP: 10,
    K.WORK_GRANT: 8,
    K.CURRICULAR_STAGE: 8,
    K.PCTO: 6,
    K.WORKSHOP: 10,
    K.VOLUNTEERING: 8,
    K.COURSE: 10,
    K.GUIDANCE: 5,
    K.APPRENTICESHIP: 5,
    K.JOB: 10,
}
_STATUS_WEIGHTS = (
    (OpportunityStatus.PUBLISHED, 75),
    (OpportunityStatus.DRAFT, 8),
    (OpportunityStatus.IN_REVIEW, 7),
    (OpportunityStatus.CLOSED, 8),
    (OpportunityStatus.ARCHIVED, 2),
)
# Which organisations host which kinds (by organisation kind).
_HOSTS = {
    K.INTERNSHIP: {"company", "social_coop_b", "social_enterprise", "social_coop_a"},
    K.INCLUSION_INTERNSHIP: {"social_coop_b", "company", "social_enterprise", "public_body", "social_coop_a"},
    K.WORK_GRANT: {"social_coop_b", "company", "public_body", "association", "social_enterprise"},
    K.CURRICULAR_STAGE: {"company", "social_coop_a", "public_body", "association", "social_enterprise"},
    K.PCTO: {"company", "public_body", "social_coop_a", "association", "social_coop_b"},
    K.WORKSHOP: {"social_coop_a", "social_coop_b", "association", "social_enterprise"},
    K.VOLUNTEERING: {"association", "social_coop_a", "public_body", "social_coop_b"},
    K.COURSE: {"association", "social_enterprise", "social_coop_b", "company", "public_body"},
    K.GUIDANCE: {"public_body", "association", "social_coop_a"},
    K.APPRENTICESHIP: {"company", "social_enterprise"},
    K.JOB: {"company", "social_coop_b", "social_coop_a", "social_enterprise"},
}
# (min, max) duration in months, seats, hours per week choices
_MONTHS = {
    K.INTERNSHIP: (2, 6),
    K.INCLUSION_INTERNSHIP: (3, 12),
    K.WORK_GRANT: (3, 12),
    K.CURRICULAR_STAGE: (1, 6),
    K.PCTO: (1, 1),
    K.WORKSHOP: (1, 4),
    K.VOLUNTEERING: (3, 12),
    K.COURSE: (1, 4),
    K.GUIDANCE: (1, 2),
    K.APPRENTICESHIP: (12, 12),
    K.JOB: (6, 12),
}
_SEATS = {
    K.INTERNSHIP: (1, 3),
    K.INCLUSION_INTERNSHIP: (1, 2),
    K.WORK_GRANT: (1, 2),
    K.CURRICULAR_STAGE: (1, 3),
    K.PCTO: (2, 6),
    K.WORKSHOP: (6, 10),
    K.VOLUNTEERING: (2, 10),
    K.COURSE: (8, 10),
    K.GUIDANCE: (5, 10),
    K.APPRENTICESHIP: (1, 2),
    K.JOB: (1, 3),
}
_HOURS = {
    K.INTERNSHIP: (20, 25, 30, 36, 40),
    K.INCLUSION_INTERNSHIP: (10, 12, 15, 20, 25),
    K.WORK_GRANT: (10, 12, 15, 20),
    K.CURRICULAR_STAGE: (20, 25, 30, 40),
    K.PCTO: (25, 30, 35),
    K.WORKSHOP: (10, 12, 15),
    K.VOLUNTEERING: (10, 12, 15),
    K.COURSE: (10, 12, 15, 20),
    K.GUIDANCE: (10, 12),
    K.APPRENTICESHIP: (36, 38, 40),
    K.JOB: (20, 24, 30, 36, 38, 40),
}
# Age ranges per kind; minors_allowed follows from age_min < 18.
_AGES = {
    K.INTERNSHIP: ((18, 29), (18, 34), (18, None)),
    K.INCLUSION_INTERNSHIP: ((18, None),),
    K.WORK_GRANT: ((18, None), (16, 29)),
    K.CURRICULAR_STAGE: ((18, 30),),
    K.PCTO: ((15, 19), (16, 19), (14, 18)),
    K.WORKSHOP: ((14, 18), (16, 25), (14, 29)),
    K.VOLUNTEERING: ((16, 34), (14, None), (18, None)),
    K.COURSE: ((16, 29), (18, 34), (16, None), (18, None)),
    K.GUIDANCE: ((14, 34), (16, 29), (14, 18)),
    K.APPRENTICESHIP: ((18, 29),),
    K.JOB: ((18, None),),
}


@dataclass(frozen=True)
class PublishedOpportunity:
    """What applications need to know about a published opportunity."""

    index: int
    age_min: int | None
    age_max: int | None
    published_at: datetime


def _allowance(ctx: DemoContext, kind: OpportunityKind) -> int | None:
    rng = ctx.rng
    if kind == K.INTERNSHIP:  # Lombardy's minimum for extracurricular internships is 500 €/month
        return rng.randrange(500, 801, 50)
    if kind == K.INCLUSION_INTERNSHIP:
        return rng.randrange(400, 601, 50)
    if kind == K.WORK_GRANT:
        return rng.randrange(250, 501, 50)
    if kind in (K.JOB, K.APPRENTICESHIP):
        return rng.randrange(900, 1601, 50)
    if kind == K.CURRICULAR_STAGE and rng.random() < 0.25:
        return rng.choice((200, 300, 400))  # a voluntary expense refund
    return None


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class _Dates:
    start: date
    end: date | None
    deadline: date
    published_at: datetime | None
    created_at: datetime


def _dates(ctx: DemoContext, status: OpportunityStatus, months: int, permanent: bool) -> _Dates:
    rng, today = ctx.rng, ctx.today
    if status in (OpportunityStatus.CLOSED, OpportunityStatus.ARCHIVED):
        deadline = today - timedelta(
            days=rng.randint(1, 60) if status == OpportunityStatus.CLOSED else rng.randint(200, 400)
        )
        start = deadline + timedelta(days=rng.randint(3, 30))
        published_at = ctx.now - timedelta(
            days=(today - deadline).days + rng.randint(15, 90), seconds=rng.randint(0, 86399)
        )
        created_at = published_at - timedelta(days=rng.randint(1, 14), seconds=rng.randint(0, 86399))
    else:
        start = today + timedelta(days=rng.randint(7, 120))
        deadline = today + timedelta(days=rng.randint(1, (start - today).days - 1))
        published_at = ctx.days_ago(0, 90) if status == OpportunityStatus.PUBLISHED else None
        created_at = (
            published_at - timedelta(days=rng.randint(1, 14), seconds=rng.randint(0, 86399))
            if published_at
            else ctx.days_ago(0, 30)
        )
    end = None if permanent else _add_months(start, months) - timedelta(days=1)
    return _Dates(start, end, deadline, published_at, created_at)


class _Hosts:
    """For each kind, the active organisations plausible as hosts (any active one if none fits)."""

    def __init__(self, plans: list[OrganizationPlan]) -> None:
        active = [i for i, plan in enumerate(plans) if plan.active] or list(range(len(plans)))
        self.by_kind = {kind: [i for i in active if plans[i].kind in hosts] or active for kind, hosts in _HOSTS.items()}


def opportunity_rows(
    ctx: DemoContext,
    count: int,
    organization_ids: list[int],
    plans: list[OrganizationPlan],
    creators: dict[int, int],
    published: list[PublishedOpportunity],
    editions: list[EditionPlan],
) -> Iterator[dict[str, Any]]:
    """Yield rows one at a time (100k of them would not fit comfortably in memory at once).

    `creators` maps an organisation index to the id of its staff account, if it has one;
    every published opportunity is also appended to `published`, for the applications, and
    the editions of workshops and courses to `editions`.
    """
    rng = ctx.rng
    hosts = _Hosts(plans)
    kinds = WeightedPicker(list(_KIND_WEIGHTS), list(_KIND_WEIGHTS.values()))
    statuses = WeightedPicker(*zip(*_STATUS_WEIGHTS, strict=True))
    for index in range(count):
        # The first ones cycle through every kind, all published and at the demo company.
        first_round = index < len(KINDS)
        kind = KINDS[index] if first_round else kinds.pick(rng)
        status = OpportunityStatus.PUBLISHED if first_round else statuses.pick(rng)
        org_index = 0 if first_round else rng.choice(hosts.by_kind[kind])
        org = plans[org_index]
        code = org.municipality_code if rng.random() < 0.75 else ctx.territory.pick(rng)
        comune = ctx.territory.names[code]
        low, high = _MONTHS[kind]
        months = rng.randint(low, high)
        permanent = kind == K.JOB and rng.random() < 0.3
        dates = _dates(ctx, status, months, permanent)
        age_min, age_max = rng.choice(_AGES[kind])
        subject = writing.pick_subject(rng, org.theme, org.line)
        title = writing.opportunity_title(rng, kind.value, subject, comune, org.obligated_68)
        hours = rng.choice((20, 24, 25, 30)) if "part-time" in title else rng.choice(_HOURS[kind])
        allowance = _allowance(ctx, kind)
        terms = writing.Terms(
            comune=comune,
            hours_per_week=hours,
            allowance_eur=allowance,
            age_min=age_min,
            age_max=age_max,
            permanent=permanent,
            months=months,
        )
        if dates.published_at is not None and status == OpportunityStatus.PUBLISHED:
            published.append(PublishedOpportunity(index, age_min, age_max, dates.published_at))
        seats = rng.randint(*_SEATS[kind])
        extra = details(
            index, kind, status, start=dates.start, deadline=dates.deadline, seats=seats, comune_code=code,
            editions=editions,
        )  # fmt: skip
        yield {
            **extra,
            "organization_id": organization_ids[org_index],
            "title": title,
            "description": writing.opportunity_description(rng, kind.value, subject, org.theme, org.line, terms),
            "kind": kind,
            "status": status,
            "sector_code": org.ateco_code,
            "municipality_code": code,
            "start_date": dates.start,
            "end_date": dates.end,
            "application_deadline": dates.deadline,
            "seats": seats,
            "allowance_eur": Decimal(allowance) if allowance is not None else None,
            "hours_per_week": hours,
            "minors_allowed": age_min is not None and age_min < 18,
            "age_min": age_min,
            "age_max": age_max,
            "published_at": dates.published_at,
            "created_by_id": creators.get(org_index),
            "version": 1,
            "created_at": dates.created_at,
            "updated_at": dates.published_at or dates.created_at,
        }
