"""Agreements (convenzioni): who sees and changes them, the signed PDF checked by content and
served as an attachment, the computed state, the audit trail, and the daily expiry warning."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from jobs.tasks.agreements import flag_expiring_agreements
from marketplace import create_app
from marketplace.accounts.models import Role
from marketplace.agreements import services
from marketplace.agreements.models import Agreement, AgreementKind, AgreementStatus
from marketplace.audit.models import AuditEntry
from marketplace.common import uploads
from marketplace.config import Settings
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail
from marketplace.models_base import utcnow
from tests import factories
from tests import factories_relations as fr
from tests.conftest import IsolatedClient, csrf_token, login
from tests.factories_relations import pdf_bytes
from tests.uploads_support import stored_files

pytestmark = pytest.mark.usefixtures("upload_folder")  # every test stores into its own folder
TODAY = date.today()


# A Windows executable's first bytes: what a renamed .exe starts with.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
)


@pytest.fixture
def world(db_session):
    own = factories.partner("SIL Adda Martesana")
    other = factories.partner("Cooperativa Partner Sud")
    org = factories.organization("Officine Adda S.r.l.")
    users = {
        "candidate": fr.user(Role.CANDIDATE, "candidato@example.org"),
        "company": fr.user(Role.COMPANY, "azienda@example.org", organization_id=org.id),
        "operator": fr.user(Role.OPERATOR, "operatore@example.org", partner_id=own.id),
        "partner_admin": fr.user(Role.PARTNER_ADMIN, "referente@example.org", partner_id=own.id),
        "other_admin": fr.user(Role.PARTNER_ADMIN, "referente-sud@example.org", partner_id=other.id),
        "admin": fr.user(Role.ADMIN, "admin@example.org"),
    }
    return {"own": own, "other": other, "org": org, "users": users}


def agreement(org, partner, **fields) -> Agreement:
    return fr.agreement(org, partner.id, **fields)


def as_user(app, world, role):
    return fr.sign_in(app.test_client(), world["users"].get(role))


def form_data(client, path, **values):
    data = {
        "csrf_token": csrf_token(client, path),
        "kind": "inclusion_internship",
        "reference": "PROT-2025/17",
        "valid_from": (TODAY - timedelta(days=10)).isoformat(),
        "valid_to": (TODAY + timedelta(days=365)).isoformat(),
        "status": "active",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def count_agreements() -> int:
    return db.session.scalar(select(func.count()).select_from(Agreement))


# -- who may open what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("candidate", 403), ("company", 403), ("operator", 200), ("partner_admin", 200),
     ("admin", 200)],
)  # fmt: skip
def test_the_agreements_list_is_for_staff_only(app, world, role, expected):
    agreement(world["org"], world["own"], reference="PROT-LIST-1")
    response = as_user(app, world, role).get(f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni")
    assert response.status_code == expected
    body = response.get_data(as_text=True)
    assert ("PROT-LIST-1" in body) is (expected == 200)
    if expected == 302:
        assert "/accedi" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("candidate", 403), ("company", 403), ("operator", 403), ("partner_admin", 200),
     ("admin", 200)],
)  # fmt: skip
def test_only_partner_admins_and_admins_open_the_new_agreement_form(app, world, role, expected):
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    assert as_user(app, world, role).get(path).status_code == expected


@pytest.mark.parametrize("role", ["candidate", "company", "operator"])
def test_a_refused_role_cannot_create_an_agreement_by_posting(app, world, role):
    client = as_user(app, world, role)
    # A token from a page the role may open: the refusal must come from the access rule, not CSRF.
    token = csrf_token(client, "/area-personale")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    response = client.post(path, data={"csrf_token": token, "kind": "pcto", "valid_from": "2025-01-01",
                                       "valid_to": "2026-01-01", "status": "active"})  # fmt: skip
    assert response.status_code == 403
    assert count_agreements() == 0


def test_the_list_shows_each_state_in_words(app, world):
    org, partner = world["org"], world["own"]
    agreement(org, partner, reference="R-VALID", valid_to=TODAY + timedelta(days=200))
    agreement(org, partner, reference="R-EXPIRING", valid_to=TODAY + timedelta(days=20))
    agreement(org, partner, reference="R-EXPIRED", valid_from=TODAY - timedelta(days=400),
              valid_to=TODAY - timedelta(days=1))  # fmt: skip
    agreement(org, partner, reference="R-DRAFT", status=AgreementStatus.DRAFT)
    agreement(org, partner, reference="R-ENDED", status=AgreementStatus.TERMINATED)
    body = (
        as_user(app, world, "operator").get(f"/banca-dati/organizzazioni/{org.id}/convenzioni").get_data(as_text=True)
    )
    rows = {ref: body[body.index(ref) : body.index("</tr>", body.index(ref))] for ref in
            ("R-VALID", "R-EXPIRING", "R-EXPIRED", "R-DRAFT", "R-ENDED")}  # fmt: skip
    assert ">valida<" in rows["R-VALID"]
    assert "in scadenza (entro 60 giorni)" in rows["R-EXPIRING"]
    assert "scaduta" in rows["R-EXPIRED"]
    assert "in preparazione" in rows["R-DRAFT"]
    assert "cessata" in rows["R-ENDED"]
    assert "SIL Adda Martesana" in rows["R-VALID"]  # the promoter partner
    assert "Officine Adda S.r.l." in body


def test_state_boundaries_follow_the_60_day_window(db_session, world):
    def state(**fields):
        return services.state_of(Agreement(**fields), TODAY)

    active = {"status": AgreementStatus.ACTIVE, "valid_from": TODAY - timedelta(days=5)}
    assert state(**active, valid_to=TODAY + timedelta(days=60)) == services.AgreementState.EXPIRING
    assert state(**active, valid_to=TODAY + timedelta(days=61)) == services.AgreementState.VALID
    assert state(**active, valid_to=TODAY) == services.AgreementState.EXPIRING  # valid through its last day
    assert state(**active, valid_to=TODAY - timedelta(days=1)) == services.AgreementState.EXPIRED
    assert state(status=AgreementStatus.ACTIVE, valid_from=TODAY + timedelta(days=3),
                 valid_to=TODAY + timedelta(days=300)) == services.AgreementState.UPCOMING  # fmt: skip


# -- creating and editing ---------------------------------------------------------------------


def test_a_partner_admin_creates_an_agreement_for_their_partner_with_its_signed_pdf(app, world, upload_folder):
    client = as_user(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    pdf = pdf_bytes(pages=2)
    data = form_data(client, path, document=(BytesIO(pdf), "Convenzione firmata.pdf"))
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    saved = db.session.scalar(select(Agreement))
    assert saved.partner_id == world["own"].id
    assert saved.created_by_id == world["users"]["partner_admin"].id
    assert saved.kind == AgreementKind.INCLUSION_INTERNSHIP and saved.reference == "PROT-2025/17"
    assert saved.document_filename == "Convenzione firmata.pdf"
    assert saved.document_size == len(pdf)
    assert saved.document_sha256 == hashlib.sha256(pdf).hexdigest()
    stored = upload_folder / "agreements" / saved.document_key
    assert stored.read_bytes() == pdf


def test_an_exe_renamed_pdf_is_refused_in_italian_and_nothing_is_stored(app, world, upload_folder):
    client = as_user(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    upload = (BytesIO(EXE_BYTES), "convenzione.pdf", "application/pdf")  # name and declared type both lie
    response = client.post(path, data=form_data(client, path, document=upload), content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Il file non è un PDF" in response.get_data(as_text=True)
    assert count_agreements() == 0
    assert stored_files(upload_folder) == []


def test_a_broken_pdf_with_the_right_markers_is_refused(app, world, upload_folder):
    client = as_user(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    fake = b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
    response = client.post(path, data=form_data(client, path, document=(BytesIO(fake), "finto.pdf")),
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 200
    assert "incompleto o danneggiato" in response.get_data(as_text=True)
    assert count_agreements() == 0
    assert stored_files(upload_folder) == []


def test_a_truncated_pdf_is_refused(db_session, app):
    whole = pdf_bytes()
    with app.test_request_context(), pytest.raises(services.DocumentRejected, match="incompleto"):
        services.check_pdf(whole[: len(whole) // 2])


def test_an_oversize_file_is_refused_in_italian_and_nothing_is_stored(app, world, upload_folder):
    limit = app.config["SETTINGS"].max_document_mb
    assert limit == 5  # the default
    client = as_user(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    big = pdf_bytes()
    big = big[:-6] + b" " * (limit * 1024 * 1024) + big[-6:]  # a valid PDF padded past the limit
    response = client.post(path, data=form_data(client, path, document=(BytesIO(big), "grande.pdf")),
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 200
    assert "supera la dimensione massima di 5 MB" in response.get_data(as_text=True)
    assert count_agreements() == 0
    assert stored_files(upload_folder) == []


def test_the_end_date_must_follow_the_start_date(app, world):
    client = as_user(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    data = form_data(client, path, valid_from="2025-06-01", valid_to="2025-05-31")
    response = client.post(path, data=data)
    assert response.status_code == 200
    assert "La data di fine deve essere successiva alla data di inizio." in response.get_data(as_text=True)
    assert count_agreements() == 0


def test_a_mistyped_date_gets_an_italian_message(app, world):
    client = as_user(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    response = client.post(path, data=form_data(client, path, valid_from="31/02/2025", kind="nonsense"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Non è una data valida" in body and "Non è una opzione valida" in body
    assert count_agreements() == 0


def test_a_partner_admin_cannot_edit_another_partners_agreement(app, world):
    theirs = agreement(world["org"], world["other"], reference="SUD-1")
    client = as_user(app, world, "partner_admin")
    path = f"/banca-dati/convenzioni/{theirs.id}/modifica"
    assert client.get(path).status_code == 403
    token = csrf_token(client, "/area-personale")
    response = client.post(path, data={"csrf_token": token, "kind": "pcto", "valid_from": "2025-01-01",
                                       "valid_to": "2030-01-01", "status": "terminated"})  # fmt: skip
    assert response.status_code == 403
    db.session.refresh(theirs)
    assert theirs.status == AgreementStatus.ACTIVE and theirs.reference == "SUD-1"
    # …and their own list offers no edit link for it.
    body = client.get(f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni").get_data(as_text=True)
    assert f"/banca-dati/convenzioni/{theirs.id}/modifica" not in body


@pytest.mark.parametrize(("role", "expected"), [("operator", 403), ("company", 403), ("anonymous", 302)])
def test_other_roles_cannot_open_the_edit_form(app, world, role, expected):
    mine = agreement(world["org"], world["own"])
    assert as_user(app, world, role).get(f"/banca-dati/convenzioni/{mine.id}/modifica").status_code == expected


def test_an_admin_picks_the_promoter_partner(app, world):
    client = as_user(app, world, "admin")
    path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    assert "Cooperativa Partner Sud" in client.get(path).get_data(as_text=True)
    response = client.post(path, data=form_data(client, path, partner_id=str(world["other"].id)))
    assert response.status_code == 302
    assert db.session.scalar(select(Agreement)).partner_id == world["other"].id


def test_editing_replaces_the_document_deletes_the_old_file_and_is_audited(app, world, upload_folder):
    client = as_user(app, world, "partner_admin")
    new_path = f"/banca-dati/organizzazioni/{world['org'].id}/convenzioni/nuova"
    first = pdf_bytes(pages=1)
    client.post(new_path, data=form_data(client, new_path, document=(BytesIO(first), "prima.pdf")),
                content_type="multipart/form-data")  # fmt: skip
    saved = db.session.scalar(select(Agreement))
    old_key = saved.document_key
    assert (upload_folder / "agreements" / old_key).exists()

    edit_path = f"/banca-dati/convenzioni/{saved.id}/modifica"
    page = client.get(edit_path).get_data(as_text=True)
    assert "PROT-2025/17" in page and "prima.pdf" in page  # the form starts from the saved values
    second = pdf_bytes(pages=3)
    new_end = TODAY + timedelta(days=700)
    data = form_data(client, edit_path, valid_to=new_end.isoformat(), document=(BytesIO(second), "seconda.pdf"))
    response = client.post(edit_path, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(saved)
    assert saved.valid_to == new_end and saved.document_filename == "seconda.pdf"
    assert not (upload_folder / "agreements" / old_key).exists()
    assert (upload_folder / "agreements" / saved.document_key).read_bytes() == second

    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "agreement", AuditEntry.entity_id == saved.id, AuditEntry.action == "update"
        )
    ).all()
    changes = {entry.field: (entry.old_value, entry.new_value) for entry in entries}
    assert changes["valid_to"] == ((TODAY + timedelta(days=365)).isoformat(), new_end.isoformat())
    assert changes["document_filename"] == ("prima.pdf", "seconda.pdf")
    assert {entry.actor_id for entry in entries} == {world["users"]["partner_admin"].id}
    assert {entry.subject_id for entry in entries} == {world["org"].id}  # readable on the organisation's log


def test_a_failed_save_keeps_no_new_file(app, db_session, world, upload_folder):
    mine = agreement(world["org"], world["own"])
    with app.test_request_context():
        document = services.CheckedDocument(data=pdf_bytes(), filename="x.pdf")
        db.session.begin_nested()
        services.update(mine, {"kind": mine.kind, "reference": None, "valid_from": mine.valid_from,
                               "valid_to": mine.valid_to, "status": mine.status}, document=document)  # fmt: skip
        assert len(stored_files(upload_folder)) == 1
        db.session.rollback()  # the whole transaction, as a failed request would
    assert stored_files(upload_folder) == []


# -- the document, served as an attachment to staff only ------------------------------------------


@pytest.fixture
def with_document(world, upload_folder):
    pdf = pdf_bytes()
    item = agreement(world["org"], world["own"], document_key=uploads.store_bytes("agreements", pdf),
                     document_filename="convenzione Officine Adda.pdf", document_size=len(pdf))  # fmt: skip
    return item, pdf


@pytest.mark.parametrize("role", ["operator", "partner_admin", "admin"])
def test_staff_download_the_signed_pdf_as_an_attachment(app, world, with_document, role):
    item, pdf = with_document
    response = as_user(app, world, role).get(f"/banca-dati/convenzioni/{item.id}/documento")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "convenzione" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.get_data() == pdf


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("candidate", 403), ("company", 403)])
def test_others_cannot_download_the_signed_pdf(app, world, with_document, role, expected):
    item, pdf = with_document
    response = as_user(app, world, role).get(f"/banca-dati/convenzioni/{item.id}/documento")
    assert response.status_code == expected
    assert pdf not in response.get_data()


def test_the_stored_file_is_outside_the_web_root_and_not_served_statically(app, world, with_document):
    item, _pdf = with_document
    client = as_user(app, world, "admin")
    for path in (f"/static/{item.document_key}", f"/static/agreements/{item.document_key}",
                 f"/static/uploads/agreements/{item.document_key}",
                 f"/static/../instance/uploads/agreements/{item.document_key}"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    static = Path(app.static_folder).resolve()
    default_root = (Path(app.instance_path) / "uploads").resolve()  # where files go without UPLOAD_FOLDER
    assert not default_root.is_relative_to(static)
    assert not services.document_path(item).resolve().is_relative_to(static)


def test_a_missing_document_answers_404(app, world):
    item = agreement(world["org"], world["own"])
    assert as_user(app, world, "operator").get(f"/banca-dati/convenzioni/{item.id}/documento").status_code == 404


def test_upload_keys_cannot_leave_their_folder(app):
    with app.app_context():
        for key in ("../../secret_key", "a" * 63, "A" * 64):
            with pytest.raises(ValueError):
                uploads.open_stored("agreements", key)
        with pytest.raises(ValueError):
            uploads.open_stored("../instance", "a" * 64)


# -- the daily expiry warning -----------------------------------------------------------------


@pytest.fixture
def expiring_world(world):
    own, other = world["own"], world["other"]
    silent = factories.partner("Ente senza referenti")
    colleague = fr.user(Role.PARTNER_ADMIN, "collega@example.org", partner_id=own.id)
    fr.user(Role.PARTNER_ADMIN, "ex-referente@example.org", partner_id=own.id, is_active_account=False)
    second = factories.organization("Cooperativa Il Ponte")
    org = world["org"]
    items = {
        "soon": agreement(org, own, reference="A-SOON", valid_to=TODAY + timedelta(days=10)),
        "edge": agreement(second, own, reference="A-EDGE", valid_to=TODAY + timedelta(days=60)),
        "later": agreement(org, own, reference="A-LATER", valid_to=TODAY + timedelta(days=61)),
        "expired": agreement(org, own, reference="A-EXPIRED", valid_to=TODAY - timedelta(days=1)),
        "draft": agreement(
            org, own, reference="A-DRAFT", status=AgreementStatus.DRAFT, valid_to=TODAY + timedelta(days=10)
        ),
        "theirs": agreement(org, other, reference="B-SOON", valid_to=TODAY + timedelta(days=30)),
        "nobody": agreement(org, silent, reference="C-SOON", valid_to=TODAY + timedelta(days=30)),
    }
    db.session.flush()
    return {**world, "items": items, "colleague": colleague}


def mails() -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def test_the_daily_job_sends_one_digest_per_partner_to_its_partner_admins_once(app, expiring_world, smtp_sink):
    from jobs.tasks.mail import send_mail

    items = expiring_world["items"]
    assert flag_expiring_agreements() == 3
    db.session.expire_all()
    sent = mails()
    assert sorted(m.recipient for m in sent) == ["collega@example.org", "referente-sud@example.org",
                                                 "referente@example.org"]  # fmt: skip
    own_mail = next(m for m in sent if m.recipient == "referente@example.org")
    assert own_mail.subject == "Convenzioni in scadenza: 2"
    assert "A-SOON" in own_mail.body_text and "A-EDGE" in own_mail.body_text
    assert "Cooperativa Il Ponte" in own_mail.body_text
    for absent in ("A-LATER", "A-EXPIRED", "A-DRAFT", "B-SOON", "C-SOON"):
        assert absent not in own_mail.body_text
    other_mail = next(m for m in sent if m.recipient == "referente-sud@example.org")
    assert "B-SOON" in other_mail.body_text and "A-SOON" not in other_mail.body_text
    flagged = {name for name, item in items.items() if db.session.get(Agreement, item.id).expiry_notified_at}
    assert flagged == {"soon", "edge", "theirs"}  # the partner with no partner_admin is warned once it has one

    # Running again (tomorrow's slot, or a retry) sends nothing new.
    assert flag_expiring_agreements() == 0
    assert len(mails()) == 3

    # The mail really goes out through the outbox job, over SMTP.
    assert send_mail(own_mail.id) == "sent"
    delivered = smtp_sink.wait_for("referente@example.org")
    assert delivered["Subject"] == "Convenzioni in scadenza: 2"
    assert "A-SOON" in delivered.get_payload(decode=True).decode()


def test_extending_an_agreement_lets_the_job_warn_again(app, expiring_world):
    soon = expiring_world["items"]["soon"]
    flag_expiring_agreements()
    db.session.expire_all()  # the job ran in its own session, as it does on a worker
    before = len(mails())
    client = as_user(app, expiring_world, "partner_admin")
    path = f"/banca-dati/convenzioni/{soon.id}/modifica"
    # Renewed, but the new end is still within 60 days: a new warning is due.
    new_end = (TODAY + timedelta(days=45)).isoformat()
    data = form_data(client, path, kind="extracurricular_internship", reference="A-SOON",
                     valid_from=soon.valid_from.isoformat(), valid_to=new_end)  # fmt: skip
    assert client.post(path, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Agreement, soon.id).expiry_notified_at is None
    assert flag_expiring_agreements() == 2  # both partner_admins of the owner
    new = mails()[before:]
    assert {m.recipient for m in new} == {"referente@example.org", "collega@example.org"}
    assert all("A-SOON" in m.body_text and "A-EDGE" not in m.body_text for m in new)


def test_changing_something_else_keeps_the_warning_sent(app, expiring_world):
    soon = expiring_world["items"]["soon"]
    flag_expiring_agreements()
    db.session.expire_all()  # the job ran in its own session, as it does on a worker
    client = as_user(app, expiring_world, "partner_admin")
    path = f"/banca-dati/convenzioni/{soon.id}/modifica"
    data = form_data(client, path, kind="extracurricular_internship", reference="A-SOON-bis",
                     valid_from=soon.valid_from.isoformat(), valid_to=soon.valid_to.isoformat())  # fmt: skip
    assert client.post(path, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Agreement, soon.id).expiry_notified_at is not None
    assert flag_expiring_agreements() == 0


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("candidate", 403), ("company", 403),
                                                ("operator", 403), ("partner_admin", 200), ("admin", 200)])  # fmt: skip
def test_the_expiring_page_is_for_partner_admins_and_admins(app, expiring_world, role, expected):
    assert as_user(app, expiring_world, role).get("/banca-dati/convenzioni/in-scadenza").status_code == expected


def test_the_expiring_page_lists_only_the_partner_admins_own_partner(app, expiring_world):
    body = (
        as_user(app, expiring_world, "partner_admin").get("/banca-dati/convenzioni/in-scadenza").get_data(as_text=True)
    )
    assert "Convenzioni in scadenza" in body
    assert body.index("A-SOON") < body.index("A-EDGE")  # the closest end first
    for absent in ("A-LATER", "A-EXPIRED", "A-DRAFT", "B-SOON", "C-SOON"):
        assert absent not in body
    everything = as_user(app, expiring_world, "admin").get("/banca-dati/convenzioni/in-scadenza").get_data(as_text=True)
    assert all(ref in everything for ref in ("A-SOON", "A-EDGE", "B-SOON", "C-SOON"))


def test_the_scheduler_enqueues_the_expiry_job_once_a_day(app, settings):
    from jobs.dispatch import RQDispatcher
    from jobs.schedule import periodic_jobs, tick

    daily = next(item for item in periodic_jobs() if item.name == "flag-expiring-agreements")
    assert daily.every_seconds == 24 * 3600 and daily.func is flag_expiring_agreements
    midnight = 20_000 * 86_400.0
    assert "flag-expiring-agreements" in tick(app, now=midnight + 60)
    assert "flag-expiring-agreements" not in tick(app, now=midnight + 23 * 3600)  # same day: already done
    assert "flag-expiring-agreements" in tick(app, now=midnight + 86_400 + 60)
    queue = RQDispatcher(settings.redis_url).queue("default")
    names = [job.func_name for job in queue.jobs]
    assert names.count("jobs.tasks.agreements.flag_expiring_agreements") == 2


# -- embedded mode: no Redis, jobs run in-process after the commit ----------------------------------


def test_embedded_mode_saves_an_agreement_and_warns_at_once(tmp_path):
    settings = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'e.sqlite3'}", "INSTANCE_PATH": str(tmp_path)}
    )
    settings.secret_key = "embedded-agreements"
    app = create_app({"TESTING": True, "UPLOAD_FOLDER": str(tmp_path / "files")}, settings=settings)
    app.test_client_class = IsolatedClient
    assert settings.embedded
    with app.app_context():
        upgrade()
        partner = factories.partner("SIL Embedded")
        factories.user(Role.PARTNER_ADMIN, email="pa-embedded@example.org", partner_id=partner.id)
        org = factories.organization("Bottega Embedded", municipality_code=None)
        db.session.commit()
        org_id = org.id
    client = app.test_client()
    assert login(client, "pa-embedded@example.org", factories.PASSWORD).status_code == 302
    path = f"/banca-dati/organizzazioni/{org_id}/convenzioni/nuova"
    data = form_data(client, path, valid_to=(TODAY + timedelta(days=20)).isoformat(),
                     document=(BytesIO(pdf_bytes()), "firmata.pdf"))  # fmt: skip
    assert client.post(path, data=data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Agreement))
        assert saved.expiry_notified_at is not None  # the job ran in-process after the commit
        message = db.session.scalar(select(OutgoingMail))
        assert message.recipient == "pa-embedded@example.org" and "Bottega Embedded" in message.body_text
        key = saved.document_key
    assert (tmp_path / "files" / "agreements" / key).is_file()
    download = client.get(f"/banca-dati/convenzioni/{saved.id}/documento")
    assert download.status_code == 200 and download.get_data().startswith(b"%PDF-")


# -- merged and archived organisations are read-only ---------------------------------------------


@pytest.mark.parametrize("frozen_by", ["merged", "archived"])
def test_no_agreement_is_added_or_changed_on_a_merged_or_archived_organisation(app, world, frozen_by):
    org = world["org"]
    existing = agreement(org, world["own"], reference="OLD-1")
    if frozen_by == "merged":
        org.merged_into_id = factories.organization("Officine Adda (record principale)").id
    else:
        org.archived_at = utcnow()
    db.session.flush()
    client = as_user(app, world, "partner_admin")
    new_path = f"/banca-dati/organizzazioni/{org.id}/convenzioni/nuova"
    token = csrf_token(client, "/area-personale")
    posted = client.post(new_path, data={"csrf_token": token, "kind": "pcto", "valid_from": "2025-01-01",
                                         "valid_to": "2026-01-01", "status": "active"})  # fmt: skip
    assert posted.status_code == 302
    edited = client.post(f"/banca-dati/convenzioni/{existing.id}/modifica",
                         data={"csrf_token": token, "kind": "pcto", "valid_from": "2025-01-01",
                               "valid_to": "2026-01-01", "status": "terminated"})  # fmt: skip
    assert edited.status_code == 302
    assert count_agreements() == 1
    db.session.refresh(existing)
    assert existing.status == AgreementStatus.ACTIVE
    page = client.get(f"/banca-dati/organizzazioni/{org.id}/convenzioni").get_data(as_text=True)
    assert ("stata unita a un" in page) if frozen_by == "merged" else ("archiviata" in page)
    assert new_path not in page and "OLD-1" in page  # still readable, no way to add
