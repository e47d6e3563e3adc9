"""A job used only by the fault tests: slow on its first attempt, quick afterwards."""

from __future__ import annotations

import time

from flask import current_app

from jobs.registry import job

ATTEMPTS_KEY = "opportunita:test:slow-job-attempts"


@job("default", retries=1, retry_intervals=(0,))
def slow_once(seconds: int) -> int:
    redis = current_app.extensions["jobs"].connection
    attempt = redis.incr(ATTEMPTS_KEY)
    if attempt == 1:
        time.sleep(seconds)
    return attempt
