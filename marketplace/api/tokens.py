"""API tokens: created by a partner_admin for their partner's systems, shown once, kept as a hash.

A token reads `opp_<prefix>_<secret>`. The prefix (public, also stored) lets people tell their
tokens apart in the list; only the SHA-256 of the secret is stored, so a leaked database does
not leak working tokens. Services flush; the request commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.api.models import ApiToken
from marketplace.extensions import db
from marketplace.models_base import utcnow

TOKEN_SCHEME = "opp"
NAME_MAX = 120
# Writing last_used_at on every call would make a busy integration rewrite the row each time:
# once a minute is precise enough for "last used".
LAST_USED_RESOLUTION = timedelta(minutes=1)
TOKEN_PATTERN = re.compile(r"opp_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})")
# Whoever created a token must still be one of these, in the token's partner, for it to work.
TOKEN_OWNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.ADMIN})


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the full `opp_<prefix>_<secret>` string: shown once, never stored


class TokenRefused(Exception):
    """The token is missing, malformed, unknown or revoked (401), or its owner lost the right (403)."""

    def __init__(self, reason: str, *, forbidden: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.forbidden = forbidden


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(*, partner_id: int, name: str, created_by: User) -> NewToken:
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        partner_id=partner_id,
        created_by_id=created_by.id,
        name=name.strip()[:NAME_MAX],
        prefix=prefix,
        secret_sha256=digest(secret),
    )
    db.session.add(token)
    db.session.flush()
    return NewToken(token=token, secret=f"{TOKEN_SCHEME}_{prefix}_{secret}")


def authenticate(presented: str | None) -> ApiToken:
    """The active token `presented` is, with its creator loaded; raises TokenRefused otherwise.

    The lookup is by the secret's hash (an index on a value the caller cannot steer byte by
    byte), then the prefix is compared in constant time: no timing tells how much of a guess
    was right.
    """
    match = TOKEN_PATTERN.fullmatch((presented or "").strip())
    if match is None:
        raise TokenRefused("malformed")
    prefix, secret = match.groups()
    hashed = digest(secret)
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.secret_sha256 == hashed).options(selectinload(ApiToken.created_by))
    )
    if token is None or not (
        hmac.compare_digest(token.secret_sha256, hashed) and hmac.compare_digest(token.prefix, prefix)
    ):
        raise TokenRefused("unknown")
    if token.revoked_at is not None:
        raise TokenRefused("revoked")
    owner = token.created_by
    if not (owner.is_active_account and owner.role in TOKEN_OWNER_ROLES and owner.partner_id == token.partner_id):
        # A partner_admin who left the partner (or lost the role) takes their tokens' rights along.
        raise TokenRefused("owner", forbidden=True)
    _note_use(token)
    return token


def _note_use(token: ApiToken) -> None:
    """A plain UPDATE of one column of the token row: no versioned or searchable row is touched."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now),
        execution_options={"synchronize_session": False},
    )
    token.last_used_at = now


def revoke(token: ApiToken, *, actor: User) -> bool:
    """False when it was already revoked (revoking twice changes nothing)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    token.revoked_by_id = actor.id
    db.session.flush()
    return True


def can_manage(user: User, token: ApiToken) -> bool:
    """Admins manage every token; a partner_admin those of their own partner."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PARTNER_ADMIN and user.partner_id is not None and user.partner_id == token.partner_id


def can_create(user: User) -> bool:
    return user.role in TOKEN_OWNER_ROLES and user.partner_id is not None


def visible_to(user: User) -> list[ApiToken]:
    query = (
        select(ApiToken)
        .options(selectinload(ApiToken.created_by), selectinload(ApiToken.partner))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    if user.role != Role.ADMIN:
        query = query.where(ApiToken.partner_id == user.partner_id)
    return list(db.session.scalars(query))


def get(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)
