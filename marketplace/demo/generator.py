"""seed_demo: realistic, deterministic demo data for every role, from 20 to 100k opportunities.

Big tables go in with bulk Core-style INSERTs (batches of 2000), which bypass the ORM
unit of work and so the search-outbox hook: the caller reindexes after seeding. The
function only flushes; the caller commits (or rolls back).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Partner, User
from marketplace.accounts.passwords import hash_password
from marketplace.agreements.models import Agreement
from marketplace.applications.models import Application
from marketplace.candidates.models import CandidateProfile, Person
from marketplace.demo import accounts, applications, company_database, opportunities, organizations, people
from marketplace.demo.context import DemoContext, insert_rows
from marketplace.demo.opportunity_details import EditionPlan
from marketplace.opportunities.models import Edition, Opportunity
from marketplace.organizations.models import Contact, InclusionProfile, Organization, Site
from marketplace.territory.models import District

MAX_SCALE = 1_000_000


class DemoDataExists(RuntimeError):
    """The demo admin account is already there: seeding again would duplicate everything."""


@dataclass
class DemoSummary:
    partners: int = 0
    users: int = 0
    organizations: int = 0
    sites: int = 0
    contacts: int = 0
    inclusion_profiles: int = 0
    agreements: int = 0
    opportunities: int = 0
    people: int = 0
    profiles: int = 0
    applications: int = 0
    opportunities_by_kind: dict[str, int] = field(default_factory=dict)
    opportunities_by_status: dict[str, int] = field(default_factory=dict)
    # (role label, email, password) for every demo login
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "partners": self.partners,
            "users": self.users,
            "organizations": self.organizations,
            "sites": self.sites,
            "contacts": self.contacts,
            "inclusion_profiles": self.inclusion_profiles,
            "agreements": self.agreements,
            "opportunities": self.opportunities,
            "people": self.people,
            "profiles": self.profiles,
            "applications": self.applications,
        }


def demo_data_present(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.email == accounts.ADMIN_EMAIL)) is not None


def seed_demo(
    session: Session, *, scale: int = 200, seed: int = 2026, today: date | None = None,
    organization_count: int | None = None,
) -> DemoSummary:  # fmt: skip
    """Generate `scale` opportunities and proportional organisations, people and applications.

    `organization_count` overrides how many organisations (the company-database benchmark
    wants 50k of them without 200k opportunities).

    The territory (districts, comuni, ATECO sectors) must already be loaded. The same
    seed, scale and `today` give the same data, except password salts and session
    tokens, which must stay secret. Raises DemoDataExists if the demo admin exists,
    DemoTerritoryMissing if comuni or sectors are missing. Only flushes: the caller commits.
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}, not {scale}")
    if demo_data_present(session):
        raise DemoDataExists(f"{accounts.ADMIN_EMAIL} already exists: demo data is already loaded")
    ctx = DemoContext.create(session, seed, today)
    summary = DemoSummary()
    users = accounts.UserRows(ctx, hash_password(accounts.DEMO_PASSWORD))  # hashed once for every account
    seeding = _Seeding(session, ctx, users, summary)
    seeding.add_partners_and_organizations(organization_count or organizations.organization_count(scale))
    seeding.add_staff()
    seeding.add_people(people.people_count(scale))
    published = seeding.add_opportunities(scale)
    seeding.add_applications(applications.application_count(scale), published)
    seeding.add_lookalikes()  # last: the data before it stays the same for a seed
    session.flush()
    summary.logins = [(label, email, accounts.DEMO_PASSWORD) for label, email in accounts.DEMO_LOGINS]
    return summary


