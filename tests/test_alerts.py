"""Saved searches and alert digests on real PostgreSQL, Redis and Elasticsearch."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask import render_template
from sqlalchemy import func, select

from jobs.schedule import periodic_jobs
from jobs.tasks.alerts import send_alert_digests
from marketplace.accounts.models import Role
from marketplace.alerts import services
from marketplace.alerts.models import AlertFrequency, SavedSearch
from marketplace.extensions import db
from marketplace.indexing import services as indexing
from marketplace.mail.models import OutgoingMail
from marketplace.models_base import utcnow
from marketplace.opportunities.models import OpportunityKind, OpportunityStatus
from tests import factories
from tests import factories_relations as fr
from tests.conftest import csrf_token

GORGONZOLA = "015108"


@pytest.fixture
def world(db_session):
    own = factories.partner("SIL Adda Martesana")
    other = factories.partner("Cooperativa Partner Sud")
    org = factories.organization("Officine Adda S.r.l.")
    users = {
        "candidate": fr.user(Role.CANDIDATE, "giulia@example.org", full_name="Giulia Bianchi"),
        "other_candidate": fr.user(Role.CANDIDATE, "marco@example.org", full_name="Marco Verdi"),
        "company": fr.user(Role.COMPANY, "azienda@example.org", organization_id=org.id),
        "operator": fr.user(Role.OPERATOR, "operatrice@example.org", partner_id=own.id, full_name="Anna Operatrice"),
        "other_operator": fr.user(Role.OPERATOR, "operatore-sud@example.org", partner_id=other.id),
    }
    followed = factories.person(first_name="Luca", last_name="Neri", email="luca.neri@example.org",
                                registered_by_partner_id=own.id)  # fmt: skip
    stranger = factories.person(first_name="Sara", last_name="Gialli", email="sara@example.org",
                                registered_by_partner_id=other.id)  # fmt: skip
    factories.person(users["candidate"], first_name="Giulia", last_name="Bianchi")
    return {"own": own, "other": other, "org": org, "users": users, "followed": followed, "stranger": stranger}


def as_user(app, who):
    return fr.sign_in(app.test_client(), who)


def post_save(client, query_string: str, **extra):
    data = {"csrf_token": csrf_token(client, "/area-personale"), "query_string": query_string,
            "frequency": "daily", **extra}  # fmt: skip
    return client.post("/avvisi/salva", data=data)


def saved_of(user) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.owner_id == user.id)))


def count_alerts() -> int:
    return db.session.scalar(select(func.count()).select_from(SavedSearch))


def mails() -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


# -- saving --------------------------------------------------------------------------------------


def test_a_candidate_saves_the_search_from_its_url(app, world, backend):
    client = as_user(app, world["users"]["candidate"])
    response = post_save(client, f"page=3&q=magazzino&kind=internship&comune={GORGONZOLA}&km=10&paid=1")
    assert response.status_code == 302
    [saved] = saved_of(world["users"]["candidate"])
    # Canonical and without the page: the digest replays the search, not the page the person was on.
    assert saved.query_string == f"q=magazzino&kind=internship&comune={GORGONZOLA}&km=10&paid=1"
    assert saved.frequency == AlertFrequency.DAILY and saved.person_id is None and saved.is_active
    assert "«magazzino»" in saved.name and "entro 10 km da Gorgonzola" in saved.name and "con indennità" in saved.name
    assert response.headers["Location"].endswith(f"/opportunita/?{saved.query_string}")
    page = client.get("/avvisi/").get_data(as_text=True)
    assert saved.name.replace("«", "&laquo;") in page or saved.name in page
    assert f"/opportunita/?{saved.query_string}".replace("&", "&amp;") in page
    assert "Ogni giorno" in page and "Mai" in page


def test_a_name_given_by_the_person_is_kept_and_cleaned(app, world):
    client = as_user(app, world["users"]["candidate"])
    post_save(client, "q=cucina", name="  Lavori\x00 in   cucina ", frequency="weekly")
    [saved] = saved_of(world["users"]["candidate"])
    assert saved.name == "Lavori in cucina" and saved.frequency == AlertFrequency.WEEKLY


def test_bad_query_parameters_are_dropped_and_only_validated_ones_kept(app, world):
    client = as_user(app, world["users"]["candidate"])
    post_save(client, "q=cucina&kind=astronauta&comune=999999&km=abc&sort=bogus&page=-1&evil=%3Cscript%3E&paid=forse")
    [saved] = saved_of(world["users"]["candidate"])
    assert saved.query_string == "q=cucina"


def test_an_empty_search_is_all_opportunities(app, world):
    client = as_user(app, world["users"]["candidate"])
    post_save(client, "")
    [saved] = saved_of(world["users"]["candidate"])
    assert saved.query_string == "" and saved.name == "Tutte le opportunità"


def test_a_bad_frequency_or_a_too_long_name_saves_nothing(app, world):
    client = as_user(app, world["users"]["candidate"])
    response = post_save(client, "q=cucina", frequency="hourly")
    assert response.status_code == 302 and count_alerts() == 0
    response = post_save(client, "q=cucina", name="x" * 121)
    assert response.status_code == 302 and count_alerts() == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Scrivi al massimo 120 caratteri." in page


def test_saving_the_same_search_twice_keeps_one_alert(app, world):
    client = as_user(app, world["users"]["candidate"])
    post_save(client, "q=cucina&page=2")
    post_save(client, "page=5&q=cucina", frequency="weekly")
    [saved] = saved_of(world["users"]["candidate"])
    assert saved.frequency == AlertFrequency.WEEKLY


def test_each_owner_has_at_most_twenty_active_alerts(app, world, backend):
    candidate = world["users"]["candidate"]
    for n in range(services.MAX_ALERTS_PER_OWNER):
        services.save(candidate, f"q=ricerca{n}", frequency=AlertFrequency.WEEKLY)
    db.session.flush()
    client = as_user(app, candidate)
    response = post_save(client, "q=ventunesima")
    assert len(saved_of(candidate)) == services.MAX_ALERTS_PER_OWNER
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hai già 20 avvisi attivi, il massimo" in page
    # Another person's quota is their own.
    assert post_save(as_user(app, world["users"]["other_candidate"]), "q=ventunesima").status_code == 302
    assert len(saved_of(world["users"]["other_candidate"])) == 1


# -- permissions ---------------------------------------------------------------------------------


def test_anonymous_visitors_cannot_save_and_are_sent_to_log_in(app, world):
    client = app.test_client()
    data = {"csrf_token": csrf_token(client, "/accedi"), "query_string": "q=cucina", "frequency": "daily"}
    response = client.post("/avvisi/salva", data=data)
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]
    assert count_alerts() == 0
    response = client.get("/avvisi/")
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]


def test_the_partial_offers_anonymous_visitors_a_login_link_back_to_the_search(app, world):
    with app.test_request_context("/opportunita/?q=cucina"):
        html = render_template("alerts/_save_search.html", query_string="q=cucina&paid=1")
    assert 'href="/accedi?next=/opportunita/?q%3Dcucina%26paid%3D1"' in html
    assert 'action="/avvisi/salva"' not in html


def test_the_partial_gives_staff_a_person_select(app, world):
    from flask_login import login_user

    with app.test_request_context("/opportunita/?q=cucina"):
        login_user(world["users"]["operator"])
        html = render_template("alerts/_save_search.html", query_string="q=cucina&page=2")
    assert 'action="/avvisi/salva"' in html and 'value="q=cucina"' in html
    assert "Luca Neri" in html and "Sara Gialli" not in html


def test_a_company_cannot_save_searches(app, world):
    client = as_user(app, world["users"]["company"])
    assert post_save(client, "q=cucina").status_code == 403
    assert count_alerts() == 0


def test_a_candidate_manages_only_their_own_alerts(app, world):
    mine = services.save(world["users"]["candidate"], "q=cucina", frequency=AlertFrequency.DAILY)
    theirs = services.save(world["users"]["other_candidate"], "q=magazzino", frequency=AlertFrequency.DAILY)
    db.session.flush()
    client = as_user(app, world["users"]["candidate"])
    token = csrf_token(client, "/area-personale")
    page = client.get("/avvisi/").get_data(as_text=True)
    assert mine.name in page and theirs.name not in page
    assert client.post(f"/avvisi/{theirs.id}/elimina", data={"csrf_token": token}).status_code == 404
    weekly = {"csrf_token": token, "frequency": "weekly"}
    assert client.post(f"/avvisi/{theirs.id}/frequenza", data=weekly).status_code == 404
    db.session.expire_all()
    assert db.session.get(SavedSearch, theirs.id).frequency == AlertFrequency.DAILY

    assert client.post(f"/avvisi/{mine.id}/frequenza", data=weekly).status_code == 302
    db.session.expire_all()
    assert db.session.get(SavedSearch, mine.id).frequency == AlertFrequency.WEEKLY
    assert client.post(f"/avvisi/{mine.id}/elimina", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SavedSearch, mine.id) is None and db.session.get(SavedSearch, theirs.id) is not None


def test_deleting_without_the_form_token_changes_nothing(app, world):
    mine = services.save(world["users"]["candidate"], "q=cucina", frequency=AlertFrequency.DAILY)
    db.session.flush()
    client = as_user(app, world["users"]["candidate"])
    assert client.post(f"/avvisi/{mine.id}/elimina").status_code == 400
    assert db.session.get(SavedSearch, mine.id) is not None


def test_an_operator_saves_a_search_for_a_person_their_partner_follows(app, world):
    operator, followed = world["users"]["operator"], world["followed"]
    client = as_user(app, operator)
    assert post_save(client, "q=cucina", person_id=str(followed.id)).status_code == 302
    [saved] = saved_of(operator)
    assert saved.person_id == followed.id
    page = client.get("/avvisi/").get_data(as_text=True)
    assert "Luca Neri" in page


@pytest.mark.parametrize("who", ["operator", "candidate"])
def test_nobody_saves_for_a_person_they_do_not_follow(app, world, who):
    client = as_user(app, world["users"][who])
    response = post_save(client, "q=cucina", person_id=str(world["stranger"].id))
    assert response.status_code == 302 and count_alerts() == 0
    assert "Puoi salvare ricerche solo per le persone seguite dal tuo ente." in client.get(
        response.headers["Location"]).get_data(as_text=True)  # fmt: skip
    assert post_save(client, "q=cucina", person_id="abc").status_code == 302 and count_alerts() == 0


def test_a_candidate_sees_and_manages_an_alert_an_operator_saved_for_them(app, world):
    candidate = world["users"]["candidate"]
    person = db.session.scalar(select(factories.Person).where(factories.Person.user_id == candidate.id))
    person.registered_by_partner_id = world["own"].id
    saved = services.save(world["users"]["operator"], "q=cucina", frequency=AlertFrequency.DAILY, person=person)
    db.session.flush()
    # An operator of another partner cannot touch it.
    stranger = as_user(app, world["users"]["other_operator"])
    token = csrf_token(stranger, "/area-personale")
    assert stranger.post(f"/avvisi/{saved.id}/elimina", data={"csrf_token": token}).status_code == 404
    client = as_user(app, candidate)
    assert "salvato da Anna Operatrice" in client.get("/avvisi/").get_data(as_text=True)
    token = csrf_token(client, "/area-personale")
    assert client.post(f"/avvisi/{saved.id}/elimina", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id) is None


# -- the digest ----------------------------------------------------------------------------------


def _index(backend, *opportunities) -> None:
    outcome = backend.apply([indexing.opportunity_action(o.id) for o in opportunities])
    assert outcome.failed == []
    backend.refresh("opportunities")


@pytest.fixture
def catalogue(world, backend):
    """Opportunities around an alert for "magazzino" created two days ago."""
    now = utcnow()
    org = world["org"]
    made = {
        "old": factories.opportunity(org, title="Magazzino: tirocinio di vecchia data",
                                     published_at=now - timedelta(days=3)),
        "new": factories.opportunity(org, title="Tirocinio in magazzino a Gorgonzola",
                                     published_at=now - timedelta(hours=3)),
        "new_course": factories.opportunity(org, title="Corso per magazzino e logistica",
                                            kind=OpportunityKind.COURSE, published_at=now - timedelta(hours=2)),
        "other_topic": factories.opportunity(org, title="Tirocinio in cucina", description="Aiuto cuoco.",
                                             published_at=now - timedelta(hours=3)),
        "closed": factories.opportunity(org, title="Magazzino: posto già coperto", status=OpportunityStatus.CLOSED,
                                        published_at=now - timedelta(hours=3)),
        "expired": factories.opportunity(org, title="Magazzino: candidature chiuse",
                                         application_deadline=date.today() - timedelta(days=1),
                                         published_at=now - timedelta(hours=3)),
        "draft": factories.opportunity(org, title="Magazzino in bozza", status=OpportunityStatus.DRAFT,
                                       published_at=None),
    }  # fmt: skip
    _index(backend, *made.values())
    return {**world, "items": made, "now": now}


def _alert(owner, query_string="q=magazzino", *, created_days_ago=2, **fields) -> SavedSearch:
    saved = services.save(owner, query_string, frequency=fields.pop("frequency", AlertFrequency.DAILY), **fields)
    saved.created_at = utcnow() - timedelta(days=created_days_ago)
    db.session.flush()
    return saved


def test_the_digest_lists_only_new_open_published_matches_and_never_twice(app, catalogue, smtp_sink):
    candidate, items = catalogue["users"]["candidate"], catalogue["items"]
    saved = _alert(candidate)
    assert send_alert_digests() == 1
    db.session.expire_all()
    [mail] = mails()
    assert mail.recipient == "giulia@example.org"
    assert mail.subject == "Avviso «magazzino»: 2 nuove opportunità"
    body = mail.body_text
    assert "Tirocinio in magazzino a Gorgonzola" in body and "Corso per magazzino e logistica" in body
    assert body.index("Corso per magazzino") < body.index("Tirocinio in magazzino")  # newest first
    for absent in ("vecchia data", "Tirocinio in cucina", "già coperto", "candidature chiuse", "in bozza"):
        assert absent not in body
    assert "Officine Adda S.r.l. · Gorgonzola" in body
    assert f"/opportunita/{items['new'].id}" in body
    assert "/opportunita/?q=magazzino" in body
    assert f"/avvisi/disiscrizione/{saved.unsubscribe_token}" in body
    first_window = db.session.get(SavedSearch, saved.id).last_sent_at
    assert first_window is not None and first_window <= utcnow()

    # Run again (a retry, a second scheduler): nothing new is sent and the window stays.
    assert send_alert_digests() == 0
    db.session.expire_all()
    assert len(mails()) == 1 and db.session.get(SavedSearch, saved.id).last_sent_at == first_window

    # The mail really leaves through the outbox job.
    from jobs.tasks.mail import send_mail

    smtp_sink.clear()
    assert send_mail(mail.id) == "sent"
    delivered = smtp_sink.wait_for("giulia@example.org")
    assert "Tirocinio in magazzino a Gorgonzola" in delivered.get_payload(decode=True).decode()
    # One-click unsubscribe for mail clients (RFC 8058), pointing at the same link as the body.
    link = delivered["List-Unsubscribe"]
    assert link.startswith("<http") and link.endswith(f"/avvisi/disiscrizione/{saved.unsubscribe_token}>")
    assert link[1:-1] in body
    assert delivered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_next_digest_has_only_what_was_published_since(app, catalogue, backend):
    candidate, now = catalogue["users"]["candidate"], catalogue["now"]
    saved = _alert(candidate)
    assert services.send_due_digests(now)[0] == 1
    later = factories.opportunity(catalogue["org"], title="Magazzino: nuovo turno serale",
                                  published_at=now + timedelta(hours=1))  # fmt: skip
    _index(backend, later)
    # Not a day yet: not due, even with something new.
    assert services.send_due_digests(now + timedelta(hours=5))[0] == 0
    assert services.send_due_digests(now + timedelta(days=1))[0] == 1
    body = mails()[-1].body_text
    assert "nuovo turno serale" in body and "Tirocinio in magazzino a Gorgonzola" not in body
    assert mails()[-1].subject == "Avviso «magazzino»: 1 nuova opportunità"
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).last_sent_at > now


def test_the_window_moves_even_when_nothing_is_new(app, catalogue):
    saved = _alert(catalogue["users"]["candidate"], "q=falegnameria")
    assert services.send_due_digests(catalogue["now"])[0] == 0
    assert mails() == []
    assert saved.last_sent_at is not None and saved.last_sent_at > saved.created_at


def test_a_weekly_alert_waits_for_its_week(app, catalogue):
    now = catalogue["now"]
    saved = _alert(catalogue["users"]["candidate"], frequency=AlertFrequency.WEEKLY, created_days_ago=10)
    saved.last_sent_at = now - timedelta(days=3)
    db.session.flush()
    assert services.due(now) == []
    assert services.send_due_digests(now)[0] == 0 and mails() == []
    saved.last_sent_at = now - timedelta(days=7)
    db.session.flush()
    assert services.due(now) == [saved]
    assert services.send_due_digests(now)[0] == 1
    assert "Tirocinio in magazzino a Gorgonzola" in mails()[0].body_text
    assert "una volta alla settimana" in mails()[0].body_text


def test_a_daily_alert_is_due_a_little_before_its_day_so_it_does_not_drift(app, catalogue):
    now = catalogue["now"]
    saved = _alert(catalogue["users"]["candidate"])
    saved.last_sent_at = now - timedelta(hours=23, minutes=45)
    db.session.flush()
    assert services.due(now) == [saved]
    saved.last_sent_at = now - timedelta(hours=20)
    db.session.flush()
    assert services.due(now) == []


def test_a_digest_saved_by_an_operator_goes_to_the_person(app, catalogue):
    saved = _alert(catalogue["users"]["operator"], person=catalogue["followed"])
    assert services.send_due_digests(catalogue["now"])[0] == 1
    [mail] = mails()
    assert mail.recipient == "luca.neri@example.org"
    assert "Ciao Luca Neri" in mail.body_text and "Anna Operatrice ha salvato per te" in mail.body_text
    assert f"/avvisi/disiscrizione/{saved.unsubscribe_token}" in mail.body_text


def test_a_followed_person_without_email_has_the_digest_sent_to_the_operator(app, catalogue):
    catalogue["followed"].email = None
    _alert(catalogue["users"]["operator"], person=catalogue["followed"])
    assert services.send_due_digests(catalogue["now"])[0] == 1
    assert mails()[0].recipient == "operatrice@example.org"


def test_the_job_runs_every_hour():
    [entry] = [p for p in periodic_jobs() if p.name == "send-alert-digests"]
    assert entry.func is send_alert_digests and entry.every_seconds == 3600


# -- unsubscribing -------------------------------------------------------------------------------


def test_the_unsubscribe_link_works_without_logging_in_and_stops_the_mails(app, catalogue):
    saved = _alert(catalogue["users"]["candidate"])
    client = app.test_client()
    url = f"/avvisi/disiscrizione/{saved.unsubscribe_token}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert saved.name.replace("«", "&laquo;") in html or saved.name in html
    assert "Disattiva questo avviso" in html
    assert db.session.get(SavedSearch, saved.id).unsubscribed_at is None  # a GET (a mail scanner) changes nothing

    done = client.post(url)
    assert done.status_code == 200 and "è disattivato" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).unsubscribed_at is not None
    assert services.send_due_digests(catalogue["now"] + timedelta(days=2))[0] == 0
    assert mails() == []
    # Again: still fine, says it is already off.
    assert "già disattivato" in client.post(url).get_data(as_text=True)


def test_a_mail_clients_one_click_unsubscribe_stops_the_alert(app, catalogue):
    saved = _alert(catalogue["users"]["candidate"])
    # What a mail client sends for List-Unsubscribe-Post: no session, no CSRF token.
    response = app.test_client().post(
        f"/avvisi/disiscrizione/{saved.unsubscribe_token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).unsubscribed_at is not None


@pytest.mark.parametrize("token", ["sconosciuto", "x" * 300, "%00%27"])
def test_an_unknown_unsubscribe_token_is_a_clear_404(app, world, token):
    client = app.test_client()
    for method in (client.get, client.post):
        response = method(f"/avvisi/disiscrizione/{token}")
        assert response.status_code == 404
        assert "Questo link per disattivare un avviso non è valido" in response.get_data(as_text=True)


def test_a_stopped_alert_can_be_reactivated_without_a_backlog(app, catalogue):
    saved = _alert(catalogue["users"]["candidate"])
    services.unsubscribe(saved)
    db.session.flush()
    client = as_user(app, catalogue["users"]["candidate"])
    assert "Disattivato" in client.get("/avvisi/").get_data(as_text=True)
    token = csrf_token(client, "/area-personale")
    assert client.post(f"/avvisi/{saved.id}/riattiva", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    saved = db.session.get(SavedSearch, saved.id)
    assert saved.is_active
    # What was published while it was off is not sent now.
    assert services.send_due_digests(utcnow() + timedelta(days=1))[0] == 0


# -- on committed data, through the search outbox ---------------------------------------------------


def _drain(app) -> None:
    while indexing.drain_once().applied:
        db.session.commit()
    db.session.commit()
    app.extensions["search"].refresh("opportunities")


def test_committed_runs_send_one_digest_even_when_two_run_at_once(app, committed):
    from marketplace.opportunities import workflow
    from marketplace.opportunities.models import CloseReason

    search = app.extensions["search"]
    search.drop_indexes()  # documents of earlier tests would share the restarted ids
    search.ensure_indexes()
    now = utcnow()
    candidate = fr.user(Role.CANDIDATE, "committed@example.org", full_name="Chiara Rossi")
    org = factories.organization("Magazzini Generali Melzo")
    kept = factories.opportunity(org, title="Magazzino: addetto al carico", published_at=now - timedelta(hours=1))
    closing = factories.opportunity(org, title="Magazzino: posto appena coperto", published_at=now - timedelta(hours=1))
    saved = _alert(candidate)
    committed.commit()
    _drain(app)
    workflow.close(closing, actor=None, reason=CloseReason.FILLED)
    committed.commit()
    _drain(app)  # the outbox removes the closed one from the index

    # Another run holds the alert: this one skips it instead of sending the same digest again.
    holder = db.session.scalars(
        select(SavedSearch).where(SavedSearch.id == saved.id).with_for_update()
    ).one()  # fmt: skip
    assert holder.last_sent_at is None
    with app.app_context():  # a second connection, as a second worker would have
        assert send_alert_digests() == 0
    committed.rollback()

    assert send_alert_digests() == 1
    assert send_alert_digests() == 0
    db.session.expire_all()
    [mail] = mails()
    assert "addetto al carico" in mail.body_text and "appena coperto" not in mail.body_text
    assert mail.recipient == "committed@example.org"
    assert db.session.get(SavedSearch, saved.id).last_sent_at is not None
    assert kept.id in {hit.id for hit in search.search_opportunities(services.query_for(saved)).hits}


def test_the_search_page_offers_to_save_the_search_and_the_form_saves_it(app, world, backend):
    opportunity = factories.opportunity(world["org"], title="Tirocinio in magazzino")
    _index(backend, opportunity)
    client = as_user(app, world["users"]["candidate"])
    page = client.get("/opportunita/?q=magazzino&page=1").get_data(as_text=True)
    assert 'action="/avvisi/salva"' in page
    match = re.search(r'name="query_string"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="query_string"', page)
    assert match, "no query_string field in the save form"
    query_string = unescape(match.group(1) or match.group(2))
    assert query_string == "q=magazzino"
    assert post_save(client, query_string, frequency="weekly").status_code == 302
    [saved] = saved_of(world["users"]["candidate"])
    assert saved.query_string == "q=magazzino" and saved.frequency == AlertFrequency.WEEKLY


def test_links_in_the_digest_use_the_public_address(app, catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://opportunita.example.it/")
    saved = _alert(catalogue["users"]["candidate"])
    services.send_due_digests(catalogue["now"])
    body = mails()[0].body_text
    assert f"https://opportunita.example.it/avvisi/disiscrizione/{saved.unsubscribe_token}" in body
    assert f"https://opportunita.example.it/opportunita/{catalogue['items']['new'].id}" in body


def test_due_alerts_are_taken_in_batches_without_skipping_any(app, catalogue):
    first = _alert(catalogue["users"]["candidate"])
    second = _alert(catalogue["users"]["other_candidate"])
    now = catalogue["now"]
    queued, after = services.send_due_digests(now, limit=1)
    assert (queued, after) == (1, first.id)
    queued, after = services.send_due_digests(now, after_id=after, limit=1)
    assert (queued, after) == (1, second.id)
    assert services.send_due_digests(now, after_id=after, limit=1) == (0, None)
    assert sorted(m.recipient for m in mails()) == ["giulia@example.org", "marco@example.org"]
