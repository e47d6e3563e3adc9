"""Send declared jobs to RQ, or run them in-process in embedded mode."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from jobs.registry import spec_of

log = logging.getLogger(__name__)

PENDING_KEY = "jobs_after_commit"


class Dispatcher(Protocol):
    def send(self, func: Callable[..., Any], args: tuple[Any, ...]) -> None: ...


class RQDispatcher:
    def __init__(self, redis_url: str) -> None:
        from redis import Redis

        # Short timeouts: a web request must never hang on an unreachable Redis.
        self.connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)

    def queue(self, name: str):
        from rq import Queue
        from rq.serializers import JSONSerializer

        return Queue(name, connection=self.connection, serializer=JSONSerializer)

    def send(self, func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Enqueue on the job's named queue; returns the RQ job (for progress pages)."""
        from rq import Retry

        spec = spec_of(func)
        retry = Retry(max=spec.retries, interval=list(spec.retry_intervals)) if spec.retries else None
        return self.queue(spec.queue).enqueue(spec.name, args=args, retry=retry, job_timeout=spec.timeout)


class InProcessDispatcher:
    """Embedded mode: run the job now, in its own app context and session."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def send(self, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        with self.app.app_context():
            try:
                func(*args)
            except Exception:
                # The work it stood for is still recorded (outbox rows): it is retried later.
                log.exception("in-process job %s failed", spec_of(func).name)


def dispatch(func: Callable[..., Any], *args: Any) -> None:
    """Send a job now. Never raises: a job that cannot be sent waits in its outbox."""
    dispatcher: Dispatcher = current_app.extensions["jobs"]
    try:
        dispatcher.send(func, args)
    except Exception:
        log.warning("could not enqueue %s; it will be picked up later", spec_of(func).name, exc_info=True)


def enqueue_after_commit(session: Session, func: Callable[..., Any], *args: Any) -> None:
    """Send the job once the session's transaction commits; forget it on rollback."""
    spec_of(func)
    pending: list = session.info.setdefault(PENDING_KEY, [])
    if (func, args) not in pending:
        pending.append((func, args))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, [])
    for func, args in pending:
        dispatch(func, *args)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.redis_url:
        app.extensions["jobs"] = RQDispatcher(settings.redis_url)
    else:
        app.extensions["jobs"] = InProcessDispatcher(app)
