"""`ivr callbacks`: the requests in a terminal (counts, never a number), the numbers
of closed requests deleted now, and every kept number sealed again with the newest
of NUMBER_KEYS (after putting a new key first; then the old one can be dropped)."""
from collections import Counter
from datetime import datetime, timezone

import click
from cryptography.fernet import InvalidToken
from sqlalchemy import select

from .. import config
from ..commands import records_session
from ..store.models import CallbackRequest
from ..store.sealed import NoKeys, Sealer
from . import requests


@click.group("callbacks")
def callbacks_group():
    """Call-back requests: counts, purge, reseal."""


@callbacks_group.command("list")
def list_command():
    """Open requests by state and language (no numbers)."""
    with records_session() as session:
        found = requests.open_requests(session)
    counts = Counter((item.status, item.lang or "?") for item in found)
    if not counts:
        click.echo("No open call-back requests.")
    for (status, lang), count in sorted(counts.items()):
        click.echo(f"{status:<8} {lang:<4} {count}")


@callbacks_group.command("purge")
def purge_command():
    """Delete the numbers of requests closed CALLBACK_RETENTION_DAYS ago."""
    days = config.from_environment()["CALLBACK_RETENTION_DAYS"]
    with records_session() as session:
        count = requests.purge_numbers(session, datetime.now(timezone.utc), days)
    click.echo(f"{count} number{'s' if count != 1 else ''} deleted.")


@callbacks_group.command("reseal")
def reseal_command():
    """Seal every kept number with the newest key."""
    sealer = Sealer(config.from_environment()["NUMBER_KEYS"])
    if not sealer.enabled:
        raise click.ClickException(str(NoKeys("NUMBER_KEYS is not set")))
    done = lost = 0
    with records_session() as session:
        for item in session.scalars(select(CallbackRequest).where(CallbackRequest.sealed_number.is_not(None))):
            try:
                item.sealed_number = sealer.reseal(item.sealed_number)
                done += 1
            except InvalidToken:  # sealed with a key no longer listed: it cannot be called back
                lost += 1
        session.commit()
    click.echo(f"{done} number{'s' if done != 1 else ''} sealed with the newest key"
               + (f"; {lost} could not be opened with any key" if lost else "") + ".")
