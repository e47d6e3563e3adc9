"""Small factories for test data. They flush; tests decide when to commit."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from marketplace.accounts.models import Partner, Role, User
from marketplace.accounts.services import create_user
from marketplace.candidates.models import CandidateProfile, Person
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from marketplace.organizations.models import Organization, OrganizationKind

PASSWORD = "una frase lunga per i test"
_counter = itertools.count(1)


def partner(name: str | None = None) -> Partner:
    item = Partner(name=name or f"Ente partner {next(_counter)}")
    db.session.add(item)
    db.session.flush()
    return item


def user(role: Role = Role.CANDIDATE, *, email: str | None = None, **fields) -> User:
    n = next(_counter)
    if role in {Role.OPERATOR, Role.PARTNER_ADMIN} and "partner_id" not in fields:
        fields["partner_id"] = partner().id
    return create_user(email or f"utente{n}@example.org", PASSWORD, f"Utente Prova {n}", role, **fields)


def organization(name: str = "Logistica Martesana S.r.l.", **fields) -> Organization:
    values = {
        "name": name,
        "kind": OrganizationKind.COMPANY,
        "vat_number": None,
        "municipality_code": "015108",  # Gorgonzola
        **fields,
    }
    item = Organization(**values)
    db.session.add(item)
    db.session.flush()
    return item


def opportunity(org: Organization | None = None, **fields) -> Opportunity:
    org = org or organization()
    today = date.today()
    values = {
        "title": "Tirocinio come magazziniere",
        "description": "Gestione del magazzino, carico e scarico merci.",
        "kind": OpportunityKind.INTERNSHIP,
        "status": OpportunityStatus.PUBLISHED,
        "municipality_code": "015108",
        "start_date": today + timedelta(days=30),
        "application_deadline": today + timedelta(days=20),
        "seats": 2,
        "allowance_eur": 500,
        "published_at": utcnow(),
        **fields,
    }
    item = Opportunity(organization=org, **values)
    db.session.add(item)
    db.session.flush()
    return item


def person(with_user: User | None = None, **fields) -> Person:
    values = {"first_name": "Giulia", "last_name": "Bianchi", "birth_date": date(2004, 5, 17), **fields}
    item = Person(user_id=with_user.id if with_user else None, **values)
    db.session.add(item)
    db.session.flush()
    db.session.add(CandidateProfile(person_id=item.id, skills="magazzino, patente B"))
    db.session.flush()
    return item
