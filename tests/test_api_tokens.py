"""API tokens: the service (shown once, kept as a hash) and the pages where partner_admins manage them."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.api import tokens
from marketplace.api.models import ApiToken
from marketplace.extensions import db
from tests import factories
from tests.conftest import csrf_token, login

INDEX = "/gestione/token-api/"
SECRET = re.compile(r'value="(opp_[0-9a-f]{8}_[A-Za-z0-9_-]+)"')


def _signed_in(app, user):
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return client


def test_the_secret_is_shown_once_and_only_its_hash_is_kept(db_session):
    admin = factories.user(Role.PARTNER_ADMIN)
    created = tokens.create(partner_id=admin.partner_id, name="  Gestionale  ", created_by=admin)
    scheme, prefix, secret = created.secret.split("_", 2)
    assert scheme == "opp" and prefix == created.token.prefix and len(secret) >= 40
    assert created.token.name == "Gestionale"
    assert created.token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    stored = db.session.scalars(select(ApiToken.secret_sha256)).all()
    assert all(secret not in value for value in stored)
    assert tokens.authenticate(created.secret).id == created.token.id
    assert tokens.authenticate(f"  {created.secret} ").id == created.token.id
    for wrong in ("", None, created.secret[:-1] + "#", created.secret.replace(prefix, "ffffffff"), secret):
        with pytest.raises(tokens.TokenRefused):
            tokens.authenticate(wrong)


def test_revoking_refuses_at_once_and_twice_changes_nothing(db_session):
    admin = factories.user(Role.PARTNER_ADMIN)
    created = tokens.create(partner_id=admin.partner_id, name="Gestionale", created_by=admin)
    assert tokens.revoke(created.token, actor=admin) is True
    first = created.token.revoked_at
    assert tokens.revoke(created.token, actor=admin) is False and created.token.revoked_at == first
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.authenticate(created.secret)
    assert refused.value.reason == "revoked" and not refused.value.forbidden


def test_a_creator_who_left_the_partner_takes_the_rights_along(db_session):
    admin = factories.user(Role.PARTNER_ADMIN)
    created = tokens.create(partner_id=admin.partner_id, name="Gestionale", created_by=admin)
    admin.partner_id = factories.partner().id
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.authenticate(created.secret)
    assert refused.value.forbidden
    admin.partner_id, admin.is_active_account = created.token.partner_id, False
    with pytest.raises(tokens.TokenRefused):
        tokens.authenticate(created.secret)


def test_partner_admin_creates_lists_and_revokes_own_tokens(app, db_session):
    admin = factories.user(Role.PARTNER_ADMIN, email="pa@example.org")
    other_admin = factories.user(Role.PARTNER_ADMIN, email="altro@example.org")
    other = tokens.create(partner_id=other_admin.partner_id, name="Token di un altro ente", created_by=other_admin)
    db.session.commit()
    client = _signed_in(app, admin)

    page = client.get(INDEX)
    assert page.status_code == 200
    assert "Token di un altro ente" not in page.get_data(as_text=True)

    response = client.post(INDEX + "nuovo", data={"name": "Gestionale SIL", "csrf_token": csrf_token(client, INDEX)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secret = SECRET.search(html).group(1)
    assert "non sarà più mostrato" in html
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Gestionale SIL"))
    assert token.partner_id == admin.partner_id and token.created_by_id == admin.id
    assert tokens.authenticate(secret).id == token.id
    # The list names it by prefix and never shows the secret again.
    listing = client.get(INDEX).get_data(as_text=True)
    assert f"opp_{token.prefix}_" in listing and secret not in listing and "Gestionale SIL" in listing

    # Another partner's token cannot be revoked from here.
    forbidden = client.post(f"{INDEX}{other.token.id}/revoca", data={"csrf_token": csrf_token(client, INDEX)})
    assert forbidden.status_code == 403
    db.session.refresh(other.token)
    assert other.token.revoked_at is None

    # Revoking needs the CSRF token.
    assert client.post(f"{INDEX}{token.id}/revoca").status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None
    response = client.post(f"{INDEX}{token.id}/revoca", data={"csrf_token": csrf_token(client, INDEX)})
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None and token.revoked_by_id == admin.id
    assert "revocato" in client.get(INDEX).get_data(as_text=True)
    assert client.post(f"{INDEX}999999/revoca", data={"csrf_token": csrf_token(client, INDEX)}).status_code == 404


def test_the_name_is_required_and_bounded(app, db_session):
    admin = factories.user(Role.PARTNER_ADMIN)
    db.session.commit()
    client = _signed_in(app, admin)
    for name in ("", "   ", "x" * 121):
        response = client.post(INDEX + "nuovo", data={"name": name, "csrf_token": csrf_token(client, INDEX)})
        assert response.status_code == 422
        assert "error-summary" in response.get_data(as_text=True)
    assert client.post(INDEX + "nuovo", data={"name": "Senza CSRF"}).status_code == 400
    assert db.session.scalars(select(ApiToken)).all() == []


def test_admin_sees_and_revokes_every_token(app, db_session):
    admin = factories.user(Role.ADMIN, email="admin@example.org")
    partner_admin = factories.user(Role.PARTNER_ADMIN)
    created = tokens.create(partner_id=partner_admin.partner_id, name="Token del consorzio", created_by=partner_admin)
    db.session.commit()
    client = _signed_in(app, admin)
    page = client.get(INDEX).get_data(as_text=True)
    assert "Token del consorzio" in page and partner_admin.partner.name in page
    # Without a partner of their own an admin has nothing to create tokens for.
    assert "Solo chi è referente di un ente partner" in page
    assert client.post(INDEX + "nuovo", data={"name": "X", "csrf_token": csrf_token(client, INDEX)}).status_code == 403
    response = client.post(f"{INDEX}{created.token.id}/revoca", data={"csrf_token": csrf_token(client, INDEX)})
    assert response.status_code == 302
    db.session.refresh(created.token)
    assert created.token.revoked_at is not None


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COMPANY, Role.CANDIDATE])
def test_other_roles_are_refused(app, db_session, role):
    partner_admin = factories.user(Role.PARTNER_ADMIN)
    created = tokens.create(partner_id=partner_admin.partner_id, name="Token", created_by=partner_admin)
    fields = {"partner_id": partner_admin.partner_id} if role == Role.OPERATOR else {}
    if role == Role.COMPANY:
        fields["organization_id"] = factories.organization().id
    user = factories.user(role, **fields)
    db.session.commit()
    client = _signed_in(app, user)
    assert client.get(INDEX).status_code == 403
    home = "/area-personale"
    assert client.post(INDEX + "nuovo", data={"name": "X", "csrf_token": csrf_token(client, home)}).status_code == 403
    revoke = client.post(f"{INDEX}{created.token.id}/revoca", data={"csrf_token": csrf_token(client, home)})
    assert revoke.status_code == 403
    db.session.refresh(created.token)
    assert created.token.revoked_at is None


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]
