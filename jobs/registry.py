"""The job decorator and the registry of declared jobs."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Named queues, in the order a worker listens to them (first = most urgent).
QUEUES = ("mail", "search", "default", "exports", "imports")


@dataclass(frozen=True)
class JobSpec:
    name: str
    queue: str
    retries: int
    retry_intervals: tuple[int, ...]
    timeout: int


_worker_app: Any = None
_worker_app_pid: int | None = None


def set_worker_app(app: Any) -> None:
    """The worker entry point hands over the app it built once."""
    global _worker_app, _worker_app_pid
    _worker_app, _worker_app_pid = app, os.getpid()


def _job_app() -> Any:
    """The app to run a job in: the current one in-process, else the worker's own."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from marketplace import create_app

        set_worker_app(create_app())
    elif _worker_app_pid != os.getpid():
        # RQ forks a work horse per job: pooled connections must not cross the fork.
        from marketplace.extensions import drop_inherited_connections

        with _worker_app.app_context():
            drop_inherited_connections()
        set_worker_app(_worker_app)
    return _worker_app


def job(
    queue: str = "default",
    *,
    retries: int = 0,
    retry_intervals: tuple[int, ...] = (5, 30, 120),
    timeout: int = 600,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a job. Jobs that touch other services should ask for retries."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        spec = JobSpec(
            name=f"{func.__module__}.{func.__qualname__}",
            queue=queue,
            retries=retries,
            retry_intervals=retry_intervals,
            timeout=timeout,
        )

        @functools.wraps(func)
        def run(*args: Any) -> Any:
            app = _job_app()
            # A fresh app context per run gives the job its own database session.
            with app.app_context():
                return func(*args)

        run.spec = spec  # type: ignore[attr-defined]
        return run

    return decorator


def spec_of(func: Callable[..., Any]) -> JobSpec:
    try:
        return func.spec  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError(f"{func!r} is not declared with @job") from None
