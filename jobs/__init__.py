"""Background jobs: one way to declare them, one way to enqueue them.

Jobs take ids, never objects. With Redis configured they go to named RQ queues and a
worker runs them; without it (embedded mode) they run in-process right after the
commit that asked for them. Callers do not know which.
"""

from jobs.dispatch import dispatch, enqueue_after_commit
from jobs.registry import QUEUES, job

__all__ = ["QUEUES", "dispatch", "enqueue_after_commit", "job"]
