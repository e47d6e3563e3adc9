"""The organisation record in embedded mode (`make run`: SQLite, no services): edit, lock, audit, archive."""

from __future__ import annotations

import re

import pytest
from flask_migrate import upgrade

from marketplace import create_app
from marketplace.config import Settings
from marketplace.extensions import db
from tests.conftest import IsolatedClient, csrf_token
from tests.factories_organization_record import build_world, client_for, text_of


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded-record")
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "INSTANCE_PATH": str(folder)})
    settings.secret_key = "embedded-record-test"
    app = create_app({"TESTING": True}, settings=settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        from marketplace.territory.services import load_all

        load_all()
        world = build_world()
        db.session.commit()
        ids = {"org": world.org.id}
        yield app, world, ids
        db.session.remove()


def test_edit_lock_audit_and_archive_work_on_sqlite(embedded):
    app, world, ids = embedded
    with app.app_context():
        client = client_for(app, world, "partner_admin")
        record = f"/banca-dati/organizzazioni/{ids['org']}"
        form = text_of(client.get(f"{record}/modifica"))
        version = re.search(r'value="(\d+)"[^>]*name="version"|name="version"[^>]*value="(\d+)"', form)
        assert version
        opened = version.group(1) or version.group(2)
        data = {
            "name": "Logistica Adda (SQLite) S.r.l.", "kind": "srl", "vat_number": world.org.vat_number,
            "status": "active", "employees": "12", "size_class": "auto", "obligated_68": "auto",
            "quota_68_covered": "", "version": opened, "csrf_token": csrf_token(client, f"{record}/modifica"),
        }  # fmt: skip
        assert client.post(f"{record}/modifica", data=data).status_code == 302
        # The same form sent again is now stale.
        again = client.post(f"{record}/modifica", data={**data, "name": "Sovrascritto"})
        assert "modificata da un altro utente" in text_of(again)
        log = text_of(client.get(f"{record}/registro"))
        assert "Logistica Adda (SQLite) S.r.l." in log and "Utente referente" in log
        token = csrf_token(client, record)
        assert client.post(f"{record}/archivia", data={"csrf_token": token}).status_code == 302
        assert app.test_client().get(f"/organizzazioni/{ids['org']}").status_code == 404
        assert "Organizzazione archiviata il" in text_of(client.get(record))
