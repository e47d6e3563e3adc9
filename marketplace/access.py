"""Deny by default: every view states who may open it, or it answers 403.

Views declare access with `@public` or `@roles(...)`. Ownership rules (a company user
and its own organisation, an operator and its partner) are policy functions below,
called by services and views with the object in hand.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app, request
from flask_login import current_user

from marketplace.accounts.models import Role, User

ACCESS_ATTR = "_access_rule"


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    setattr(view, ACCESS_ATTR, "public")
    return view


def roles(*allowed: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only signed-in users with one of these roles (admins always pass)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role != Role.ADMIN and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, ACCESS_ATTR, ("roles", allowed))
        return guarded

    return decorator


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    return roles(*Role)(view)


def _enforce_declared_access() -> None:
    if request.endpoint is None:
        return  # 404s and the like are answered by the error handlers
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, ACCESS_ATTR, None) is None:
        abort(403)


def init_app(app: Flask) -> None:
    app.before_request(_enforce_declared_access)
    # Flask's own static route carries no marker: declare it public here.
    static_view = app.view_functions.get("static")
    if static_view is not None:
        setattr(static_view, ACCESS_ATTR, "public")


# -- ownership policies ------------------------------------------------------------


def can_manage_organization(user: User, organization_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in {Role.ADMIN, Role.PARTNER_ADMIN}:
        return True
    return user.role == Role.COMPANY and user.organization_id == organization_id


def can_edit_public_data(user: User, organization: Any) -> bool:
    """The organisation's public page data and sites: network staff, or the company's own users."""
    return can_manage_organization(user, organization.id)


def can_edit_record(user: User) -> bool:
    """The shared record (identifiers, L. 68, inclusion profile…) is kept by partner_admins and admins."""
    return user.is_authenticated and user.role in {Role.ADMIN, Role.PARTNER_ADMIN}


def note_partner_scope(user: User) -> tuple[bool, int | None]:
    """Whose private notes `user` may read: (may read, partner id or None for every partner).

    Notes belong to one partner: its operators and partner_admins read them, admins read all,
    nobody else reads any.
    """
    if not user.is_authenticated:
        return False, None
    if user.role == Role.ADMIN:
        return True, None
    if user.role in {Role.OPERATOR, Role.PARTNER_ADMIN} and user.partner_id is not None:
        return True, user.partner_id
    return False, None


def can_write_notes(user: User) -> bool:
    """Only a partner's partner_admins (or an admin acting for a partner) write its notes."""
    return user.is_authenticated and user.role in {Role.ADMIN, Role.PARTNER_ADMIN} and user.partner_id is not None


def can_delete_note(user: User, note: Any) -> bool:
    return can_write_notes(user) and note.partner_id == user.partner_id
