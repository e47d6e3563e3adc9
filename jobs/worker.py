"""Worker entry point: build the app once, then serve the named queues.

Run with `python -m jobs.worker [queue …] [--no-scheduler]`.
"""

from __future__ import annotations

import sys

from redis import Redis
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from jobs import registry, schedule
from jobs.registry import QUEUES
from marketplace import create_app


def main(argv: list[str] | None = None) -> None:
    args = list(argv if argv is not None else sys.argv[1:])
    with_scheduler = "--no-scheduler" not in args
    names = [name for name in args if not name.startswith("--")] or list(QUEUES)
    app = create_app()
    registry.set_worker_app(app)
    settings = app.config["SETTINGS"]
    if not settings.redis_url:
        raise SystemExit("REDIS_URL is not set: in embedded mode jobs run in-process, no worker is needed")
    connection = Redis.from_url(settings.redis_url)
    queues = [Queue(name, connection=connection, serializer=JSONSerializer) for name in names]
    worker = Worker(queues, connection=connection, serializer=JSONSerializer)
    # Import the task modules so a typo in one fails here, not on the first job.
    import jobs.tasks.agreements
    import jobs.tasks.alerts
    import jobs.tasks.exports
    import jobs.tasks.imports
    import jobs.tasks.mail
    import jobs.tasks.opportunities
    import jobs.tasks.search
    import jobs.tasks.uploads  # noqa: F401

    if with_scheduler:
        schedule.start_in_background(app)
    # RQ's own scheduler moves retried jobs back onto their queues when their delay ends.
    worker.work(with_scheduler=True)


if __name__ == "__main__":
    main()
