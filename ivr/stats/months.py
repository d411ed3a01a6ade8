"""Unique callers per month: days cannot be added up into them (a caller who calls on
two days is one caller), so the month has its own HyperLogLog in Redis (of the keyed
hash of each number; only its count is ever read). The nightly rollup copies the
month so far into the database (MonthlyStat), and the report reads a month from
whichever holds more: Redis for the month under way, the database once Redis has
let it go (after counting.MONTH_DAYS) or lost it.
"""
from datetime import date

from sqlalchemy import select

from ..store import keys
from ..store.models import MonthlyStat

CALLERS = "callers"  # the counter's name, as for a day's unique callers


def month_of(day):
    """The month a day is in, as its first day (how MonthlyStat names it)."""
    return day.replace(day=1)


def months_between(start, end):
    """The first day of every month from start's to end's."""
    months, month = [], month_of(start)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def from_redis(client, months):
    """{month: unique callers} from Redis's HyperLogLogs (0 where it holds none)."""
    pipe = client.pipeline(transaction=False)
    for month in months:
        pipe.pfcount(keys.stats_callers_month(f"{month:%Y-%m}"))
    return {month: int(count or 0) for month, count in zip(months, pipe.execute())}


def rollup(session, counted, month):
    """Keep `counted` (the month's unique callers so far, from Redis) in the database;
    never lower than what it holds, so a Redis that lost the month mid-way (and began
    counting it again) does not lower it. Leaves committing to the caller."""
    if not counted:
        return
    row = session.get(MonthlyStat, (month, CALLERS))
    if row is None:
        session.add(MonthlyStat(month=month, name=CALLERS, count=counted))
    elif counted > row.count:
        row.count = counted


def load(session, breaker, start, end):
    """{month: unique callers} for every month the days start..end touch (whole months)."""
    months = months_between(start, end)
    found = dict.fromkeys(months, 0)
    rows = session.execute(select(MonthlyStat).where(
        MonthlyStat.name == CALLERS, MonthlyStat.month >= months[0], MonthlyStat.month <= months[-1])).scalars()
    for row in rows:
        found[row.month] = row.count
    live = breaker.call(lambda client: from_redis(client, months)) or {}
    return {month: max(count, live.get(month, 0)) for month, count in found.items()}
