"""Import of a 10k-row XLSX of organisations: rows/s end to end on a real RQ worker, first run and re-import.

A generated spreadsheet (realistic names, legal forms, comuni, ATECO codes, phones, emails;
about 5 % of the rows broken in the five ways the report must explain) is checked and stored
as an upload would be, then imported by a real worker (`python -m jobs.worker imports`,
started as a child process) through the same service the web page uses. Timed from the
commit that queues the job to the run being DONE, polling the run row every 0.2 s (which
also shows the progress moving). Then:

- the same file again (every good row is found by P.IVA and left unchanged);
- a copy where one good row in ten has a different head count (the update path);
- attribution, in this process without a worker: the batch-flush write path the job uses
  against `organizations.services.create()` per row (one flush per row).

Isolation: its own database `opportunita_bench_import` (created if missing, schema rebuilt on
every run), Redis db 4, index prefix bench-import (no search worker runs, nothing is indexed).

    .venv/bin/python -m benchmarks.import_organizations [--rows 10000] [--bad-share 0.05]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import common

DATABASE = "opportunita_bench_import"
REDIS_URL = "redis://127.0.0.1:6379/4"
INDEX_PREFIX = "bench-import"
POLL_S = 0.2
RUN_TIMEOUT_S = 900
DATA_TABLES = (
    "organizations", "audit_entries", "search_outbox", "import_rejections", "import_runs", "users", "partners",
)  # fmt: skip


def apply_env() -> None:
    common.apply_bench_env()
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{DATABASE}"
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["SEARCH_INDEX_PREFIX"] = INDEX_PREFIX


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            conn.execute(f"CREATE DATABASE {DATABASE}")


def rebuild_schema() -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from marketplace.extensions import db
    from marketplace.territory.services import load_all

    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade()
    load_all()
    db.session.commit()


def clear_data() -> None:
    from sqlalchemy import text

    from marketplace.extensions import db

    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))


def partner_admin() -> Any:
    from marketplace.accounts.models import Partner, Role
    from marketplace.accounts.services import create_user
    from marketplace.extensions import db

    partner = Partner(name="Ente partner del benchmark")
    db.session.add(partner)
    db.session.flush()
    user = create_user("bench.import@example.org", "una frase lunga per il benchmark", "Bench Import",
                       Role.PARTNER_ADMIN, partner_id=partner.id)  # fmt: skip
    db.session.commit()
    return user


def upload(user: Any, filename: str, data: bytes) -> tuple[int, float]:
    """The upload check and storage, as the page does it; returns the run id and its seconds."""
    from marketplace.extensions import db
    from marketplace.imports import services

    started = time.perf_counter()
    run = services.create_run(user, filename, data)
    db.session.commit()
    return run.id, time.perf_counter() - started


def queue_for_worker(run_id: int) -> float:
    """Save the guessed mapping and queue the job; returns the moment of the commit that sends it."""
    from marketplace.extensions import db
    from marketplace.imports import rows, services
    from marketplace.imports.models import ImportRun

    run = db.session.get(ImportRun, run_id)
    services.start(run, rows.guess_mapping(run.headers))
    started = time.perf_counter()
    db.session.commit()
    return started


def wait_until_finished(run_id: int, started: float) -> tuple[Any, list[tuple[float, int]]]:
    """Poll the run row until DONE/FAILED; returns it and the (seconds, processed_rows) samples."""
    from marketplace.extensions import db
    from marketplace.imports import services
    from marketplace.imports.models import ImportRun

    samples: list[tuple[float, int]] = []
    while True:
        db.session.rollback()  # a fresh snapshot
        run = db.session.get(ImportRun, run_id)
        elapsed = time.perf_counter() - started
        if not samples or samples[-1][1] != run.processed_rows:
            samples.append((round(elapsed, 2), run.processed_rows))
        if run.status in services.FINISHED:
            return run, samples
        if elapsed > RUN_TIMEOUT_S:
            raise TimeoutError(f"import run {run_id} not finished after {RUN_TIMEOUT_S} s")
        time.sleep(POLL_S)


def outcome(run: Any, seconds: float, upload_s: float, samples: list | None = None) -> dict[str, Any]:
    result = {
        "status": run.status.value,
        "error": run.error,
        "rows": run.total_rows,
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "rejected": run.rejected_count,
        "seconds": round(seconds, 2),
        "rows_per_s": round(run.total_rows / seconds, 1) if seconds else None,
        "job_seconds": round((run.finished_at - run.started_at).total_seconds(), 2),
        "upload_check_and_store_s": round(upload_s, 3),
    }
    if samples is not None:
        result["progress_samples"] = samples
    return result


def import_on_worker(user: Any, filename: str, data: bytes) -> dict[str, Any]:
    run_id, upload_s = upload(user, filename, data)
    started = queue_for_worker(run_id)
    run, samples = wait_until_finished(run_id, started)
    return outcome(run, time.perf_counter() - started, upload_s, samples)


def import_in_process(user: Any, filename: str, data: bytes) -> dict[str, Any]:
    """The job's work run here, without a worker (for attribution)."""
    from marketplace.extensions import db
    from marketplace.imports import rows, services
    from marketplace.imports.models import ImportRun, ImportStatus

    run_id, upload_s = upload(user, filename, data)
    run = db.session.get(ImportRun, run_id)
    run.mapping = rows.guess_mapping(run.headers)
    run.status = ImportStatus.QUEUED  # queued by hand: no job is sent
    db.session.commit()
    started = time.perf_counter()
    services.execute(run_id)
    seconds = time.perf_counter() - started
    db.session.expire_all()
    return outcome(db.session.get(ImportRun, run_id), seconds, upload_s)


