"""Field-level audit written at flush time, so every path (forms, imports, merges, the API) is covered.

A model opts in with an `__audit__` AuditSpec. The entries are inserted in the same
transaction as the change: a rolled back change leaves no audit trail, a committed one
always does.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from marketplace.audit.context import current_actor
from marketplace.audit.models import AuditEntry
from marketplace.models_base import utcnow


@dataclass(frozen=True)
class AuditSpec:
    entity: str
    fields: tuple[str, ...]
    subject_type: str = "organization"
    # The id of the record this row belongs to; defaults to the row itself.
    subject_id: Callable[[Any], int] = lambda row: row.id


def audit_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _spec(obj: Any) -> AuditSpec | None:
    return getattr(type(obj), "__audit__", None)


def _field_changes(obj: Any, spec: AuditSpec) -> list[tuple[str, str | None, str | None]]:
    state = inspect(obj)
    changes = []
    for field in spec.fields:
        history = state.attrs[field].history
        if not history.has_changes():
            continue
        old = audit_text(history.deleted[0]) if history.deleted else None
        new = audit_text(history.added[0]) if history.added else None
        if old != new:
            changes.append((field, old, new))
    return changes


def _entry(obj: Any, spec: AuditSpec, action: str, now: datetime, **values: Any) -> dict[str, Any]:
    actor = current_actor()
    return {
        "occurred_at": now, "actor_id": actor.user_id, "actor_partner_id": actor.partner_id,
        "source": actor.source, "subject_type": spec.subject_type, "subject_id": spec.subject_id(obj),
        "entity": spec.entity, "entity_id": obj.id, "action": action,
        "field": None, "old_value": None, "new_value": None, **values,
    }  # fmt: skip


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, flush_context: Any) -> None:
    # after_flush still sees the pre-flush attribute history, and new rows already have ids.
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        spec = _spec(obj)
        if spec is not None:
            rows.append(_entry(obj, spec, "create", now))
            rows.extend(_entry(obj, spec, "set", now, field=f, new_value=new)
                        for f, _old, new in _field_changes(obj, spec) if new is not None)  # fmt: skip
    for obj in session.dirty:
        spec = _spec(obj)
        if spec is not None:
            rows.extend(_entry(obj, spec, "update", now, field=f, old_value=old, new_value=new)
                        for f, old, new in _field_changes(obj, spec))  # fmt: skip
    for obj in session.deleted:
        spec = _spec(obj)
        if spec is not None:
            rows.append(_entry(obj, spec, "delete", now))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def record(session: Session, obj: Any, action: str, detail: str | None = None) -> None:
    """An explicit event with no field change of its own (merge, claim approval, a sensitive read…)."""
    spec = _spec(obj)
    if spec is None:
        raise ValueError(f"{type(obj).__name__} is not audited")
    session.add(AuditEntry(**_entry(obj, spec, action, utcnow(), new_value=detail)))
