"""The worker's clock: periodic jobs queued when due, once however many workers run.

Each periodic job holds a Redis key for its period (SET NX EX): the first worker to
take it queues the job, the others find it taken. A Redis restarted empty only makes
a job run early, and every periodic job is safe to run again.
"""
import logging
import threading
from dataclasses import dataclass

import redis

from ..store import keys, queue

log = logging.getLogger("ivr.jobs")


@dataclass(frozen=True)
class Periodic:
    name: str
    seconds: int
    function: str  # import path of a job that takes no arguments


# Every periodic job of the line, in one place.
PERIODIC = (
    # Today's and yesterday's counts into the database, so Redis can be lost.
    Periodic("stats-rollup", 3600, "ivr.jobs.periodic.roll_up_statistics"),
)


def tick(connection, settings, periodic=PERIODIC):
    """Queues each periodic job that is due; the names queued."""
    queued = []
    for job in periodic:
        if connection.set(keys.clock(job.name), "1", nx=True, ex=job.seconds):
            queue.enqueue(connection, settings, job.function, retry=False, description=job.name)
            queued.append(job.name)
    return queued


def start(connection, settings, stop):
    """A thread that ticks now and every CLOCK_SECONDS until `stop` is set."""

    def run():
        while True:
            try:
                tick(connection, settings)
            except redis.RedisError as exc:  # the worker itself reconnects; try again next tick
                log.warning("clock: Redis unavailable (%s)", type(exc).__name__)
            if stop.wait(int(settings["CLOCK_SECONDS"])):
                return

    thread = threading.Thread(target=run, name="ivr-clock", daemon=True)
    thread.start()
    return thread
