"""A long export in a real Chromium: asked for on the list, written by a real worker, downloaded, axe-core clean."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.organizations.models import OrganizationKind
from tests import factories
from tests.browser_support import serious_violations
from tests.test_organization_list import LIST, index

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_operator_asks_for_a_long_export_and_downloads_it(app, live_server, page, start_worker):
    operator = factories.user(Role.OPERATOR)
    orgs = [factories.organization(f"Laboratorio Adda {n:02d}", kind=OrganizationKind.SRL) for n in range(12)]
    db.session.commit()
    search = app.extensions["search"]
    search.drop_indexes()  # ids restart in these committed tests: no old document may hold them
    search.ensure_indexes()
    index(search, *orgs)
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    app.config["EXPORT_INLINE_LIMIT"] = 5  # the live server runs this app: twelve rows are a long list
    try:
        page.goto(f"{live_server}/accedi")
        page.get_by_label("Email").fill(operator.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Accedi").click()
        page.wait_for_url(f"{live_server}/area-personale")
        page.goto(f"{live_server}{LIST}?kind=srl&sort=name")
        assert page.get_by_text("il file viene preparato in background").is_visible()
        page.get_by_role("button", name="Excel (XLSX)").click()
    finally:
        del app.config["EXPORT_INLINE_LIMIT"]

    page.wait_for_url(re.compile(r".*/banca-dati/esportazioni/\d+$"))
    assert page.get_by_text("In coda: l'esportazione partirà tra poco.").is_visible()  # no worker yet
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "0"
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    # Once a worker takes the job, the page (polling its status) reloads itself when the file is ready.
    start_worker("exports", "--no-scheduler")
    download_link = page.get_by_role("link", name=re.compile(r"^Scarica organizzazioni-\d{8}-\d+\.xlsx$"))
    download_link.wait_for(timeout=60_000)
    assert "Il file contiene 12 organizzazioni." in page.content()
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)

    with page.expect_download() as download_info:
        download_link.click()
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    assert [sheet.cell(row, 2).value for row in range(2, 14)] == [org.name for org in orgs]

    page.get_by_role("link", name="Tutte le tue esportazioni").click()
    assert page.get_by_role("cell", name="Pronta").is_visible()
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    assert script_errors == []
