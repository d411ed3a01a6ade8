"""A finished day's counts copied from Redis into the database (DailyStat), so Redis
can be lost without losing history. Idempotent: a day's rows are replaced, never added
to; and a day Redis no longer holds (flushed, expired) keeps the rows it has.
"""
from datetime import date, timedelta

from sqlalchemy import delete

from ..store import keys
from ..store.models import DailyStat

CALLERS = "callers"  # the day's unique callers (an estimate from the HyperLogLog)


class RedisUnavailable(RuntimeError):
    pass


def from_redis(client, day):
    """The day's counters from Redis: {name: count} (empty when Redis has none)."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.stats_day(day.isoformat()))
    pipe.pfcount(keys.stats_callers_day(day.isoformat()))
    pipe.smembers(keys.stats_heard(day.isoformat()))
    fields, callers, heard = pipe.execute()
    counts = {name.decode(): int(value) for name, value in fields.items()}
    for member in heard:
        name = "heard:" + member.decode().partition("|")[0]
        counts[name] = counts.get(name, 0) + 1
    if callers:
        counts[CALLERS] = int(callers)
    return counts


def read_redis(breaker, day):
    """The day's counters, or None when Redis cannot be reached."""
    return breaker.call(lambda client: from_redis(client, day))


def rollup(session, breaker, day):
    """Copy `day` into the database; the number of counters copied (0: Redis had none)."""
    counts = read_redis(breaker, day)
    if counts is None:
        raise RedisUnavailable("Redis cannot be reached: nothing was rolled up")
    if not counts:
        return 0
    session.execute(delete(DailyStat).where(DailyStat.day == day))
    session.add_all(DailyStat(day=day, name=name, count=count) for name, count in counts.items())
    session.commit()
    return len(counts)


def days_back(day, days):
    return day - timedelta(days=days)


def parse_day(text):
    return date.fromisoformat(text)
