"""Who may open which page of the company database: the whole role × page table in one place.

Each domain's tests check its rules in depth (writes, ownership, other partners' objects);
this table makes sure no page of the company database is left open to a role that
should not see it, and none is closed to a role that needs it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.agreements.models import Agreement, AgreementKind, AgreementStatus
from marketplace.extensions import db
from tests import factories
from tests.conftest import login

OK, LOGIN, FORBIDDEN, MISSING = 200, 302, 403, 404
ROLES = ("anonymous", "candidate", "company_other", "company_own", "operator", "partner_admin", "admin")

# page -> expected status for each role, in ROLES order.
STAFF_READ = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
STAFF_WRITE = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
PUBLIC = (OK,) * len(ROLES)

TABLE: dict[str, tuple[int, ...]] = {
    "/organizzazioni/{org}": PUBLIC,
    "/organizzazioni/{org}/gestione": (LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK, OK),
    "/banca-dati/organizzazioni": STAFF_READ,
    "/banca-dati/organizzazioni/export.csv": STAFF_READ,
    "/banca-dati/organizzazioni/{org}": STAFF_READ,
    "/banca-dati/organizzazioni/{org}/sedi": STAFF_READ,
    "/banca-dati/organizzazioni/{org}/convenzioni": STAFF_READ,
    "/banca-dati/organizzazioni/{org}/relazioni": STAFF_READ,
    "/banca-dati/organizzazioni/{org}/inserimenti": STAFF_READ,
    "/banca-dati/organizzazioni/{org}/note": STAFF_READ,
    "/banca-dati/convenzioni/{agreement}/documento": STAFF_READ,
    "/banca-dati/scadenze": STAFF_READ,
    "/banca-dati/organizzazioni/nuova": STAFF_WRITE,
    "/banca-dati/organizzazioni/{org}/modifica": STAFF_WRITE,
    "/banca-dati/organizzazioni/{org}/profilo-inclusione": STAFF_WRITE,
    "/banca-dati/organizzazioni/{org}/registro": STAFF_WRITE,
    "/banca-dati/importazioni": STAFF_WRITE,
    "/banca-dati/duplicati": STAFF_WRITE,
    "/banca-dati/richieste": STAFF_WRITE,
}


@pytest.fixture
def world(db_session):
    partner = factories.partner("SIL Martesana")
    own = factories.organization("Officine Adda S.r.l.", vat_number="01234567897")
    other = factories.organization("Cooperativa Il Ponte")
    agreement = Agreement(
        organization_id=own.id, partner_id=partner.id, kind=AgreementKind.EXTRACURRICULAR_INTERNSHIP,
        status=AgreementStatus.ACTIVE, valid_from=date.today() - timedelta(days=10),
        valid_to=date.today() + timedelta(days=300),
    )  # fmt: skip
    db.session.add(agreement)
    users = {
        "candidate": factories.user(Role.CANDIDATE, email="candidato@example.org"),
        "company_other": factories.user(Role.COMPANY, email="altra@example.org", organization_id=other.id),
        "company_own": factories.user(Role.COMPANY, email="azienda@example.org", organization_id=own.id),
        "operator": factories.user(Role.OPERATOR, email="operatore@example.org", partner_id=partner.id),
        "partner_admin": factories.user(Role.PARTNER_ADMIN, email="referente@example.org", partner_id=partner.id),
        "admin": factories.user(Role.ADMIN, email="admin@example.org"),
    }
    db.session.flush()
    return {"org": own.id, "agreement": agreement.id, "users": users, "agreement_obj": agreement}


@pytest.mark.parametrize("role", ROLES)
def test_company_database_pages_answer_each_role_as_the_table_says(app, client, world, role):
    if world["agreement_obj"].document_key is None:
        _attach_document(world["agreement_obj"])
    if role != "anonymous":
        login(client, world["users"][role].email, factories.PASSWORD)
    column = ROLES.index(role)
    wrong = []
    for template, expected in TABLE.items():
        path = template.format(org=world["org"], agreement=world["agreement"])
        status = client.get(path).status_code
        if status != expected[column]:
            wrong.append(f"{path}: {status}, expected {expected[column]}")
    assert wrong == []


def _attach_document(agreement: Agreement) -> None:
    from marketplace.common.uploads import store_bytes

    agreement.document_key = store_bytes("agreements", _tiny_pdf())
    agreement.document_filename = "convenzione.pdf"
    db.session.flush()


def _tiny_pdf() -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
