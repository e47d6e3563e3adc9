"""Sign-up, sign-in, sign-out, password rules, reset, throttling, CSRF, cookies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import password_problem
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail
from tests import factories
from tests.conftest import csrf_token, login, logout


def test_register_creates_a_candidate_and_signs_in(client):
    token = csrf_token(client, "/registrati")
    response = client.post("/registrati", data={
        "full_name": "Sara Colombo", "email": "Sara.Colombo@Example.org", "password": "mare d'inverno a Cesenatico",
        "confirm": "mare d'inverno a Cesenatico", "privacy": "y", "csrf_token": token,
    })  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("/area-personale")
    user = db.session.scalar(select(User).where(User.email == "sara.colombo@example.org"))
    assert user is not None and user.role == Role.CANDIDATE
    assert user.password_hash.startswith("$argon2id$")
    assert "Sara Colombo" in client.get("/area-personale").get_data(as_text=True)


def test_register_rejects_common_password_in_italian_and_creates_nothing(client):
    token = csrf_token(client, "/registrati")
    response = client.post("/registrati", data={
        "full_name": "Luca Verdi", "email": "luca@example.org", "password": "password1",
        "confirm": "password1", "privacy": "y", "csrf_token": token,
    })  # fmt: skip
    assert response.status_code == 200
    assert "troppo comune" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "luca@example.org")) is None


def test_password_rules_follow_nist():
    assert password_problem("corto") is not None
    assert password_problem("x" * 129) is not None
    assert password_problem("qwertyuiop") is not None
    assert password_problem("aaaaaaaaaa") is not None
    assert password_problem("mario.rossi", email="mario.rossi@example.org") is not None
    # No composition rules: a long lowercase phrase is fine, and so are 64+ characters.
    assert password_problem("il gatto dorme sul divano") is None
    assert password_problem("una frase " * 7) is None


def test_login_wrong_password_logout(client):
    factories.user(Role.CANDIDATE, email="anna@example.org")
    wrong = login(client, "anna@example.org", "non è la password giusta")
    assert wrong.status_code == 200
    assert "Email o password non corretti" in wrong.get_data(as_text=True)
    assert client.get("/area-personale").status_code == 302

    right = login(client, "ANNA@example.org", factories.PASSWORD)
    assert right.status_code == 302
    assert client.get("/area-personale").status_code == 200

    assert logout(client).status_code == 302
    assert client.get("/area-personale").status_code == 302


def test_unknown_email_gets_the_same_message(client):
    response = login(client, "nessuno@example.org", "qualsiasi password lunga")
    assert "Email o password non corretti" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client):
    factories.user(Role.CANDIDATE, email="csrf@example.org")
    response = client.post("/accedi", data={"email": "csrf@example.org", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "Richiesta non valida" in response.get_data(as_text=True)
    assert client.get("/area-personale").status_code == 302


def test_session_cookie_flags(client):
    factories.user(Role.CANDIDATE, email="cookie@example.org")
    response = login(client, "cookie@example.org", factories.PASSWORD)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Secure" in session_cookie


def test_failed_logins_are_limited_per_account_but_the_known_device_still_gets_in(app, client):
    factories.user(Role.CANDIDATE, email="victim@example.org")
    # The owner signed in once from their own browser: it now carries a known-device cookie.
    owner = app.test_client()
    assert login(owner, "victim@example.org", factories.PASSWORD).status_code == 302
    logout(owner)

    token = csrf_token(client, "/accedi")
    statuses = [
        client.post("/accedi", data={"email": "victim@example.org", "password": f"tentativo {i}",
                                     "csrf_token": token}).status_code
        for i in range(101)
    ]  # fmt: skip
    assert statuses[:100] == [200] * 100
    assert statuses[100] == 429
    # The attacker is stopped even with the right password…
    blocked = client.post("/accedi", data={"email": "victim@example.org", "password": factories.PASSWORD,
                                           "csrf_token": token})  # fmt: skip
    assert blocked.status_code == 429
    assert "Troppi tentativi" in blocked.get_data(as_text=True)
    # …while the owner's known device is counted apart and still signs in.
    assert login(owner, "victim@example.org", factories.PASSWORD).status_code == 302


def test_password_reset_by_emailed_token(client, smtp_sink):
    from jobs.tasks.mail import send_mail

    user = factories.user(Role.CANDIDATE, email="reset@example.org")
    token = csrf_token(client, "/password-dimenticata")
    response = client.post("/password-dimenticata", data={"email": "reset@example.org", "csrf_token": token})
    assert response.status_code == 302
    message = db.session.scalar(select(OutgoingMail).where(OutgoingMail.recipient == "reset@example.org"))
    assert message is not None and message.sent_at is None
    assert send_mail(message.id) == "sent"  # the job, run here, over real SMTP
    delivered = smtp_sink.wait_for("reset@example.org")
    body = delivered.get_payload(decode=True).decode()
    link = next(word for word in body.split() if "/reimposta-password/" in word)
    path = link[link.index("/reimposta-password/") :]

    form_token = csrf_token(client, path)
    changed = client.post(path, data={"password": "una nuova frase segreta", "confirm": "una nuova frase segreta",
                                      "csrf_token": form_token})  # fmt: skip
    assert changed.status_code == 302
    assert login(client, "reset@example.org", "una nuova frase segreta").status_code == 302
    # The link works once: the reset rotated the token it was bound to.
    logout(client)
    assert client.get(path).status_code == 302
    db.session.refresh(user)


def test_forgot_password_for_unknown_email_queues_nothing(client):
    token = csrf_token(client, "/password-dimenticata")
    client.post("/password-dimenticata", data={"email": "ignoto@example.org", "csrf_token": token})
    assert db.session.scalar(select(OutgoingMail)) is None


@pytest.mark.parametrize("target", ["//evil.example.com/x", "/\\evil.example.com/x", "https://evil.example.com/"])
def test_open_redirect_after_login_is_refused(client, target):
    factories.user(Role.CANDIDATE, email="redir@example.org")
    token = csrf_token(client, "/accedi")
    response = client.post("/accedi", query_string={"next": target}, data={
        "email": "redir@example.org", "password": factories.PASSWORD, "csrf_token": token})  # fmt: skip
    assert response.headers["Location"].endswith("/area-personale")
