"""A finished day's counts copied from Redis into the database (DailyStat), so Redis
can be lost without losing history. Idempotent: a day's rows are replaced, never added
to; and a day Redis no longer holds (flushed, expired) keeps the rows it has. The
day's month's unique callers so far go along (MonthlyStat, ivr.stats.months).
"""
from datetime import date, timedelta

from sqlalchemy import delete

from ..store import keys
from ..store.models import DailyStat
from . import months
from .months import CALLERS  # the day's unique callers too (an estimate from its HyperLogLog)


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


def rollup(session, breaker, day):
    """Copy `day`, and its month's unique callers so far, into the database; the number
    of the day's counters copied (0: Redis had none)."""
    month = months.month_of(day)
    found = breaker.call(lambda client: (from_redis(client, day), months.from_redis(client, [month])[month]))
    if found is None:
        raise RedisUnavailable("Redis cannot be reached: nothing was rolled up")
    counts, callers = found
    months.rollup(session, callers, month)
    if counts:
        session.execute(delete(DailyStat).where(DailyStat.day == day))
        session.add_all(DailyStat(day=day, name=name, count=count) for name, count in counts.items())
    session.commit()
    return len(counts)


def days_back(day, days):
    return day - timedelta(days=days)


def parse_day(text):
    return date.fromisoformat(text)
