"""Jobs on a real RQ worker process against real Redis, PostgreSQL, SMTP and Elasticsearch."""

from __future__ import annotations

import subprocess

import pytest
from flask import render_template_string

from jobs.dispatch import RQDispatcher
from marketplace.extensions import db
from marketplace.mail.services import queue_mail
from search import OpportunityQuery
from tests import factories
from tests.waiting import wait_until

pytestmark = pytest.mark.worker


@pytest.fixture
def worker(start_worker) -> subprocess.Popen:
    return start_worker()


def test_mail_job_runs_on_a_real_worker(app, committed, worker, smtp_sink):
    with app.test_request_context():
        render_template_string("")  # template machinery needs a request-like context
        message = queue_mail("worker-test@example.org", "Prova", "mail/password_reset.txt",
                             user=None, reset_url="http://127.0.0.1/x", hours=1)  # fmt: skip
        db.session.commit()
    delivered = smtp_sink.wait_for("worker-test@example.org", timeout=60)
    assert delivered["Subject"] == "Prova"
    db.session.expire_all()
    wait_until(lambda: db.session.get(type(message), message.id).sent_at is not None, 30)


def test_published_opportunity_is_found_in_elasticsearch_after_its_job(app, committed, worker):
    backend = app.extensions["search"]
    org = factories.organization("Magazzini Generali Melzo S.r.l.", municipality_code="015142")
    opportunity = factories.opportunity(org, title="Tirocinio come carrellista", municipality_code="015142")
    db.session.commit()  # the commit enqueues the drain job; the worker applies it

    def found() -> bool:
        backend.refresh("opportunities")
        result = backend.search_opportunities(OpportunityQuery(text="carrellista"))
        return [hit.id for hit in result.hits] == [opportunity.id]

    wait_until(found, 60)
    hit = backend.search_opportunities(OpportunityQuery(text="carrellista")).hits[0]
    assert hit.source["organization_name"] == "Magazzini Generali Melzo S.r.l."
    assert hit.source["district"] == "melzo"


def test_jobs_go_to_named_queues_as_json(app, settings):
    from jobs.tasks.mail import send_mail

    dispatcher = RQDispatcher(settings.redis_url)
    dispatcher.send(send_mail, (123,))
    job = dispatcher.queue("mail").jobs[0]
    assert job.func_name == "jobs.tasks.mail.send_mail"
    assert job.args == [123] or job.args == (123,)
    assert job.retries_left == 5
