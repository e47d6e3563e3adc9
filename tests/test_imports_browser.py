"""The import flow in a real Chromium: upload, guessed columns, a live progress bar fed by a real worker, the report."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
from pathlib import Path

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests import factories
from tests.browser_support import serious_violations
from tests.factories_imports import generated_sheet, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.worker]

# Enough rows for the job to take several seconds, so the page polls it mid-way more than once.
ROWS = 5_000
EMAIL = "browser.import@example.org"


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/accedi")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{base}/area-personale")


def _watch_progress(page, timeout: float = 240.0) -> list[int]:
    """aria-valuenow of the bar, read every 200 ms until the page shows the outcome."""
    values: list[int] = []
    bar = page.get_by_role("progressbar")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.get_by_role("heading", name="Esito", exact=True).count():
            return values
        # While the page reloads, or once the finished run has no bar, there is nothing to read.
        with contextlib.suppress(Exception):
            values.append(int(bar.get_attribute("aria-valuenow", timeout=500)))
        page.wait_for_timeout(200)
    raise AssertionError(f"the import did not finish in time; progress seen: {values}")


def test_partner_admin_imports_a_spreadsheet_and_sees_it_progress(live_server, page, start_worker, tmp_path):
    factories.user(Role.PARTNER_ADMIN, email=EMAIL)
    db.session.commit()
    sheet = generated_sheet(ROWS, first_vat=50_000)
    spreadsheet = tmp_path / "aziende della rete.xlsx"
    spreadsheet.write_bytes(xlsx_bytes(sheet.header, sheet.rows))
    start_worker("imports", "--no-scheduler")
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    _sign_in(page, live_server)
    page.goto(f"{live_server}/banca-dati/importazioni")
    page.get_by_role("button", name="Carica e continua").click()  # no file chosen: explained, nothing else
    assert "Scegli il file da caricare." in page.get_by_role("alert").inner_text()
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    page.get_by_label("File da importare").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Carica e continua").click()
    page.wait_for_url(re.compile(r".*/banca-dati/importazioni/\d+/colonne$"))

    # The columns are guessed from the header names; the preview shows the first rows.
    assert page.get_by_label("Ragione sociale").input_value() == "0"
    assert page.get_by_label("Partita IVA").input_value() == "2"
    assert page.get_by_label("Comune", exact=True).input_value() == "5"
    assert page.get_by_role("table").get_by_role("row").count() == 11  # header + 10 rows
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)

    page.get_by_role("button", name="Avvia l'importazione").click()
    page.wait_for_url(re.compile(r".*/banca-dati/importazioni/\d+$"))
    assert page.locator("[aria-live=polite]").count() == 1
    values = _watch_progress(page)
    assert any(0 < value < 100 for value in values), values
    assert values == sorted(values), values  # it only moves forward

    outcome = page.locator("[data-import-counts]").inner_text()
    assert f"Nuove organizzazioni: {sheet.good_count}" in outcome
    assert f"Righe scartate: {len(sheet.bad)}" in outcome
    first_bad = min(sheet.bad)
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=str(first_bad), exact=True))
    assert sheet.bad[first_bad] in row.inner_text()
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica le righe scartate (CSV)").click()
    download = download_info.value
    assert re.fullmatch(r"scarti-importazione-\d+\.csv", download.suggested_filename)
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0] == [*sheet.header, "Riga", "Motivo"]
    assert {int(line[-2]): line[-1] for line in table[1:]}.keys() == sheet.bad.keys()
    assert all(line[-1].startswith(sheet.bad[int(line[-2])]) for line in table[1:])
    assert script_errors == []
