"""People (young people 14-34 and vulnerable adults) and their candidate profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from marketplace.accounts.models import Role
from marketplace.candidates.models import EducationLevel
from marketplace.demo import content, writing
from marketplace.demo.accounts import CANDIDATE_EMAIL, UserRows
from marketplace.demo.codes import codice_fiscale
from marketplace.demo.content import Theme
from marketplace.demo.context import DemoContext, WeightedPicker

# Themes people aspire to; public administration is rarely anyone's first wish.
_INTEREST_THEMES = content.weights(
    "logistica:14 | ristorazione:16 | commercio:14 | manifattura:10 | assistenza:12 | servizi_persona:8"
    " | servizi_supporto:8 | agricoltura:5 | edilizia:6 | informatica:12 | cultura:8 | formazione:2 | pubblico:2"
)
# Education by age group: minors are mostly still at school.
_EDUCATION_MINORS = content.weights("lower_secondary:80 | primary:8 | none:4 | vocational:8")
_EDUCATION_YOUNG = content.weights(
    "none:2 | primary:3 | lower_secondary:25 | vocational:20 | upper_secondary:32 | bachelor:12 | master:6"
)
_EDUCATION_ADULTS = content.weights(
    "none:4 | primary:10 | lower_secondary:35 | vocational:18 | upper_secondary:23 | bachelor:6 | master:4"
)
_TRAVEL_KM = ((5, 10), (10, 20), (15, 15), (20, 15), (30, 12), (50, 8), (None, 20))


@dataclass(frozen=True)
class PersonPlan:
    age: int
    theme: Theme
    has_login: bool
    full_name: str


def people_count(scale: int) -> int:
    return max(20, scale // 2)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def birth_date_for_age(ctx: DemoContext, age: int) -> date:
    """A birth date that makes the person exactly `age` years old today."""
    latest = _years_before(ctx.today, age)
    earliest = _years_before(ctx.today, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=ctx.rng.randint(0, (latest - earliest).days))


def _age(ctx: DemoContext, index: int) -> int:
    if index == 0:
        return 22  # the demo candidate: an adult who can apply to most opportunities
    roll = ctx.rng.random()
    if roll < 0.10:
        return ctx.rng.randint(14, 17)
    if roll < 0.85:
        return ctx.rng.randint(18, 34)
    return ctx.rng.randint(35, 60)


class _TaxCodes:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.seen: set[str] = set()

    def maybe(self, first: str, last: str, born: date, female: bool, municipality_code: str) -> str | None:
        rng = self.ctx.rng
        if rng.random() < 0.2:  # operators often register people before they bring a document
            return None
        place = (
            self.ctx.territory.cadastral[municipality_code]
            if rng.random() < 0.6
            else rng.choice(content.OTHER_BIRTHPLACES)
        )
        code = codice_fiscale(first, last, born, female, place)
        if code in self.seen:  # omocodia: the real office would alter digits; a demo just leaves it blank
            return None
        self.seen.add(code)
        return code


def build_people(
    ctx: DemoContext, users: UserRows, count: int, partner_ids: list[int]
) -> tuple[list[dict[str, Any]], list[PersonPlan]]:
    rng, fake = ctx.rng, ctx.fake
    interests = WeightedPicker(*zip(*_INTEREST_THEMES, strict=True))
    tax_codes = _TaxCodes(ctx)
    rows: list[dict[str, Any]] = []
    plans: list[PersonPlan] = []
    for index in range(count):
        female = rng.random() < 0.5
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        age = _age(ctx, index)
        minor = age < 18
        born = birth_date_for_age(ctx, age)
        code = ctx.territory.pick(rng)
        # Educators intercept most minors; about half of everyone is pre-registered by a partner.
        by_partner = index == 0 or rng.random() < (0.7 if minor else 0.47)
        has_login = index == 0 or not by_partner or rng.random() < 0.2
        name = f"{first} {last}"
        if index == 0:
            email: str | None = CANDIDATE_EMAIL
        elif has_login or rng.random() < 0.75:
            email = users.generated_email(name, "example.net")
        else:
            email = None
        created_at = ctx.days_ago(1, 400)
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "birth_date": born,
                "tax_code": tax_codes.maybe(first, last, born, female, code),
                "email": email,
                "phone": f"+39 3{rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                if rng.random() < 0.85
                else None,
                "municipality_code": code,
                "registered_by_partner_id": (partner_ids[0] if index == 0 else rng.choice(partner_ids))
                if by_partner
                else None,
                "privacy_consent_at": created_at,
                "guardian_name": _guardian(ctx, last) if minor else None,
                "guardian_consent_at": created_at if minor else None,
                # Versioned rows (people are indexed): Core inserts must set the first version.
                "version": 1,
                "created_at": created_at,
                "updated_at": ctx.between(created_at, ctx.now),
            }
        )
        plans.append(PersonPlan(age=age, theme=ctx.themes[interests.pick(rng)], has_login=has_login, full_name=name))
    return rows, plans


def _guardian(ctx: DemoContext, last_name: str) -> str:
    surname = last_name if ctx.rng.random() < 0.8 else ctx.fake.last_name()
    return f"{ctx.fake.first_name()} {surname}"


def _education(ctx: DemoContext, age: int) -> EducationLevel:
    options = _EDUCATION_MINORS if age < 18 else _EDUCATION_YOUNG if age < 35 else _EDUCATION_ADULTS
    return EducationLevel(writing.weighted(ctx.rng, options))


def _skills(ctx: DemoContext, theme: Theme, licence: bool) -> str:
    rng = ctx.rng
    picked = rng.sample(theme.skills, rng.randint(1, min(3, len(theme.skills))))
    picked += rng.sample(content.TRANSVERSAL_SKILLS, rng.randint(1, 3))
    if licence and rng.random() < 0.7:
        picked.append("patente B")
    return ", ".join(dict.fromkeys(picked))


def _languages(ctx: DemoContext) -> str:
    rng = ctx.rng
    spoken = ["italiano"]
    for chance in (0.4, 0.1):
        if rng.random() < chance:
            spoken.append(writing.weighted(rng, content.SECOND_LANGUAGES))
    return ", ".join(dict.fromkeys(spoken))


def build_profiles(
    ctx: DemoContext, person_ids: list[int], people: list[dict[str, Any]], plans: list[PersonPlan]
) -> list[dict[str, Any]]:
    rng = ctx.rng
    travel_values, travel_weights = zip(*_TRAVEL_KM, strict=True)
    rows = []
    for person_id, person, plan in zip(person_ids, people, plans, strict=True):
        licence = plan.age >= 18 and rng.random() < 0.55
        rows.append(
            {
                "person_id": person_id,
                "education_level": _education(ctx, plan.age),
                "skills": _skills(ctx, plan.theme, licence),
                "aspirations": writing.aspiration(rng, plan.theme),
                "languages": _languages(ctx),
                "driving_licence": licence,
                "max_travel_km": rng.choices(travel_values, weights=travel_weights)[0],
                "version": 1,
                "created_at": person["created_at"],
                "updated_at": person["updated_at"],
            }
        )
    return rows


def candidate_user_rows(
    users: UserRows, people: list[dict[str, Any]], plans: list[PersonPlan]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Logins for people who signed up themselves; returns the rows and each one's person index."""
    rows, owners = [], []
    for index, (person, plan) in enumerate(zip(people, plans, strict=True)):
        if plan.has_login:
            rows.append(
                users.row(plan.full_name, Role.CANDIDATE, email=person["email"], created_at=person["created_at"])
            )
            owners.append(index)
    return rows, owners
