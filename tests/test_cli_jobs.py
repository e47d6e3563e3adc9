"""`flask jobs run-periodic`: periodic jobs by hand or from cron (the embedded mode has no worker)."""

from __future__ import annotations

from datetime import date, timedelta

from marketplace.extensions import db
from marketplace.opportunities.models import CloseReason, Opportunity, OpportunityStatus
from tests import factories


def test_run_periodic_closes_what_is_due_and_leaves_the_rest(app, db_session):
    due = factories.opportunity(application_deadline=date.today() - timedelta(days=1))
    open_one = factories.opportunity(application_deadline=date.today() + timedelta(days=5))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "run-periodic", "close-due-opportunities"])
    assert result.exit_code == 0, result.output
    assert f"close-due-opportunities: [{due.id}]" in result.output
    db.session.expire_all()
    closed = db.session.get(Opportunity, due.id)
    assert closed.status == OpportunityStatus.CLOSED and closed.close_reason == CloseReason.DEADLINE_PASSED
    assert db.session.get(Opportunity, open_one.id).status == OpportunityStatus.PUBLISHED


def test_an_unknown_job_name_is_refused_and_nothing_runs(app, db_session):
    due = factories.opportunity(application_deadline=date.today() - timedelta(days=1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "run-periodic", "close-due-opportunities", "nope"])
    assert result.exit_code != 0 and "nope" in result.output
    db.session.expire_all()
    assert db.session.get(Opportunity, due.id).status == OpportunityStatus.PUBLISHED
