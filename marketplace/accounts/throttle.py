"""Login throttling that stops guessing without handing attackers a lockout switch.

Failed logins are counted per account (at most 100 an hour). A browser that has
signed in to that account before carries a signed "known device" cookie and is counted
in its own bucket, so a stranger hammering the account cannot lock its owner out of
their usual devices; a new device waits at most until the hour window ends, and a
password reset by email always works.
"""

from __future__ import annotations

import secrets

from flask import current_app, g, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from marketplace.accounts.services import normalize_email

DEVICE_COOKIE = "known_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _device_for(email: str) -> str | None:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if isinstance(data, dict) and data.get("email") == email:
        return str(data.get("nonce"))
    return None


def account_key() -> str:
    email = normalize_email(request.form.get("email", ""))[:254]
    device = _device_for(email)
    return f"login-account:{email}:device:{device}" if device else f"login-account:{email}"


def ip_key() -> str:
    return f"login-ip:{get_remote_address()}"


def mark_failed() -> None:
    g.login_failed = True


def failed(_response: Response) -> bool:
    return bool(g.get("login_failed"))


def remember_device(response: Response, email: str) -> None:
    if _device_for(email):
        return
    value = _serializer().dumps({"email": email, "nonce": secrets.token_urlsafe(12)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def account_limit() -> str:
    return current_app.config.get("LOGIN_ACCOUNT_LIMIT", "100 per hour")


def ip_limit() -> str:
    return current_app.config.get("LOGIN_IP_LIMIT", "300 per hour")
