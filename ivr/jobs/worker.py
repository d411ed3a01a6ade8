"""`ivr worker`: runs the line's background jobs (the Procfile's `worker:` line).

One process: an RQ worker that runs each job in itself (SimpleWorker: what a job needs
is made once, not per job), RQ's scheduler for retries that wait, and the clock for
periodic jobs. SIGTERM finishes the job at hand, then stops; several workers may run.
"""
import logging
import sys
import threading

import click
from rq import SimpleWorker

from .. import config
from ..store import queue, redis as redis_store
from . import clock


class NoRedis(RuntimeError):
    pass


def run(settings, burst=False):
    """Works until stopped; with `burst`, until the queue is empty (tests, one-offs)."""
    if not settings["REDIS_URL"]:
        raise NoRedis("REDIS_URL is not set: the worker takes its jobs from the line's Redis")
    # No socket timeout of ours: RQ sets one longer than its blocking wait for a job.
    from . import context  # the services it makes are heavy: not for `ivr --help`

    connection = redis_store.connect(settings["REDIS_URL"], socket_timeout=None)
    context.install(settings)
    stop = threading.Event()
    if not burst:
        clock.start(connection, settings, stop)
    worker = SimpleWorker([queue.queue(connection)], connection=connection)
    try:
        # RQ logs each job by its description, a plain name (ivr.store.queue.enqueue).
        return worker.work(burst=burst, with_scheduler=True, logging_level="INFO" if not burst else "WARNING")
    finally:
        stop.set()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst):
    """Run background jobs: SMS, calls back, recordings.

    The Procfile's worker line; needs REDIS_URL (and the database)."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        run(config.from_environment(), burst=burst)
    except NoRedis as exc:
        raise click.ClickException(str(exc)) from None
