"""Long exports of the company database: asked for on the list, written by a job, downloaded by their asker."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from jobs.dispatch import RQDispatcher
from marketplace.accounts.models import Role
from marketplace.common import uploads
from marketplace.exports import services
from marketplace.exports.models import ExportRun, ExportStatus
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.organizations.models import OrganizationKind
from tests import factories
from tests.conftest import EMBEDDED_STAFF_EMAIL, csrf_token, login
from tests.test_organization_list import backend, index  # noqa: F401
from tests.waiting import wait_until

LIST = "/banca-dati/organizzazioni"
EXPORTS = "/banca-dati/esportazioni"


def signed_in(client, role: Role, locale: str | None = None):
    user = factories.user(role)
    user.locale = locale
    db.session.flush()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return user


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def srl(backend, db_session):  # noqa: F811
    """Twelve companies of one kind, one named like a formula, and one of another kind."""
    orgs = [factories.organization(f"Impresa Adda {n:02d}", kind=OrganizationKind.SRL) for n in range(11)]
    orgs.insert(0, factories.organization('=HYPERLINK("http://example.org";"clic")', kind=OrganizationKind.SRL))
    other = factories.organization("Cooperativa Fuori Elenco", kind=OrganizationKind.SOCIAL_COOP_A)
    index(backend, *orgs, other)
    return orgs


@pytest.fixture
def short_inline(app):
    """Lists longer than five rows go to the background."""
    app.config["EXPORT_INLINE_LIMIT"] = 5
    yield
    del app.config["EXPORT_INLINE_LIMIT"]


def ask(client, file_format: str | None, query_string: str = "kind=srl&sort=name", **extra):
    data = {"csrf_token": csrf_token(client, f"{LIST}?{query_string}"), "query_string": query_string, **extra}
    if file_format is not None:
        data["file_format"] = file_format
    return client.post(f"{LIST}/esporta", data=data)


def run_of(response) -> ExportRun:
    match = re.fullmatch(rf"{EXPORTS}/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return db.session.get(ExportRun, int(match.group(1)))


def run_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ExportRun))


# -- the list offers it ------------------------------------------------------------------


def test_a_long_list_is_exported_in_the_background_a_short_one_at_once(app, client, srl):
    signed_in(client, Role.OPERATOR)
    page = client.get(f"{LIST}?kind=srl").get_data(as_text=True)
    assert "/export.csv?kind=srl" in page and 'form="export-request"' not in page

    app.config["EXPORT_INLINE_LIMIT"] = 5
    try:
        page = client.get(f"{LIST}?kind=srl&sort=name").get_data(as_text=True)
    finally:
        del app.config["EXPORT_INLINE_LIMIT"]
    assert 'form="export-request"' in page and "/export.csv?" not in page
    assert "il file viene preparato in background" in page
    assert 'name="query_string" type="hidden" value="kind=srl&amp;sort=name"' in page


# -- the job writes it ---------------------------------------------------------------------


def test_a_background_export_has_the_whole_list_in_its_order(app, client, srl, short_inline, settings):
    user = signed_in(client, Role.OPERATOR)
    response = ask(client, "csv")
    assert response.status_code == 302
    run = run_of(response)
    assert (run.user_id, run.subject, run.file_format, run.status) == (user.id, "organizations", "csv", "queued")
    assert run.query_string == "kind=srl&sort=name" and run.locale == "it"
    queued = RQDispatcher(settings.redis_url).queue("exports").jobs
    assert [(job.func_name, job.args) for job in queued] == [("jobs.tasks.exports.write_export", [run.id])]
    assert "In coda" in client.get(f"{EXPORTS}/{run.id}").get_data(as_text=True)

    assert services.execute(run.id).status == ExportStatus.DONE  # what the worker runs
    assert services.execute(run.id) is None  # a second delivery finds it taken
    page = client.get(f"{EXPORTS}/{run.id}").get_data(as_text=True)
    assert "Pronta" in page and "Il file contiene 12 organizzazioni." in page
    download = client.get(f"{EXPORTS}/{run.id}/file")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    rows = csv_rows(download.get_data())
    assert rows[0][:2] == ["ID", "Denominazione"]
    assert [row[1] for row in rows[1:]] == ["'" + srl[0].name] + [org.name for org in srl[1:]]
    assert client.get(f"{EXPORTS}/{run.id}/stato.json").get_json() == {
        "status": "done", "label": "Pronta", "processed": 12, "total": 12, "percent": 100, "finished": True,
    }  # fmt: skip


def test_an_excel_export_keeps_formulas_as_text_and_speaks_its_askers_language(client, srl, short_inline):
    signed_in(client, Role.PARTNER_ADMIN, locale="en")
    run = run_of(ask(client, "xlsx"))
    assert run.locale == "en"
    services.execute(run.id)
    download = client.get(f"{EXPORTS}/{run.id}/file")
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(download.get_data())).active
    assert sheet.title == "Organisations" and sheet.cell(1, 2).value == "Name"
    assert sheet.cell(2, 2).value == srl[0].name and sheet.cell(2, 2).data_type == "s"
    assert sheet.max_row == 13
    assert "The file holds 12 organisations." in client.get(f"{EXPORTS}/{run.id}").get_data(as_text=True)


def test_progress_moves_while_the_rows_are_written(client, srl, short_inline, monkeypatch):
    signed_in(client, Role.OPERATOR)
    run = run_of(ask(client, "csv"))
    monkeypatch.setattr(services, "PROGRESS_EVERY", 5)
    seen: list[tuple[int, int | None]] = []

    def progress(current, total=None, *, done=False):
        seen.append((current, total))
        stored = db.session.get(ExportRun, run.id)
        assert (stored.processed_rows, stored.total_rows) == (current, total)  # the page reads the same

    services.execute(run.id, progress=progress)
    assert seen == [(0, 12), (5, 12), (10, 12), (12, 12)]


def test_when_search_is_down_the_export_fails_with_a_message(app, client, srl, short_inline, monkeypatch):
    from search.elastic import ElasticBackend

    signed_in(client, Role.OPERATOR)
    run = run_of(ask(client, "csv"))
    monkeypatch.setitem(app.extensions, "search", ElasticBackend("http://127.0.0.1:9", index_prefix="nowhere"))
    assert services.execute(run.id).status == ExportStatus.FAILED
    page = client.get(f"{EXPORTS}/{run.id}").get_data(as_text=True)
    assert "esportazione non è riuscita." in page and "La ricerca non è disponibile" in page
    assert client.get(f"{EXPORTS}/{run.id}/file").status_code == 404
    assert db.session.get(ExportRun, run.id).file_key is None


# -- bad requests change nothing -------------------------------------------------------


@pytest.mark.parametrize("file_format", [None, "pdf", ""])
def test_an_export_without_a_known_format_is_refused_with_a_message(client, srl, file_format):
    signed_in(client, Role.OPERATOR)
    response = ask(client, file_format)
    assert response.status_code == 302 and response.headers["Location"] == f"{LIST}?kind=srl&sort=name"
    assert "Scegli il formato dell&#39;esportazione" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert run_count() == 0


def test_an_export_of_an_overlong_list_address_is_refused_with_a_message(client, srl):
    signed_in(client, Role.OPERATOR)
    response = ask(client, "csv", query_string="kind=srl&q=" + "x" * 5000)
    assert response.status_code == 302 and response.headers["Location"] == LIST
    assert "I filtri dell&#39;elenco sono troppo lunghi da esportare." in client.get(LIST).get_data(as_text=True)
    assert run_count() == 0


def test_an_export_request_without_its_token_is_refused(client, srl):
    signed_in(client, Role.OPERATOR)
    response = client.post(f"{LIST}/esporta", data={"file_format": "csv", "query_string": "kind=srl"})
    assert response.status_code == 400
    assert run_count() == 0


def test_only_the_lists_parameters_are_kept_and_bad_ones_are_judged_as_on_the_list(client, srl, short_inline):
    signed_in(client, Role.OPERATOR)
    run = run_of(ask(client, "csv", query_string="kind=srl&sort=name&page=3&evil=%3Dcmd&km=molti"))
    assert run.query_string == "kind=srl&sort=name&km=molti"
    services.execute(run.id)
    assert db.session.get(ExportRun, run.id).processed_rows == 12  # the bad distance is ignored, as on the list


# -- who sees what ---------------------------------------------------------------------


@pytest.fixture
def finished_run(client, srl, short_inline) -> tuple[ExportRun, str]:
    owner = signed_in(client, Role.OPERATOR)
    run = run_of(ask(client, "csv"))
    services.execute(run.id)
    return run, owner.email


OWN_PATHS = ("", "/stato.json", "/file")


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), (Role.CANDIDATE, 403), (Role.COMPANY, 403), (Role.OPERATOR, 404), (Role.PARTNER_ADMIN, 404),
     (Role.ADMIN, 404)],
)  # fmt: skip
def test_nobody_but_the_asker_sees_an_export(app, finished_run, role, expected):
    run, _owner = finished_run
    other = app.test_client()
    if role is not None:
        signed_in(other, role)
    for suffix in OWN_PATHS:
        response = other.get(f"{EXPORTS}/{run.id}{suffix}")
        assert response.status_code == expected, (role, suffix)
    listed = other.get(EXPORTS)
    assert listed.status_code == (200 if expected == 404 else expected)
    if expected == 404:
        assert f"{EXPORTS}/{run.id}" not in listed.get_data(as_text=True)


def test_the_asker_sees_the_export_in_their_list(app, finished_run):
    run, owner = finished_run
    own = app.test_client()
    assert login(own, owner, factories.PASSWORD).status_code == 302
    page = own.get(EXPORTS).get_data(as_text=True)
    assert f'href="{EXPORTS}/{run.id}"' in page and "Pronta" in page
    assert f'class="nav-link active" href="{LIST}"' in page  # within the company database's section
    for suffix in OWN_PATHS:
        assert own.get(f"{EXPORTS}/{run.id}{suffix}").status_code == 200, suffix


def test_company_and_candidate_cannot_ask_for_an_export(app, srl):
    for role in (Role.CANDIDATE, Role.COMPANY):
        other = app.test_client()
        signed_in(other, role)
        token = csrf_token(other, "/area-personale")
        response = other.post(f"{LIST}/esporta", data={"csrf_token": token, "file_format": "csv"})
        assert response.status_code == 403, role
    assert run_count() == 0


# -- a day, then gone ----------------------------------------------------------------------


def test_an_export_is_kept_a_day_then_the_run_and_its_file_go(app, client, finished_run):
    run, _owner = finished_run
    path = services.stored_file(run)
    assert path is not None
    later = run.finished_at + services.RETENTION + timedelta(minutes=1)
    assert services.expired(run, now=later) and not services.expired(run, now=run.finished_at)
    assert services.remove_expired(now=run.finished_at + timedelta(hours=23)) == 0
    assert services.remove_expired(now=later) == 1
    db.session.commit()
    assert db.session.get(ExportRun, run.id) is None
    with pytest.raises(uploads.StoredFileMissing):
        uploads.open_stored(services.UPLOAD_KIND, run.file_key)


def test_the_hourly_job_removes_what_has_expired(finished_run):
    from jobs.tasks.exports import remove_expired_exports

    run, _owner = finished_run
    assert remove_expired_exports() == 0  # still within its day
    stored = db.session.get(ExportRun, run.id)
    stored.finished_at = utcnow() - services.RETENTION - timedelta(minutes=1)
    key = stored.file_key
    db.session.commit()
    assert remove_expired_exports() == 1
    assert run_count() == 0
    with pytest.raises(uploads.StoredFileMissing):
        uploads.open_stored(services.UPLOAD_KIND, key)


def test_a_run_that_never_finished_goes_after_a_week(client, srl, short_inline):
    signed_in(client, Role.OPERATOR)
    run = run_of(ask(client, "csv"))  # queued, and its job lost
    assert services.remove_expired(now=run.created_at + timedelta(days=6)) == 0
    assert services.remove_expired(now=run.created_at + services.ABANDONED + timedelta(minutes=1)) == 1
    assert run_count() == 0


def test_an_expired_export_is_no_longer_shown_even_before_the_sweep(app, finished_run):
    run, owner = finished_run
    stored = db.session.get(ExportRun, run.id)
    stored.finished_at = utcnow() - services.RETENTION - timedelta(minutes=1)
    db.session.commit()
    own = app.test_client()
    login(own, owner, factories.PASSWORD)
    assert own.get(f"{EXPORTS}/{run.id}/file").status_code == 404
    assert f"{EXPORTS}/{run.id}" not in own.get(EXPORTS).get_data(as_text=True)


# -- stalled runs ----------------------------------------------------------------------


def test_a_stalled_run_is_sent_again_or_closed_when_looked_at(client, srl, short_inline, settings):
    signed_in(client, Role.OPERATOR)
    queued = run_of(ask(client, "csv"))
    running = run_of(ask(client, "xlsx"))
    RQDispatcher(settings.redis_url).queue("exports").empty()
    now = utcnow()
    queued.updated_at = now - services.STALLED_QUEUED - timedelta(seconds=1)
    running.status, running.updated_at = ExportStatus.RUNNING, now - services.STALLED_RUNNING - timedelta(seconds=1)
    db.session.commit()

    assert client.get(f"{EXPORTS}/{queued.id}/stato.json").get_json()["status"] == "queued"
    assert [job.args for job in RQDispatcher(settings.redis_url).queue("exports").jobs] == [[queued.id]]
    assert client.get(f"{EXPORTS}/{running.id}/stato.json").get_json()["status"] == "failed"
    assert "si è fermato" in db.session.get(ExportRun, running.id).error


# -- a real worker -----------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_writes_the_export(app, committed, settings, start_worker):
    search = app.extensions["search"]
    orgs = [factories.organization(f"Cooperativa Naviglio {n:02d}", kind=OrganizationKind.SRL) for n in range(8)]
    factories.user(Role.OPERATOR, email="worker.export@example.org")
    committed.commit()
    index(search, *orgs)
    client = app.test_client()
    login(client, "worker.export@example.org", factories.PASSWORD)
    app.config["EXPORT_INLINE_LIMIT"] = 5
    try:
        page = client.get(f"{LIST}?kind=srl&sort=name").get_data(as_text=True)
    finally:
        del app.config["EXPORT_INLINE_LIMIT"]
    assert 'form="export-request"' in page
    start_worker("exports", "--no-scheduler")
    run_id = run_of(ask(client, "xlsx")).id

    def finished() -> bool:
        db.session.expire_all()
        return db.session.get(ExportRun, run_id).status in services.FINISHED

    wait_until(finished, 120)
    run = db.session.get(ExportRun, run_id)
    assert run.status == ExportStatus.DONE, run.error
    sheet = load_workbook(io.BytesIO(client.get(f"{EXPORTS}/{run_id}/file").get_data())).active
    assert [sheet.cell(row, 2).value for row in range(2, 10)] == [org.name for org in orgs]


# -- embedded mode: no Redis, the job runs in-process right after the commit that queues it -----


def test_embedded_mode_writes_the_export_within_the_request(embedded_app):
    with embedded_app.app_context():
        names = [f"Officina Embedded {n}" for n in range(3)]
        for name in names:
            factories.organization(name, kind=OrganizationKind.SRL)
        db.session.commit()  # the search outbox is drained in-process after the commit
        db.session.remove()
    client = embedded_app.test_client()
    assert login(client, EMBEDDED_STAFF_EMAIL, factories.PASSWORD).status_code == 302
    response = ask(client, "csv", query_string="q=embedded&sort=name")
    assert response.status_code == 302
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"{EXPORTS}/{run_id}/stato.json").get_json()["status"] == "done"
    rows = csv_rows(client.get(f"{EXPORTS}/{run_id}/file").get_data())
    assert [row[1] for row in rows[1:]] == names