@dataclass
class _Seeding:
    """The steps of seed_demo, in order; each keeps the ids the later ones refer to."""

    session: Session
    ctx: DemoContext
    users: accounts.UserRows
    summary: DemoSummary
    partner_ids: list[int] = field(default_factory=list)
    org_ids: list[int] = field(default_factory=list)
    org_rows: list[dict[str, Any]] = field(default_factory=list)
    org_plans: list[organizations.OrganizationPlan] = field(default_factory=list)
    creators: dict[int, int] = field(default_factory=dict)  # organisation index -> its staff user id
    person_ids: list[int] = field(default_factory=list)
    person_ages: list[int] = field(default_factory=list)
    opportunity_ids: list[int] = field(default_factory=list)

    def add_partners_and_organizations(self, count: int) -> None:
        district_ids = dict(self.session.execute(select(District.code, District.id)).tuples().all())
        self.partner_ids = insert_rows(
            self.session, Partner, accounts.partner_rows(self.ctx, district_ids), returning=True
        )
        rows, self.org_plans = organizations.build_organizations(self.ctx, count, self.partner_ids)
        self.org_rows = rows
        self.org_ids = insert_rows(self.session, Organization, rows, returning=True)
        self.summary.partners, self.summary.organizations = len(self.partner_ids), len(self.org_ids)
        related = company_database.build_company_database(self.ctx, self.org_ids, rows, self.org_plans,
                                                          self.partner_ids)  # fmt: skip
        for model, related_rows in ((Site, related.sites), (Contact, related.contacts),
                                    (InclusionProfile, related.profiles), (Agreement, related.agreements)):  # fmt: skip
            insert_rows(self.session, model, related_rows)
        self.summary.sites, self.summary.contacts = len(related.sites), len(related.contacts)
        self.summary.inclusion_profiles, self.summary.agreements = len(related.profiles), len(related.agreements)

    def add_lookalikes(self) -> None:
        rows = organizations.lookalike_rows(self.ctx, self.org_rows, self.partner_ids)
        insert_rows(self.session, Organization, rows)
        self.summary.organizations += len(rows)

    def add_staff(self) -> None:
        staff_ids = insert_rows(self.session, User, accounts.staff_rows(self.users, self.partner_ids), returning=True)
        rows, owners = accounts.company_rows(self.users, self.org_ids, [plan.active for plan in self.org_plans])
        company_ids = insert_rows(self.session, User, rows, returning=True)
        self.creators = dict(zip(owners, company_ids, strict=True))
        self.summary.users += len(staff_ids) + len(company_ids)

    def add_people(self, count: int) -> None:
        person_rows, plans = people.build_people(self.ctx, self.users, count, self.partner_ids)
        login_rows, owners = people.candidate_user_rows(self.users, person_rows, plans)
        login_ids = insert_rows(self.session, User, login_rows, returning=True)
        for row in person_rows:  # every row of one executemany needs the same keys
            row["user_id"] = None
        for user_id, person_index in zip(login_ids, owners, strict=True):
            person_rows[person_index]["user_id"] = user_id
        self.person_ids = insert_rows(self.session, Person, person_rows, returning=True)
        profile_rows = people.build_profiles(self.ctx, self.person_ids, person_rows, plans)
        insert_rows(self.session, CandidateProfile, profile_rows)
        self.person_ages = [plan.age for plan in plans]
        self.summary.users += len(login_ids)
        self.summary.people, self.summary.profiles = len(self.person_ids), len(profile_rows)

    def add_opportunities(self, count: int) -> list[opportunities.PublishedOpportunity]:
        published: list[opportunities.PublishedOpportunity] = []
        kinds: Counter[str] = Counter()
        statuses: Counter[str] = Counter()

        def tallied(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for row in rows:
                kinds[row["kind"].value] += 1
                statuses[row["status"].value] += 1
                yield row

        editions: list[EditionPlan] = []
        rows = opportunities.opportunity_rows(
            self.ctx, count, self.org_ids, self.org_plans, self.creators, published, editions
        )
        self.opportunity_ids = insert_rows(self.session, Opportunity, tallied(rows), returning=True)
        edition_rows = ({**plan.row, "opportunity_id": self.opportunity_ids[plan.index]} for plan in editions)
        insert_rows(self.session, Edition, edition_rows)
        self.summary.opportunities = len(self.opportunity_ids)
        self.summary.opportunities_by_kind, self.summary.opportunities_by_status = dict(kinds), dict(statuses)
        return published

    def add_applications(self, count: int, published: list[opportunities.PublishedOpportunity]) -> None:
        rows = applications.build_applications(
            self.ctx, count, published, self.opportunity_ids, self.person_ids, self.person_ages
        )
        insert_rows(self.session, Application, rows)
        self.summary.applications = len(rows)
