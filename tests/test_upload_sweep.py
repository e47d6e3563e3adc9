"""The daily sweep of stored files no row refers to."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

from jobs.tasks.uploads import sweep_orphan_uploads
from marketplace.accounts.models import Role
from marketplace.agreements.models import Agreement, AgreementKind, AgreementStatus
from marketplace.common import uploads
from marketplace.extensions import db
from tests import factories

TWO_DAYS_AGO = time.time() - 2 * 24 * 3600


def _age(path) -> None:
    os.utime(path, (TWO_DAYS_AGO, TWO_DAYS_AGO))


def test_the_sweep_removes_only_old_files_that_no_row_refers_to(db_session, upload_folder):
    signed = uploads.store_bytes("agreements", b"%PDF-1.4 convenzione firmata")
    never_recorded = uploads.store_bytes("agreements", b"%PDF-1.4 caricata, poi il processo si ferma")
    just_stored = uploads.store_bytes("agreements", b"%PDF-1.4 transazione ancora aperta")
    cv_left_behind = uploads.store_bytes("cvs", b"%PDF-1.4 curriculum")
    staff = factories.user(Role.PARTNER_ADMIN)
    db.session.add(Agreement(
        organization_id=factories.organization().id, partner_id=staff.partner_id,
        kind=AgreementKind.INCLUSION_INTERNSHIP, status=AgreementStatus.ACTIVE, valid_from=date.today(),
        valid_to=date.today() + timedelta(days=365), document_key=signed,
    ))  # fmt: skip
    db.session.flush()
    agreements, cvs = upload_folder / "agreements", upload_folder / "cvs"
    half_written = agreements / ".incoming-k3j2"
    half_written.write_bytes(b"%PDF-1.4 interrotto")
    not_ours = agreements / "LEGGIMI.txt"
    not_ours.write_text("un file che il sito non ha scritto")
    for path in (agreements / signed, agreements / never_recorded, cvs / cv_left_behind, half_written, not_ours):
        _age(path)

    assert sweep_orphan_uploads() == {"agreements": 2, "cvs": 1, "imports": 0, "exports": 0}
    assert sorted(path.name for path in agreements.iterdir()) == sorted([signed, just_stored, "LEGGIMI.txt"])
    assert list(cvs.iterdir()) == []
    assert sweep_orphan_uploads() == {"agreements": 0, "cvs": 0, "imports": 0, "exports": 0}  # nothing left to do


def test_the_upload_folder_comes_from_the_environment(tmp_path, monkeypatch):
    from marketplace import create_app
    from marketplace.config import Settings

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "UPLOAD_FOLDER": str(tmp_path / "files")}
    app = create_app({"TESTING": True}, settings=Settings.from_env(env))
    with app.app_context():
        key = uploads.store_bytes("cvs", b"%PDF-1.4")
        assert uploads.upload_root() == tmp_path / "files"
    assert (tmp_path / "files" / "cvs" / key).is_file()