def create_per_row(original: Any) -> Any:
    """The write path with organizations.services.create(), which flushes each row on its own."""
    from marketplace.organizations import services as organizations
    from marketplace.organizations.models import OrganizationKind

    def write(run: Any, row: Any, existing: Any) -> str:
        if existing is not None:
            return original(run, row, existing)
        values = {"kind": OrganizationKind.COMPANY, **row.values}
        organizations.create(values, user_id=run.user_id, partner_id=run.partner_id)
        return "created"

    return write


def check(result: dict[str, Any], expected: dict[str, int], label: str) -> bool:
    got = {key: result[key] for key in expected}
    if result["status"] != "done" or got != expected:
        print(f"  {label}: UNEXPECTED {got} (expected {expected}); error: {result['error']}", file=sys.stderr)
        return False
    return True


def changed_copy(sheet: Any) -> tuple[list[list[str]], int]:
    """One good row in ten with a different head count."""
    from tests.factories_imports import Sheet

    assert isinstance(sheet, Sheet)
    changed = 0
    body = []
    for index, row in enumerate(sheet.rows):
        row = list(row)
        if index % 10 == 0 and index + 2 not in sheet.bad:
            row[7] = str(int(row[7] or 0) + 1)
            changed += 1
        body.append(row)
    return body, changed


def measure(app: Any, rows_count: int, bad_share: float, workdir: Path) -> dict[str, Any]:
    from marketplace.imports import reading, services
    from tests.factories_imports import generated_sheet, xlsx_bytes

    sheet = generated_sheet(rows_count, bad_share=bad_share)
    data = xlsx_bytes(sheet.header, sheet.rows)
    good, bad = sheet.good_count, len(sheet.bad)
    changed_rows, changed = changed_copy(sheet)
    changed_data = xlsx_bytes(sheet.header, changed_rows)

    started = time.perf_counter()
    facts = reading.inspect_upload("aziende.xlsx", data)
    with reading.table_from_bytes(data, facts.file_format, None, None) as table:
        read_rows = sum(1 for _row in table.rows)
    read_s = time.perf_counter() - started

    user = partner_admin()
    probe = common.NoiseProbe()
    worker_cmd = [str(common.VENV_BIN / "python"), "-m", "jobs.worker", "imports", "--no-scheduler"]
    with common.background(worker_cmd, workdir / "worker.log"):
        first = import_on_worker(user, "aziende.xlsx", data)
        again = import_on_worker(user, "aziende.xlsx", data)
        updated = import_on_worker(user, "aziende-modificate.xlsx", changed_data)
    ok = check(first, {"created": good, "rejected": bad, "updated": 0}, "first import")
    ok &= check(again, {"created": 0, "unchanged": good, "updated": 0, "rejected": bad}, "re-import")
    ok &= check(updated, {"created": 0, "updated": changed, "unchanged": good - changed}, "changed re-import")

    clear_data()
    user = partner_admin()
    batch_flush = import_in_process(user, "aziende.xlsx", data)
    clear_data()
    user = partner_admin()
    original = services._write
    services._write = create_per_row(original)
    try:
        per_row = import_in_process(user, "aziende.xlsx", data)
    finally:
        services._write = original
    ok &= check(batch_flush, {"created": good, "rejected": bad}, "in-process, batch flush")
    ok &= check(per_row, {"created": good, "rejected": bad}, "in-process, create() per row")
    noise = probe.finish()
    return {
        "rows": rows_count,
        "good_rows": good,
        "bad_rows": bad,
        "xlsx_bytes": len(data),
        "batch_size": services.BATCH_SIZE,
        "read_only_file_s": {"rows": read_rows, "seconds": round(read_s, 2)},
        "worker": {"first_import": first, "reimport_same_file": again, "reimport_changed_file": updated},
        "attribution_in_process": {
            "batch_flush_as_the_job_does": batch_flush,
            "create_per_row": per_row,
            "speedup": round(per_row["seconds"] / batch_flush["seconds"], 2) if batch_flush["seconds"] else None,
        },
        "all_counts_as_expected": bool(ok),
        "noise": noise,
    }


def main(argv: list[str] | None = None) -> int:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad-share", type=float, default=0.05)
    args = parser.parse_args(argv)
    common.exit_on_sigterm()
    apply_env()
    ensure_database()
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    from flask_babel import force_locale

    from marketplace import create_app

    app = create_app()
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    # Messages go through Babel, which outside a request needs to be told the language.
    with app.app_context(), force_locale("it"):
        rebuild_schema()
        machine = common.machine_info(app)
        try:
            result = measure(app, args.rows, args.bad_share, workdir)
        except BaseException:
            print(f"worker log kept in {workdir / 'worker.log'}", file=sys.stderr)
            raise
    shutil.rmtree(workdir, ignore_errors=True)
    path = common.write_result("import_organizations", args.rows, {"machine": machine, **result})
    worker = result["worker"]
    print(f"import of {args.rows} rows ({result['bad_rows']} bad), XLSX {result['xlsx_bytes'] // 1024} KiB")
    for label, item in worker.items():
        print(f"  worker {label:<22} {item['seconds']:>7.2f} s  {item['rows_per_s']:>8.1f} rows/s  "
              f"created {item['created']} updated {item['updated']} unchanged {item['unchanged']} "
              f"rejected {item['rejected']}")  # fmt: skip
    attribution = result["attribution_in_process"]
    print(f"  in-process batch flush {attribution['batch_flush_as_the_job_does']['seconds']:.2f} s, "
          f"create() per row {attribution['create_per_row']['seconds']:.2f} s "
          f"(x{attribution['speedup']})")  # fmt: skip
    print(f"  counts as expected: {result['all_counts_as_expected']}; results in {path}")
    return 0 if result["all_counts_as_expected"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
