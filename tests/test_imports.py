"""Spreadsheet import of organisations, end to end on PostgreSQL and Redis (and one run on a real worker)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from jobs.dispatch import RQDispatcher
from jobs.tasks.imports import import_organizations
from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEntry
from marketplace.common import uploads
from marketplace.extensions import db
from marketplace.imports import reading, rows, services
from marketplace.imports.models import ImportRejection, ImportRun, ImportStatus
from marketplace.models_base import utcnow
from marketplace.organizations.models import Organization, OrganizationKind, OrganizationStatus, SizeClass
from tests import factories
from tests.conftest import csrf_token, login
from tests.factories_imports import HEADER, csv_bytes, generated_sheet, invalid_vat, vat, xlsx_bytes
from tests.waiting import wait_until

INDEX = "/banca-dati/importazioni"

# A partner's real-life sheet: Windows-1252, ';', Italian spellings, six good rows and six bad ones.
MIXED_ROWS = [
    ["Trasporti Martesana S.r.l.", "S.r.l.", vat(101), "", "Via Roma 1", "Gorgonzola", "49.41.00", "23",
     "www.trasportimartesana.it", "info@trasportimartesana.it", "02 9512 3456", "Attiva"],
    ["Cooperativa Sociale Il Ponte", "cooperativa sociale di tipo B", vat(102), vat(102), "Via Dante 5",
     "Cassano d'Adda", "88.10", "", "", "", "", "Da contattare"],
    ["Caffè della Città", "srl", vat(103), "", "Piazza della Libertà 3", "CASSANO D’ADDA", "4941", "1.200", "",
     "", "", ""],
    ["Officina Rossi", "ditta individuale", invalid_vat(104), "", "", "Melzo", "", "", "", "", "", ""],
    ["Bergamo Servizi S.p.A.", "SPA", vat(105), "", "", "Bergamo", "", "", "", "", "", ""],
    ["Logistica Nord", "s.n.c.", vat(106), "", "", "Melzo", "99.99.99", "", "", "", "", ""],
    ["Trasporti Martesana (copia)", "srl", vat(101), "", "", "Gorgonzola", "", "", "", "", "", ""],
    ["", "srl", vat(107), "", "", "Melzo", "", "", "", "", "", ""],
    ["Associazione Amici di Inzago", "ETS", "", vat(108), "", "Inzago", "", "4", "", "", "", ""],
    ["=cmd|' /C calc'!A0", "srl", vat(109), "", "", "Atlantide", "", "", "", "", "", ""],
    ["Pulizie Adda coop. soc. A", "coop. soc. A", vat(110), "", "", "cassano dadda", "81.21", "15", "", "", "", ""],
    ["Comune Servizi Milano", "ente pubblico", "", vat(111), "", "015146", "", "", "", "", "", ""],
]  # fmt: skip
MIXED_GOOD = {2, 3, 4, 10, 12, 13}
MIXED_BAD = {
    5: "Partita IVA non valida",
    6: "Comune sconosciuto: «Bergamo»",
    7: "Codice ATECO non valido: «99.99.99»",
    8: "Duplicato nel file: stessa P.IVA della riga 2",
    9: "Manca la ragione sociale",
    11: "Comune sconosciuto: «Atlantide»",
}


def mixed_csv(rows_: list[list[str]] | None = None) -> bytes:
    return csv_bytes(HEADER, rows_ or MIXED_ROWS, encoding="cp1252", delimiter=";")


@pytest.fixture(autouse=True)
def _no_leftover_uploads(app):
    """Files a test stored and no run consumed are removed (the folder is shared with the app)."""
    with app.app_context():
        folder = uploads.upload_root() / services.UPLOAD_KIND
    before = set(folder.iterdir()) if folder.exists() else set()
    yield
    if folder.exists():
        for path in set(folder.iterdir()) - before:
            path.unlink(missing_ok=True)


def stored_files(app) -> set[Path]:
    with app.app_context():
        folder = uploads.upload_root() / services.UPLOAD_KIND
    return set(folder.iterdir()) if folder.exists() else set()


def upload(client, filename: str, data: bytes):
    token = csrf_token(client, INDEX)
    return client.post(
        INDEX, data={"csrf_token": token, "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def start_with_mapping(client, run_id: int, mapping: dict[str, int | str], action: str = "avvia"):
    path = f"{INDEX}/{run_id}/colonne"
    token = csrf_token(client, path)
    form = {f"col_{key}": str(column) for key, column in mapping.items()}
    return client.post(path, data={"csrf_token": token, "azione": action, **form})


def sign_in_partner_admin(client, email: str = "admin.partner@example.org"):
    user = factories.user(Role.PARTNER_ADMIN, email=email)
    login(client, email, factories.PASSWORD)
    return user


def uploaded_run(client, filename: str, data: bytes) -> ImportRun:
    response = upload(client, filename, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    run_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    return db.session.get(ImportRun, run_id)


def import_file(client, filename: str, data: bytes, mapping: dict[str, int] | None = None) -> ImportRun:
    """Upload, map (the guessed columns unless given), start; then run the job here, as a worker would."""
    run = uploaded_run(client, filename, data)
    response = start_with_mapping(client, run.id, mapping or rows.guess_mapping(run.headers))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{run.id}")
    result = import_organizations(run.id)
    assert result is not None
    db.session.expire_all()
    return db.session.get(ImportRun, run.id)


def rejections_of(run: ImportRun) -> dict[int, list[str]]:
    query = select(ImportRejection).where(ImportRejection.run_id == run.id)
    return {item.row_number: item.reasons for item in db.session.scalars(query)}


def organization_by_vat(number: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.vat_number == number))


def organization_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization))


# -- the realistic mixed file -----------------------------------------------------------


def test_mixed_windows_1252_csv_imports_exactly_the_good_rows(client, settings):
    user = sign_in_partner_admin(client)
    before = organization_count()
    run = uploaded_run(client, "aziende partner.csv", mixed_csv())
    assert (run.file_format, run.encoding, run.delimiter) == ("csv", "cp1252", ";")
    assert run.headers == HEADER and run.status == ImportStatus.UPLOADED

    response = start_with_mapping(client, run.id, rows.guess_mapping(run.headers))
    assert response.status_code == 302
    queued = RQDispatcher(settings.redis_url).queue("imports").jobs
    assert [(job.func_name, list(job.args)) for job in queued] == [
        ("jobs.tasks.imports.import_organizations", [run.id])
    ]
    import_organizations(run.id)
    db.session.expire_all()

    assert run.status == ImportStatus.DONE, run.error
    assert (run.total_rows, run.processed_rows) == (12, 12)
    assert (run.created_count, run.updated_count, run.unchanged_count, run.rejected_count) == (6, 0, 0, 6)
    assert organization_count() == before + 6
    rejected = rejections_of(run)
    assert set(rejected) == set(MIXED_BAD)
    for row_number, reason in MIXED_BAD.items():
        assert any(text.startswith(reason) for text in rejected[row_number]), (row_number, rejected[row_number])
    # The original cells are kept with the reasons, as the user typed them.
    first_bad = db.session.scalar(select(ImportRejection).where(ImportRejection.run_id == run.id,
                                                                 ImportRejection.row_number == 5))  # fmt: skip
    assert first_bad.values == MIXED_ROWS[3]
    # Nothing of a bad row reached the database.
    for number in (105, 106, 107, 109):
        assert organization_by_vat(vat(number)) is None

    transport = organization_by_vat(vat(101))
    assert transport.name == "Trasporti Martesana S.r.l." and transport.kind == OrganizationKind.SRL
    assert transport.municipality_code == "015108" and transport.ateco_code == "49.41.00"
    assert (transport.employees, transport.size_class, transport.obligated_68) == (23, SizeClass.SMALL, True)
    assert transport.website == "https://www.trasportimartesana.it" and transport.phone == "+390295123456"
    assert (transport.created_by_user_id, transport.created_by_partner_id) == (user.id, user.partner_id)
    coop = organization_by_vat(vat(102))
    assert coop.kind == OrganizationKind.SOCIAL_COOP_B and coop.status == OrganizationStatus.PROSPECT
    assert coop.municipality_code == "015059" and coop.tax_code == vat(102)
    cafe = organization_by_vat(vat(103))
    assert cafe.name == "Caffè della Città" and cafe.municipality_code == "015059"  # curly apostrophe, capitals
    assert cafe.ateco_code == "49.41" and cafe.employees == 1200
    association = db.session.scalar(select(Organization).where(Organization.tax_code == vat(108)))
    assert association.kind == OrganizationKind.ASSOCIATION and association.vat_number is None
    cleaning = organization_by_vat(vat(110))
    assert cleaning.kind == OrganizationKind.SOCIAL_COOP_A and cleaning.municipality_code == "015059"
    public_body = db.session.scalar(select(Organization).where(Organization.tax_code == vat(111)))
    assert public_body.kind == OrganizationKind.PUBLIC_BODY and public_body.municipality_code == "015146"

    # The stored upload is removed once the run is over: only the rejected rows remain.
    with pytest.raises(uploads.StoredFileMissing):
        uploads.open_stored(services.UPLOAD_KIND, run.file_key)

    page = client.get(f"{INDEX}/{run.id}").get_data(as_text=True)
    assert "Nuove organizzazioni: 6" in page and "Righe scartate: 6" in page
    assert "Duplicato nel file: stessa P.IVA della riga 2" in page
    assert 'role="progressbar"' not in page  # finished: no progress bar any more


def test_reimporting_the_same_file_creates_nothing(client):
    sign_in_partner_admin(client)
    first = import_file(client, "aziende.csv", mixed_csv())
    count = organization_count()
    second = import_file(client, "aziende.csv", mixed_csv())
    assert second.status == ImportStatus.DONE
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 6)
    assert second.rejected_count == first.rejected_count == 6
    assert organization_count() == count
    duplicates = db.session.execute(
        select(Organization.vat_number).where(Organization.vat_number.is_not(None))
        .group_by(Organization.vat_number).having(func.count() > 1)
    ).all()  # fmt: skip
    assert duplicates == []


def test_a_changed_row_updates_the_record_and_the_audit_log_names_the_import(client):
    user = sign_in_partner_admin(client)
    import_file(client, "aziende.csv", mixed_csv())
    transport = organization_by_vat(vat(101))
    changed = [list(row) for row in MIXED_ROWS]
    changed[0][7] = "40"  # employees
    changed[0][9] = "direzione@trasportimartesana.it"
    run = import_file(client, "aziende-aggiornate.csv", mixed_csv(changed))
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 5)

    db.session.refresh(transport)
    assert transport.employees == 40 and transport.email == "direzione@trasportimartesana.it"
    assert transport.size_class == SizeClass.SMALL
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "organization", AuditEntry.subject_id == transport.id,
                                 AuditEntry.action == "update")
    ).all()  # fmt: skip
    changes = {entry.field: (entry.old_value, entry.new_value) for entry in entries}
    assert changes == {"employees": ("23", "40"), "email": ("info@trasportimartesana.it",
                                                             "direzione@trasportimartesana.it")}  # fmt: skip
    assert {entry.source for entry in entries} == {f"importazione n. {run.id}"}
    assert {(entry.actor_id, entry.actor_partner_id) for entry in entries} == {(user.id, user.partner_id)}
    created = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity_id == transport.id, AuditEntry.action == "create")
    )
    assert created.source.startswith("importazione n. ") and created.source != f"importazione n. {run.id}"


def test_empty_cells_never_erase_stored_data(client):
    sign_in_partner_admin(client)
    import_file(client, "aziende.csv", mixed_csv())
    blanked = [list(row) for row in MIXED_ROWS]
    blanked[0][8:12] = ["", "", "", ""]  # website, email, phone, status
    run = import_file(client, "aziende.csv", mixed_csv(blanked))
    assert run.updated_count == 0
    transport = organization_by_vat(vat(101))
    assert transport.website == "https://www.trasportimartesana.it" and transport.phone == "+390295123456"


def test_xlsx_with_numeric_cells_and_its_own_header_names(client):
    sign_in_partner_admin(client)
    header = ["Denominazione", "Partita IVA", "Codice ISTAT", "Codice ATECO", "Addetti", "Telefono referente",
              "Natura giuridica"]  # fmt: skip
    data_rows = [
        # Excel keeps identifiers typed as numbers: leading zeros are gone (P.IVA 0…, ISTAT 015…).
        ["Officine Adda", int(vat(123_456)), 15108, 4941, 12, 3331234567, "S.r.l."],
        ["Sartoria Naviglio", vat(202), "015070", "47.11", 3.0, "02 1234 5678", "sas"],
        ["Panificio Martesana", invalid_vat(203), 15142, "", "", "", ""],
        ["Verde Insieme", vat(204), 16024, "", "", "", "cooperativa sociale di tipo B"],  # 016024 is Bergamo
        ["Meccanica Est", vat(205), 15142, "12.34.56", "", "", ""],
        ["Officine Adda bis", vat(123_456), 15142, "", "", "", ""],
        [None, vat(206), 15142, "", "", "", ""],
        ["Tipografia Nord", vat(207), 15142, "", "dodici", "", ""],
        ["Impianti Inzago", vat(208), 15114, "", "", "", "cooperativa sociale"],
    ]
    run = uploaded_run(client, "elenco.xlsx", xlsx_bytes(header, data_rows))
    assert run.file_format == "xlsx" and run.headers == header
    guessed = rows.guess_mapping(run.headers)
    assert guessed == {"name": 0, "vat_number": 1, "municipality_code": 2, "ateco_code": 3, "employees": 4,
                       "phone": 5, "kind": 6}  # fmt: skip
    response = start_with_mapping(client, run.id, guessed)
    assert response.status_code == 302
    import_organizations(run.id)
    db.session.expire_all()
    outcome = (run.status, run.created_count, run.rejected_count)
    assert outcome == (ImportStatus.DONE, 2, 7), (run.error, rejections_of(run))
    officine = organization_by_vat(vat(123_456))
    assert vat(123_456).startswith("0")
    assert officine.municipality_code == "015108" and officine.ateco_code == "49.41"
    assert officine.phone == "+393331234567" and officine.employees == 12 and officine.kind == OrganizationKind.SRL
    assert organization_by_vat(vat(202)).employees == 3
    rejected = rejections_of(run)
    assert rejected[4][0].startswith("Partita IVA non valida")
    assert rejected[5] == ["Codice ISTAT sconosciuto: «16024»."]
    assert rejected[6][0].startswith("Codice ATECO non valido")
    assert rejected[7] == ["Duplicato nel file: stessa P.IVA della riga 2."]
    assert rejected[8] == ["Manca la ragione sociale."]
    assert rejected[9] == ["Numero di dipendenti non valido: «dodici»."]
    assert rejected[10] == ["Cooperativa sociale: indica se è di tipo A o di tipo B."]


def test_utf8_csv_with_commas_and_bom(client):
    sign_in_partner_admin(client)
    data = "\ufeff".encode() + csv_bytes(
        ["Ragione sociale", "P.IVA", "Comune"],
        [["Rossi, Bianchi & C. S.n.c.", vat(301), "Trezzo sull'Adda"], ["Città Verde", vat(302), "Vaprio d’Adda"]],
        encoding="utf-8", delimiter=",",
    )  # fmt: skip
    run = import_file(client, "utf8.csv", data)
    assert (run.encoding, run.delimiter) == ("utf-8-sig", ",")
    assert run.headers[0] == "Ragione sociale"  # no BOM glued to the first header
    assert run.created_count == 2 and run.rejected_count == 0
    assert organization_by_vat(vat(301)).name == "Rossi, Bianchi & C. S.n.c."
    assert organization_by_vat(vat(302)).name == "Città Verde"


def test_identifiers_of_two_different_organisations_are_rejected_not_crashed(client):
    sign_in_partner_admin(client)
    first = factories.organization("Prima S.r.l.", vat_number=vat(401))
    second = factories.organization("Seconda S.r.l.", tax_code=vat(402))
    data = csv_bytes(["Ragione sociale", "P.IVA", "Codice fiscale", "Comune"],
                     [["Unione", vat(401), vat(402), "Melzo"]])  # fmt: skip
    run = import_file(client, "conflitto.csv", data)
    assert run.status == ImportStatus.DONE and run.rejected_count == 1
    (reasons,) = rejections_of(run).values()
    assert "organizzazioni diverse" in reasons[0] and f"n. {first.id}" in reasons[0] and f"n. {second.id}" in reasons[0]
    db.session.refresh(first)
    assert first.tax_code is None and first.name == "Prima S.r.l."


def test_a_clash_with_a_concurrent_writer_rejects_that_row_and_keeps_the_rest(client, monkeypatch):
    """Someone else writes the same identifiers after the batch looked them up: the unique index decides."""
    sign_in_partner_admin(client)
    taken = factories.organization("Già Presente S.r.l.", vat_number=vat(501))
    other = factories.organization("Altra S.r.l.", tax_code=vat(502))
    # The batch's lookup misses them, as if they were committed a moment after it ran.
    monkeypatch.setattr(services, "_existing_by_identifier", lambda candidates: {})
    data = csv_bytes(["Ragione sociale", "P.IVA", "Codice fiscale", "Comune"], [
        ["Nuova Uno", vat(503), "", "Melzo"],
        ["Già Presente S.r.l.", vat(501), "", "Melzo"],
        ["Scontro", vat(501), vat(502), "Melzo"],
        ["Nuova Due", vat(504), "", "Melzo"],
    ])  # fmt: skip
    run = import_file(client, "concorrenza.csv", data, mapping={"name": 0, "vat_number": 1, "tax_code": 2,
                                                                 "municipality": 3})  # fmt: skip
    assert run.status == ImportStatus.DONE, run.error
    # Row 3 repeats row 2's P.IVA; row 2 clashes with the database and is redone as an update.
    assert (run.created_count, run.updated_count, run.unchanged_count, run.rejected_count) == (2, 1, 0, 1)
    assert organization_by_vat(vat(503)) and organization_by_vat(vat(504))
    db.session.refresh(taken)
    db.session.refresh(other)
    assert taken.municipality_code == "015142" and taken.tax_code is None and other.vat_number is None
    assert organization_count() == 4


def test_a_clash_found_only_by_the_unique_index_is_a_rejected_row(client, monkeypatch):
    sign_in_partner_admin(client)
    factories.organization("Prima S.r.l.", vat_number=vat(601))
    factories.organization("Seconda S.r.l.", tax_code=vat(602))
    monkeypatch.setattr(services, "_existing_by_identifier", lambda candidates: {})
    data = csv_bytes(["Ragione sociale", "P.IVA", "Codice fiscale", "Comune"], [
        ["Buona", vat(603), "", "Melzo"],
        ["Scontro", vat(601), vat(602), "Melzo"],
    ])  # fmt: skip
    run = import_file(client, "scontro.csv", data, mapping={"name": 0, "vat_number": 1, "tax_code": 2,
                                                             "municipality": 3})  # fmt: skip
    assert run.status == ImportStatus.DONE
    assert (run.created_count, run.rejected_count) == (1, 1)
    assert rejections_of(run)[3] == [
        "La partita IVA o il codice fiscale sono già usati da un'altra organizzazione: riga non importata."
    ]


# -- the upload check ---------------------------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 8


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("programma.csv", EXE, "Il file non è un CSV di testo"),
        ("programma.xlsx", EXE, "Il file non è un foglio Excel .xlsx valido"),
        ("foglio.xls", b"\xd0\xcf\x11\xe0" + bytes(500), "Sono accettati solo file"),
        ("vuoto.csv", b"", "Il file è vuoto."),
        ("finto.xlsx", xlsx_bytes(["a"], [["b"]]).replace(b"[Content_Types].xml", b"[Content_Typez].xml"),
         "Il file non è un foglio Excel .xlsx valido"),
        ("utf16.csv", "Ragione sociale;P.IVA\r\n".encode("utf-16"), "Il file non è un CSV di testo"),
    ],
)  # fmt: skip
def test_files_that_are_not_spreadsheets_are_refused_and_not_stored(client, app, filename, data, message):
    sign_in_partner_admin(client)
    before_files = stored_files(app)
    before_runs = db.session.scalar(select(func.count()).select_from(ImportRun))
    response = upload(client, filename, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert stored_files(app) == before_files
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == before_runs


def test_a_body_over_the_size_limit_gets_the_italian_413_page(client, app):
    sign_in_partner_admin(client)
    before_files = stored_files(app)
    token = csrf_token(client, INDEX)
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = b"Ragione sociale;P.IVA;Comune\r\n" + b"x" * limit
    response = client.post(INDEX, data={"csrf_token": token, "file": (io.BytesIO(big), "grande.csv")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 413
    assert "File troppo grande" in response.get_data(as_text=True)
    assert stored_files(app) == before_files


def test_a_file_damaged_below_its_header_fails_before_writing_anything(client):
    sign_in_partner_admin(client)
    data = csv_bytes(["Ragione sociale", "P.IVA", "Comune"], [["Buona", vat(701), "Melzo"]])
    data += b"x" * 200_000 + b";1;Melzo\r\n"  # a cell longer than any CSV reader accepts, on row 3
    run = uploaded_run(client, "rotto.csv", data)  # the upload check reads the header only
    page = client.get(f"{INDEX}/{run.id}/colonne").get_data(as_text=True)
    assert "Il file non si può leggere dopo la riga 2: è danneggiato o incompleto." in page
    response = start_with_mapping(client, run.id, {"name": 0, "vat_number": 1, "municipality": 2})
    assert response.status_code == 302
    import_organizations(run.id)
    db.session.expire_all()
    assert run.status == ImportStatus.FAILED
    assert run.error == "Il file non si può leggere dopo la riga 2: è danneggiato o incompleto."
    assert organization_by_vat(vat(701)) is None  # the rows before the damage were not imported either


def test_detection_of_encoding_and_separator():
    assert reading.detect_encoding("Città;Comune".encode("cp1252")) == "cp1252"
    assert reading.detect_encoding("Città;Comune".encode()) == "utf-8"
    assert reading.detect_encoding("\ufeffCittà".encode()) == "utf-8-sig"
    assert reading.detect_delimiter("Nome;P.IVA;Comune\nRossi, Bianchi;123;Melzo\n") == ";"
    assert reading.detect_delimiter('Nome,P.IVA,Comune\n"Rossi; Bianchi",123,Melzo\n') == ","
    assert reading.detect_delimiter("Nome;P.IVA\n") == ";"


# -- the column mapping ----------------------------------------------------------------------


def test_mapping_page_guesses_columns_and_previews_rows_with_their_problems(client):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    page = client.get(f"{INDEX}/{run.id}/colonne").get_data(as_text=True)
    assert '<option selected value="2">C · P.IVA</option>' in page
    assert "Trasporti Martesana S.r.l." in page and "Gorgonzola (015108)" in page
    assert "Comune sconosciuto: «Bergamo»" in page
    assert "Duplicato nel file: stessa P.IVA della riga 2" in page
    # The first ten data rows are rows 2-11: four good, six bad.
    assert page.count("Nuova organizzazione") == 4 and page.count("Sarà scartata") == 6


def test_preview_announces_an_update_of_an_existing_organisation(client):
    sign_in_partner_admin(client)
    factories.organization("Trasporti Martesana S.r.l.", vat_number=vat(101))
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    page = client.get(f"{INDEX}/{run.id}/colonne").get_data(as_text=True)
    assert "Aggiornerà «Trasporti Martesana S.r.l.»" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Indica la colonna con la ragione sociale."),
        ({"vat_number": "", "tax_code": ""}, "Indica la colonna della partita IVA o quella del codice fiscale"),
        ({"municipality": ""}, "Indica la colonna del comune o quella del codice ISTAT"),
        ({"address": 0}, "La stessa colonna è indicata per più campi: Ragione sociale, Indirizzo."),
        ({"name": 99}, "Una delle colonne indicate non esiste nel file."),
        ({"name": "nome"}, "Indica la colonna con la ragione sociale."),
    ],
)
def test_a_bad_mapping_is_explained_and_nothing_is_queued(client, settings, change, message):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    mapping: dict = {**rows.guess_mapping(run.headers), **change}
    response = start_with_mapping(client, run.id, mapping)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "L'importazione non è stata avviata" in page and str(escape(message)) in page
    db.session.refresh(run)
    assert run.status == ImportStatus.UPLOADED and run.mapping == {}
    assert RQDispatcher(settings.redis_url).queue("imports").count == 0


def test_preview_action_does_not_start(client, settings):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    response = start_with_mapping(client, run.id, {"name": 0, "vat_number": 2, "municipality": 5}, action="anteprima")
    assert response.status_code == 200
    db.session.refresh(run)
    assert run.status == ImportStatus.UPLOADED
    assert RQDispatcher(settings.redis_url).queue("imports").count == 0


def test_a_started_run_cannot_be_remapped_or_run_twice(client):
    sign_in_partner_admin(client)
    run = import_file(client, "aziende.csv", mixed_csv())
    response = client.get(f"{INDEX}/{run.id}/colonne")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{INDEX}/{run.id}")
    assert import_organizations(run.id) is None  # a second delivery of the job finds it already done
    db.session.refresh(run)
    assert run.created_count == 6


# -- status, progress and the report ---------------------------------------------------------


def test_status_json_follows_the_run(client):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    start_with_mapping(client, run.id, rows.guess_mapping(run.headers))
    queued = client.get(f"{INDEX}/{run.id}/stato.json")
    assert queued.get_json() == {"status": "queued", "label": "In coda", "processed": 0, "total": 0, "percent": 0,
                                 "finished": False}  # fmt: skip
    assert queued.headers["Cache-Control"] == "no-store"
    page = client.get(f"{INDEX}/{run.id}").get_data(as_text=True)
    assert 'role="progressbar"' in page and 'aria-live="polite"' in page and "js/job-progress.js" in page
    import_organizations(run.id)
    db.session.expire_all()  # the test shares its session with the requests; the job used its own
    done = client.get(f"{INDEX}/{run.id}/stato.json").get_json()
    assert done == {"status": "done", "label": "Completato", "processed": 12, "total": 12, "percent": 100,
                    "finished": True}  # fmt: skip


def test_progress_is_committed_batch_by_batch(client, app, monkeypatch):
    """processed_rows is saved with every batch and the job's progress follows it."""
    sign_in_partner_admin(client)
    monkeypatch.setattr(services, "BATCH_SIZE", 10)
    sheet = generated_sheet(45, bad_share=0.1, first_vat=7000)
    run = uploaded_run(client, "progress.csv", csv_bytes(sheet.header, sheet.rows))
    start_with_mapping(client, run.id, rows.guess_mapping(run.headers))
    seen: list[tuple[int, int]] = []
    original = services._import_batch

    def spy(*args, **kwargs):
        counts = original(*args, **kwargs)
        seen.append((args[0].processed_rows, args[0].total_rows))
        return counts

    monkeypatch.setattr(services, "_import_batch", spy)
    reported: list[tuple] = []
    services.execute(run.id, progress=lambda *a, **k: reported.append((*a, k.get("done", False))))
    assert seen == [(0, 45), (10, 45), (20, 45), (30, 45), (40, 45)]
    assert reported == [(0, 45, False), (10, 45, False), (20, 45, False), (30, 45, False), (40, 45, False),
                        (45, 45, False), (45, 45, True)]  # fmt: skip


