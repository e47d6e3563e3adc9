"""Command-line tools: `flask territory load`, `flask demo seed`, `flask search …`, `flask jobs run-periodic`."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from marketplace.extensions import db

territory_cli = AppGroup("territory", help="Comuni, ambiti and ATECO sectors.")
demo_cli = AppGroup("demo", help="Demo data.")
search_cli = AppGroup("search", help="Search indexes.")
jobs_cli = AppGroup("jobs", help="Background jobs.")


@territory_cli.command("load")
@click.option("--districts-file", type=click.Path(exists=True, path_type=Path), default=None)
def territory_load(districts_file: Path | None) -> None:
    """Load (or refresh) comuni, ambiti and ATECO 2025 sectors."""
    from marketplace.territory.services import load_all

    municipalities, sectors = load_all(districts_file)
    db.session.commit()
    click.echo(f"comuni: {municipalities}, settori ATECO aggiunti: {sectors}")


@demo_cli.command("seed")
@click.option("--scale", default=200, show_default=True, help="Number of opportunities to generate.")
@click.option("--seed", default=2026, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when demo data is already there.")
def demo_seed(scale: int, seed: int, if_empty: bool) -> None:
    """Generate realistic, deterministic demo data and index it."""
    from marketplace.demo import DEMO_LOGINS, DEMO_PASSWORD, DemoDataExists, seed_demo
    from marketplace.indexing.services import indexes, reindex
    from marketplace.territory.services import load_all

    load_all()
    started = time.perf_counter()
    try:
        summary = seed_demo(db.session, scale=scale, seed=seed)
    except DemoDataExists:
        if not if_empty:
            raise click.ClickException("demo data already present") from None
        db.session.rollback()
        click.echo("Dati dimostrativi già presenti.")
    else:
        db.session.commit()
        click.echo(f"Dati generati in {time.perf_counter() - started:.1f} s: {summary.counts}")
    for index in indexes():
        click.echo(f"Indice {index}: {reindex(index)} documenti")
    click.echo(f"Accessi dimostrativi (password: {DEMO_PASSWORD}):")
    for role, email in DEMO_LOGINS:
        click.echo(f"  {role:<26} {email}")


@search_cli.command("ensure")
def search_ensure() -> None:
    """Create missing indexes."""
    current_app.extensions["search"].ensure_indexes()
    click.echo("ok")


@search_cli.command("reindex")
@click.argument("index", required=False)
def search_reindex(index: str | None) -> None:
    """Rebuild one index (or all) with no downtime: new index, then an atomic alias swap."""
    from marketplace.indexing import services

    for name in [index] if index else services.indexes():
        started = time.perf_counter()
        try:
            count = services.reindex(name, progress=_every(10_000, lambda n: click.echo(f"  {n} documenti…")))
        except services.ReindexRunning:
            raise click.ClickException(f"a reindex of {name} is already running") from None
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{name}: {count} documenti in {time.perf_counter() - started:.1f} s")


def _every(step: int, report):
    """Progress arrives every bulk chunk; a terminal wants a line every `step` documents."""
    return lambda count: report(count) if count % step == 0 else None


@search_cli.command("status")
@click.option("--no-drift", is_flag=True, help="Skip the (slower) comparison with the database.")
def search_status(no_drift: bool) -> None:
    """Pending outbox entries, the oldest one's age, and drift between database and indexes."""
    from marketplace.indexing import services

    age = services.oldest_pending_age_seconds()
    click.echo(f"backend: {current_app.extensions['search'].name}")
    click.echo(f"in attesa: {services.pending_count()}")
    click.echo(f"ritardo: {age or 0:.1f} s")
    if no_drift:
        return
    for index in services.indexes():
        drift = services.drift(index)
        click.echo(f"{index}: mancanti {len(drift.missing)}, non aggiornati {len(drift.stale)}, "
                   f"in eccesso {len(drift.extra)}")  # fmt: skip


@search_cli.command("reconcile")
def search_reconcile() -> None:
    """Queue repairs for any drift now (the worker also does this every 15 minutes)."""
    from jobs.tasks.search import drain_search_outbox
    from marketplace.indexing import services

    for index in services.indexes():
        click.echo(f"{index}: {services.repair(services.drift(index))} da riparare")
    db.session.commit()
    click.echo(f"applicati: {drain_search_outbox()}")


@jobs_cli.command("run-periodic")
@click.argument("names", nargs=-1)
def jobs_run_periodic(names: tuple[str, ...]) -> None:
    """Run periodic jobs now, in this process (all of them, or those named).

    The worker's scheduler runs them on a full stack; the embedded mode has no worker, so a
    cron entry calling this closes due opportunities and sends alert digests there.
    """
    from jobs.schedule import periodic_jobs

    jobs = {item.name: item for item in periodic_jobs()}
    unknown = [name for name in names if name not in jobs]
    if unknown:
        raise click.BadParameter(f"sconosciuti: {', '.join(unknown)}; disponibili: {', '.join(jobs)}")
    for name in names or tuple(jobs):
        result = jobs[name].func()
        db.session.commit()
        click.echo(f"{name}: {result}")


def init_app(app: Flask) -> None:
    for group in (territory_cli, demo_cli, search_cli, jobs_cli):
        app.cli.add_command(group)
