"""Factories for the agreement and relationship-history tests.

Users get one password hash computed once per run (argon2 is slow on purpose), and
`sign_in` puts the user in the test client's session the way Flask-Login's login_user
does; the login form itself is tested in test_accounts.
"""

from __future__ import annotations

import functools
import itertools
from datetime import date, timedelta
from io import BytesIO

from flask.testing import FlaskClient

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.services import new_session_token
from marketplace.agreements.models import Agreement, AgreementKind, AgreementStatus
from marketplace.applications.models import Application, ApplicationStatus
from marketplace.candidates.models import Person
from marketplace.extensions import db
from marketplace.interactions.models import Interaction, InteractionKind, InteractionOutcome
from marketplace.organizations.models import Contact, Organization
from tests import factories

_counter = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return hash_password(factories.PASSWORD)


def user(role: Role, email: str | None = None, **fields) -> User:
    n = next(_counter)
    item = User(
        email=email or f"relazioni{n}@example.org", full_name=fields.pop("full_name", f"Utente Relazioni {n}"),
        password_hash=_password_hash(), role=role, session_token=new_session_token(), **fields,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item


def sign_in(client: FlaskClient, who: User | None) -> FlaskClient:
    if who is not None:
        with client.session_transaction() as session:
            session["_user_id"] = who.get_id()
            session["_fresh"] = True
    return client


def agreement(
    org: Organization,
    partner_id: int,
    *,
    valid_from: date | None = None,
    valid_to: date | None = None,
    status: AgreementStatus = AgreementStatus.ACTIVE,
    kind: AgreementKind = AgreementKind.EXTRACURRICULAR_INTERNSHIP,
    **fields,
) -> Agreement:
    today = date.today()
    item = Agreement(
        organization_id=org.id, partner_id=partner_id, kind=kind, status=status,
        valid_from=valid_from or today - timedelta(days=100), valid_to=valid_to or today + timedelta(days=300),
        **fields,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item


def contact(org: Organization, full_name: str = "Marta Colombo", **fields) -> Contact:
    item = Contact(organization_id=org.id, full_name=full_name, **fields)
    db.session.add(item)
    db.session.flush()
    return item


def interaction(org: Organization, author: User, **fields) -> Interaction:
    values = {
        "kind": InteractionKind.CALL,
        "occurred_on": date.today(),
        "summary": "Telefonata con la responsabile del personale.",
        "outcome": InteractionOutcome.TO_FOLLOW_UP,
        **fields,
    }
    item = Interaction(organization_id=org.id, partner_id=author.partner_id, author_id=author.id, **values)
    db.session.add(item)
    db.session.flush()
    return item


def application(opportunity_id: int, person: Person, status: ApplicationStatus) -> Application:
    item = Application(opportunity_id=opportunity_id, person_id=person.id, status=status)
    db.session.add(item)
    db.session.flush()
    return item


def pdf_bytes(pages: int = 1) -> bytes:
    """A real, small PDF written by pypdf."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
