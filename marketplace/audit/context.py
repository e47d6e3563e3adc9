"""Who is acting: the signed-in user in a request, or what a job declares with `acting_as`."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from flask import has_request_context


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    partner_id: int | None
    source: str


_declared: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


@contextlib.contextmanager
def acting_as(user_id: int | None, partner_id: int | None, source: str) -> Iterator[None]:
    """Jobs and CLI commands have no signed-in user: they name the one they act for."""
    token = _declared.set(Actor(user_id, partner_id, source))
    try:
        yield
    finally:
        _declared.reset(token)


def current_actor() -> Actor:
    declared = _declared.get()
    if declared is not None:
        return declared
    if has_request_context():
        from flask_login import current_user

        if current_user.is_authenticated:
            return Actor(current_user.id, current_user.partner_id, "web")
        return Actor(None, None, "web")
    return Actor(None, None, "system")
