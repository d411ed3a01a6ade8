"""The line's job queue (RQ) on its Redis: how the web enqueues background work.

A webhook enqueues and answers at once; the worker (ivr.jobs.worker) runs the job.
Jobs are named by their import path ("ivr.offices.sms.send"), so the web never imports
what only the worker runs. A phone number never goes into a job's arguments in clear:
seal it first (ivr.store.sealed), because RQ keeps arguments in Redis and logs them.
"""
from rq import Queue, Retry

QUEUE = "ivr"
# A finished job's record is dropped at once (it may hold a sealed number); a failed
# one is kept a week for the operator to see why (`rq info`, the worker's log).
RESULT_TTL = 0
FAILURE_TTL = 7 * 24 * 3600


def retry_intervals(settings):
    """JOB_RETRY_SECONDS ("30,120,600") as the waits before each retry."""
    return [int(part) for part in str(settings["JOB_RETRY_SECONDS"]).split(",") if part.strip()]


def queue(connection):
    return Queue(QUEUE, connection=connection)


def enqueue(connection, settings, function, *args, retry=True, description=None, **options):
    """Queues `function` (an import path) with `args`; retried JOB_RETRY_SECONDS apart
    when it raises, unless `retry` is False. `description` is what RQ logs for it:
    a plain name, never the arguments."""
    intervals = retry_intervals(settings)
    return queue(connection).enqueue(
        function, *args,
        retry=Retry(max=len(intervals), interval=intervals) if retry and intervals else None,
        description=description or function.rsplit(".", 1)[-1],
        result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL, **options,
    )


class Jobs:
    """The web's side of the queue: enqueue through the Redis breaker, so a Redis that
    is down gives None (the caller hears that it could not be done now), not an error."""

    def __init__(self, settings, breaker):
        self.settings = settings
        self.breaker = breaker

    def enqueue(self, function, *args, **options):
        return self.breaker.call(lambda client: enqueue(client, self.settings, function, *args, **options))
