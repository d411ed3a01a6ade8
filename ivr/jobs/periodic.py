"""The periodic jobs the clock queues (ivr.jobs.clock.PERIODIC). Each is safe to run
again and takes no arguments: what it needs comes from the worker's context."""
from datetime import datetime, timedelta, timezone

from ..stats.rollup import rollup
from .context import current


def roll_up_statistics():
    """Yesterday's and today's counts into the database (replacing what is there)."""
    context = current()
    today = datetime.now(timezone.utc).date()
    with context.database.transaction() as session:
        for day in (today - timedelta(days=1), today):
            rollup(session, context.breaker, day)
