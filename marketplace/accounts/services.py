"""Account operations. They flush; the request or job boundary commits."""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from marketplace.extensions import db
from marketplace.mail.services import queue_mail
from marketplace.models_base import utcnow

RESET_MAX_AGE_SECONDS = 60 * 60
RESET_SALT = "password-reset"


class EmailTaken(ValueError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def find_by_session_token(token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == token))


def create_user(
    email: str,
    password: str,
    full_name: str,
    role: Role = Role.CANDIDATE,
    *,
    partner_id: int | None = None,
    organization_id: int | None = None,
) -> User:
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=normalize_email(email),
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        role=role,
        partner_id=partner_id,
        organization_id=organization_id,
        session_token=new_session_token(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        verify_password(DUMMY_HASH, password)  # same work as a real check
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def reset_token(user: User) -> str:
    # Binding the token to the session token makes it single-use: a reset rotates it.
    return _serializer().dumps({"uid": user.id, "st": user.session_token})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=RESET_MAX_AGE_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not secrets.compare_digest(user.session_token, str(data.get("st", ""))):
        return None
    return user


def request_password_reset(email: str, reset_url_for) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    queue_mail(
        user.email,
        # The subject is read in the requester's language, like the page they came from.
        _("Opportunità: reimposta la password"),
        "mail/password_reset.txt",
        user=user,
        reset_url=reset_url_for(reset_token(user)),
        hours=RESET_MAX_AGE_SECONDS // 3600,
    )


def set_password(user: User, password: str) -> None:
    """Set a new password and sign the account out everywhere."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    db.session.flush()
