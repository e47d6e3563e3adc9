"""Test helpers for the organisation record: a small world of partners, organisations and users.

Users are created with one password hash computed once and signed in by putting their
session token in the test client's session: hashing and verifying argon2 for every user of
every test would make these tests slow without testing anything new (sign-in has its own tests).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from stdnum import luhn
from stdnum.it import codicefiscale

from marketplace.accounts.models import Partner, Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.services import new_session_token
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.organizations.models import Organization, OrganizationKind, SizeClass
from tests import factories
from tests.conftest import csrf_token

GORGONZOLA, MELZO = "015108", "015142"


def vat(base: str) -> str:
    """A valid partita IVA from 10 digits (office code 015 keeps it plausible)."""
    return base + luhn.calc_check_digit(base)


PIVA_A, PIVA_B, PIVA_C = vat("1234567015"), vat("7654321015"), vat("1111111015")
PERSON_CF = "RSSMRA80A01F205" + codicefiscale.calc_check_digit("RSSMRA80A01F205")


@functools.cache
def _password_hash() -> str:
    return hash_password(factories.PASSWORD)


def user(role: Role, email: str, **fields) -> User:
    item = User(
        email=email, full_name=f"Utente {email.split('@')[0]}", password_hash=_password_hash(), role=role,
        session_token=new_session_token(), **fields,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item


@dataclass
class World:
    partner_a: Partner
    partner_b: Partner
    users: dict[str, User]
    org: Organization
    other_org: Organization


def build_world() -> World:
    partner_a = factories.partner("SIL Martesana")
    partner_b = factories.partner("Consorzio Est Milano")
    org = factories.organization(
        "Logistica Adda S.r.l.", kind=OrganizationKind.SRL, vat_number=PIVA_A, tax_code=PIVA_A,
        ateco_code="52.10", employees=40, obligated_68=True, quota_68_covered=False,
        size_class=SizeClass.SMALL, address="Via Milano 10", email="info@logistica-adda.example.org",
        description="Magazzino e spedizioni per la Martesana.",
    )  # fmt: skip
    other_org = factories.organization("Cooperativa Il Ponte", kind=OrganizationKind.SOCIAL_COOP_B)
    users = {
        "candidate": user(Role.CANDIDATE, "candidato@example.org"),
        "company_own": user(Role.COMPANY, "azienda@example.org", organization_id=org.id),
        "company_other": user(Role.COMPANY, "altra@example.org", organization_id=other_org.id),
        "operator": user(Role.OPERATOR, "operatore@example.org", partner_id=partner_a.id),
        "partner_admin": user(Role.PARTNER_ADMIN, "referente@example.org", partner_id=partner_a.id),
        "operator_b": user(Role.OPERATOR, "operatore.b@example.org", partner_id=partner_b.id),
        "partner_admin_b": user(Role.PARTNER_ADMIN, "referente.b@example.org", partner_id=partner_b.id),
        "admin": user(Role.ADMIN, "admin@example.org"),
    }
    return World(partner_a, partner_b, users, org, other_org)


def client_for(app: Flask, world: World, who: str) -> FlaskClient:
    client = app.test_client()
    if who != "anonymous":
        with client.session_transaction() as session:
            # What Flask-Login stores after a sign-in: the account's session token.
            session["_user_id"] = world.users[who].session_token
            session["_fresh"] = True
    return client


def post_form(client: FlaskClient, form_path: str, data: dict, action: str | None = None):
    """Open the page holding the form (for its CSRF token), then submit to its action."""
    token = csrf_token(client, form_path)
    return client.post(action or form_path, data={**data, "csrf_token": token})


def text_of(response) -> str:
    return response.get_data(as_text=True)


def audit_rows(org_id: int, **where) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.subject_type == "organization", AuditEntry.subject_id == org_id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
