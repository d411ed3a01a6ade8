"""`ivr stats`: the statistics in a terminal, and `ivr stats rollup`, which copies a
finished day's counts from Redis into the database (run it daily: a platform cron
or scheduler, e.g. `ivr stats rollup` at 00:30 UTC)."""
from datetime import datetime, timezone

import click

from .. import config


def _today():
    return datetime.now(timezone.utc).date()


def _session(settings):
    from ..store import db

    return db.command_session(settings["DATABASE_URL"])


def _breaker(settings):
    from ..store import redis as redis_store
    from ..store.breaker import Breaker

    url = settings.get("REDIS_URL", "")
    return Breaker(connect=lambda: redis_store.connect(url)) if url else Breaker()


@click.group("stats", invoke_without_command=True)
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="Days up to today.")
@click.pass_context
def stats_group(ctx, days):
    """Call statistics: calls, the funnel, give-ups.

    Calls, languages, the funnel, where callers give up, unique
    callers per month; counts only."""
    if ctx.invoked_subcommand is not None:
        return
    from ..content import load_content
    from . import report as reports
    from .rollup import days_back

    settings = config.from_environment()
    end = _today()
    with _session(settings) as session:
        shown = reports.gather(session, _breaker(settings), days_back(end, days - 1), end,
                               load_content(settings).tree, int(settings["STATS_THRESHOLD"]))
    click.echo(reports.text(shown), nl=False)


@stats_group.command("rollup")
@click.option("--day", default=None, help="The day to copy, YYYY-MM-DD (UTC). Default: yesterday.")
def rollup_command(day):
    """Copy a finished day's counts from Redis into the database.

    Safe to run again: the day's rows are replaced, never added to."""
    from .rollup import RedisUnavailable, parse_day, rollup, days_back

    try:
        chosen = parse_day(day) if day else days_back(_today(), 1)
    except ValueError:
        raise click.BadParameter(f"{day!r} is not a day written YYYY-MM-DD", param_hint="--day") from None
    settings = config.from_environment()
    if not settings.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: the day's counts are in Redis.")
    with _session(settings) as session:
        try:
            copied = rollup(session, _breaker(settings), chosen)
        except RedisUnavailable as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{chosen.isoformat()}: {copied} counters rolled up" if copied
               else f"{chosen.isoformat()}: Redis holds no counts for this day; the database keeps what it has.")