def test_rejected_rows_download_as_csv_and_xlsx_with_formulas_escaped(client):
    sign_in_partner_admin(client)
    run = import_file(client, "aziende.csv", mixed_csv())
    response = client.get(f"{INDEX}/{run.id}/scarti.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="scarti-importazione-{run.id}.csv"'
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert table[0] == [*HEADER, "Riga", "Motivo"]
    assert [int(row[-2]) for row in table[1:]] == sorted(MIXED_BAD)
    formula_row = next(row for row in table if row[-2] == "11")
    assert formula_row[0] == "'=cmd|' /C calc'!A0"
    assert formula_row[-1].startswith("Comune sconosciuto: «Atlantide»")
    assert table[1][:12] == MIXED_ROWS[3]

    response = client.get(f"{INDEX}/{run.id}/scarti.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [*HEADER, "Riga", "Motivo"]
    formula_cell = next(row for row in sheet.iter_rows() if row[12].value == 11)[0]
    assert formula_cell.value == "=cmd|' /C calc'!A0" and formula_cell.data_type == "s"


def test_long_rejection_lists_are_paginated(client, monkeypatch):
    sign_in_partner_admin(client)
    bad_rows = [[f"Impresa {n}", invalid_vat(800 + n), "Melzo"] for n in range(60)]
    run = import_file(client, "scarti.csv", csv_bytes(["Ragione sociale", "P.IVA", "Comune"], bad_rows))
    assert run.rejected_count == 60
    first = client.get(f"{INDEX}/{run.id}").get_data(as_text=True)
    second = client.get(f"{INDEX}/{run.id}?pagina=2").get_data(as_text=True)
    assert "Impresa 0<" in first and "Impresa 49<" in first and "Impresa 50<" not in first
    assert "Impresa 50<" in second and "Impresa 59<" in second and "Impresa 0<" not in second
    assert "Righe scartate, da 51 a 60 di 60" in second
    assert client.get(f"{INDEX}/{run.id}?pagina=abc").status_code == 200


def test_an_unreadable_stored_file_fails_the_run_with_an_italian_error(client, app):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.xlsx", xlsx_bytes(HEADER, MIXED_ROWS))
    start_with_mapping(client, run.id, rows.guess_mapping(run.headers))
    path = uploads.open_stored(services.UPLOAD_KIND, run.file_key)
    path.write_bytes(path.read_bytes()[:600])  # truncated on disk after the upload check
    import_organizations(run.id)
    db.session.expire_all()
    assert run.status == ImportStatus.FAILED and run.created_count == 0
    assert "Il file non è un foglio Excel .xlsx valido" in run.error or "danneggiato" in run.error
    page = client.get(f"{INDEX}/{run.id}").get_data(as_text=True)
    assert "L'importazione non è riuscita." in page


def test_a_missing_stored_file_fails_the_run(client):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    start_with_mapping(client, run.id, rows.guess_mapping(run.headers))
    uploads.delete_stored(services.UPLOAD_KIND, run.file_key)
    import_organizations(run.id)
    db.session.expire_all()
    assert run.status == ImportStatus.FAILED
    assert run.error == "Il file caricato non è più disponibile: caricalo di nuovo."


def test_a_queued_run_whose_job_was_lost_is_sent_again_from_its_page(client, settings):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    start_with_mapping(client, run.id, rows.guess_mapping(run.headers))
    queue = RQDispatcher(settings.redis_url).queue("imports")
    queue.empty()  # as if Redis had been down when the run was started
    assert client.get(f"{INDEX}/{run.id}/stato.json").get_json()["status"] == "queued"
    assert queue.count == 0  # not stalled yet: nothing is sent
    run.updated_at = utcnow() - services.STALLED_QUEUED - timedelta(seconds=5)
    db.session.commit()
    assert client.get(f"{INDEX}/{run.id}/stato.json").get_json()["status"] == "queued"
    assert [list(job.args) for job in queue.jobs] == [[run.id]]
    client.get(f"{INDEX}/{run.id}")
    assert queue.count == 1  # once per period, however often the page polls
    import_organizations(run.id)
    db.session.expire_all()
    assert run.status == ImportStatus.DONE and run.created_count == 6


def test_a_run_whose_worker_died_is_closed_with_an_explanation(client, app):
    sign_in_partner_admin(client)
    run = uploaded_run(client, "aziende.csv", mixed_csv())
    start_with_mapping(client, run.id, rows.guess_mapping(run.headers))
    run.status = ImportStatus.RUNNING
    run.processed_rows = 5
    db.session.commit()
    assert client.get(f"{INDEX}/{run.id}/stato.json").get_json()["status"] == "running"
    run.updated_at = utcnow() - services.STALLED_RUNNING - timedelta(seconds=5)
    db.session.commit()
    state = client.get(f"{INDEX}/{run.id}/stato.json").get_json()
    assert state["status"] == "failed" and state["finished"]
    db.session.expire_all()
    assert "carica di nuovo lo stesso file" in run.error
    with pytest.raises(uploads.StoredFileMissing):
        uploads.open_stored(services.UPLOAD_KIND, run.file_key)
    assert import_organizations(run.id) is None  # a late delivery does nothing


# -- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COMPANY, Role.CANDIDATE])
def test_other_roles_cannot_import(client, app, role):
    email = f"import-{role.value}@example.org"
    factories.user(role, email=email)
    login(client, email, factories.PASSWORD)
    before_files = stored_files(app)
    assert client.get(INDEX).status_code == 403
    token = csrf_token(client, "/area-personale")
    response = client.post(INDEX, data={"csrf_token": token, "file": (io.BytesIO(mixed_csv()), "a.csv")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 403
    assert stored_files(app) == before_files
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in (INDEX, f"{INDEX}/1", f"{INDEX}/1/colonne", f"{INDEX}/1/stato.json", f"{INDEX}/1/scarti.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"], path


def test_roles_on_someone_elses_run(client):
    owner = sign_in_partner_admin(client, "owner@example.org")
    run = import_file(client, "aziende.csv", mixed_csv())
    other_run = uploaded_run(client, "altro.csv", mixed_csv())
    client.delete_cookie("session")

    # A partner_admin of another partner: the runs do not exist for them.
    factories.user(Role.PARTNER_ADMIN, email="other@example.org")
    login(client, "other@example.org", factories.PASSWORD)
    for path in (f"{INDEX}/{run.id}", f"{INDEX}/{run.id}/stato.json", f"{INDEX}/{run.id}/scarti.csv",
                 f"{INDEX}/{run.id}/scarti.xlsx", f"{INDEX}/{other_run.id}/colonne"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    assert start_with_mapping(client, other_run.id, {"name": 0}).status_code == 404
    assert "aziende.csv" not in client.get(INDEX).get_data(as_text=True)
    client.delete_cookie("session")

    # A colleague of the same partner sees them; so does an admin.
    factories.user(Role.PARTNER_ADMIN, email="colleague@example.org", partner_id=owner.partner_id)
    login(client, "colleague@example.org", factories.PASSWORD)
    assert client.get(f"{INDEX}/{run.id}").status_code == 200
    assert "aziende.csv" in client.get(INDEX).get_data(as_text=True)
    client.delete_cookie("session")
    factories.user(Role.ADMIN, email="root@example.org")
    login(client, "root@example.org", factories.PASSWORD)
    assert client.get(f"{INDEX}/{run.id}/scarti.csv").status_code == 200
    assert "aziende.csv" in client.get(INDEX).get_data(as_text=True)


def test_operators_cannot_read_runs_or_reports(client):
    sign_in_partner_admin(client, "owner2@example.org")
    run = import_file(client, "aziende.csv", mixed_csv())
    client.delete_cookie("session")
    factories.user(Role.OPERATOR, email="op@example.org")
    login(client, "op@example.org", factories.PASSWORD)
    for path in (f"{INDEX}/{run.id}", f"{INDEX}/{run.id}/stato.json", f"{INDEX}/{run.id}/scarti.csv"):
        assert client.get(path).status_code == 403, path


def test_can_view_run_rule():
    class Stub:
        is_authenticated = True

        def __init__(self, role, user_id, partner_id):
            self.role, self.id, self.partner_id = role, user_id, partner_id

    run = ImportRun(user_id=1, partner_id=10)
    assert services.can_view_run(Stub(Role.ADMIN, 99, None), run)
    assert services.can_view_run(Stub(Role.PARTNER_ADMIN, 2, 10), run)
    assert services.can_view_run(Stub(Role.PARTNER_ADMIN, 1, None), run)
    assert not services.can_view_run(Stub(Role.PARTNER_ADMIN, 3, 11), run)
    assert not services.can_view_run(Stub(Role.OPERATOR, 4, 10), run)
    assert not services.can_view_run(Stub(Role.COMPANY, 1, 10), run)


# -- a real worker ------------------------------------------------------------------------------


WORKER_ROWS = 3_000  # 10k rows on a real worker: benchmarks/import_organizations.py (about 20 s)


@pytest.mark.worker
def test_a_real_worker_imports_thousands_of_rows(app, committed, settings, start_worker):
    user = factories.user(Role.PARTNER_ADMIN, email="worker.import@example.org")
    db.session.commit()
    client = app.test_client()
    login(client, "worker.import@example.org", factories.PASSWORD)
    sheet = generated_sheet(WORKER_ROWS, first_vat=20_000)
    run = uploaded_run(client, "aziende.xlsx", xlsx_bytes(sheet.header, sheet.rows))
    run_id = run.id
    start_worker("imports", "--no-scheduler")
    response = start_with_mapping(client, run_id, rows.guess_mapping(run.headers))
    assert response.status_code == 302

    def finished() -> bool:
        db.session.expire_all()
        return db.session.get(ImportRun, run_id).status in services.FINISHED

    wait_until(finished, 240)
    run = db.session.get(ImportRun, run_id)
    assert run.status == ImportStatus.DONE, run.error
    assert (run.total_rows, run.processed_rows) == (WORKER_ROWS, WORKER_ROWS)
    assert run.created_count == sheet.good_count and run.rejected_count == len(sheet.bad)
    assert db.session.scalar(select(func.count()).select_from(Organization)) == sheet.good_count
    reasons = rejections_of(run)
    for row_number, reason in sheet.bad.items():
        assert reasons[row_number][0].startswith(reason), (row_number, reasons[row_number])
    # The worker recorded its job id and left the final progress in the job's meta.
    job = Job.fetch(run.job_id, connection=app.extensions["jobs"].connection, serializer=JSONSerializer)
    assert job.meta["progress"] == {"current": WORKER_ROWS, "total": WORKER_ROWS, "done": True}
    sources = db.session.scalars(
        select(AuditEntry.source).where(AuditEntry.subject_type == "organization").distinct()
    ).all()
    assert sources == [f"importazione n. {run_id}"]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == user.id))


# -- embedded mode: no Redis, the job runs in-process right after the commit that starts it -------


def test_embedded_mode_imports_in_process(embedded_app):
    assert embedded_app.config["SETTINGS"].embedded
    client = embedded_app.test_client()
    assert login(client, "embedded.staff@example.org", factories.PASSWORD).status_code == 302
    response = upload(client, "aziende.xlsx", xlsx_bytes(HEADER, MIXED_ROWS))
    assert response.status_code == 302
    run_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    with embedded_app.app_context():
        headers = db.session.get(ImportRun, run_id).headers
        db.session.remove()
    # The job runs inside this request, once its commit has queued it.
    response = start_with_mapping(client, run_id, rows.guess_mapping(headers))
    assert response.status_code == 302
    status = client.get(f"{INDEX}/{run_id}/stato.json").get_json()
    assert status["status"] == "done" and status["processed"] == 12
    page = client.get(f"{INDEX}/{run_id}").get_data(as_text=True)
    assert "Nuove organizzazioni: 6" in page and "Comune sconosciuto: «Bergamo»" in page
    with embedded_app.app_context():
        assert organization_count() == 6
        sources = db.session.scalars(select(AuditEntry.source).distinct()).all()
        assert sources == [f"importazione n. {run_id}"]
        db.session.remove()
    report = client.get(f"{INDEX}/{run_id}/scarti.csv").get_data().decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in report
