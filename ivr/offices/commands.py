"""`ivr offices`: the offices from the command line, each command a thin layer over
records, nearest, hours and check. Changes are audited as "cli"."""
import json
import sys
from datetime import datetime
from pathlib import Path

import click

from .. import config
from ..store import db
from . import check as checks, directory, files, hours, nearest, records
from .postcodes import Postcodes, is_pc4
from .rules import OfficeError


def records_session():
    """A session at the newest schema (a local run's SQLite gets the starting set)."""
    return db.command_session(config.from_environment()["DATABASE_URL"], records.seed_if_empty)


def _offices(session):
    return tuple(directory.info(o) for o in records.all_offices(session, active_only=True))


def _brief(office):
    return {"id": office.id, "name": office.name, "postcode": office.postcode, "lat": office.lat, "lon": office.lon}


def _moment(raw):
    if raw is None:
        return None
    try:
        return hours.local(datetime.fromisoformat(raw))
    except ValueError:
        raise click.BadParameter(f"an ISO time such as 2026-12-01T10:30 or 2026-12-01T09:30+00:00, not {raw!r}",
                                 param_hint="--at") from None


@click.group("offices")
def offices_group():
    """Offices: nearest by postcode, hours, check."""


@offices_group.command("nearest")
@click.argument("postcode")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--at", "at", default=None, help="Prefer an office open at this ISO time.")
def nearest_command(postcode, as_json, at):
    """The nearest office to a 4-digit postcode."""
    postcode = postcode.strip()
    if not is_pc4(postcode):
        raise click.BadParameter(f"a Dutch postcode has four digits (e.g. 9561), not {postcode!r}")
    codes = Postcodes.load()
    used = codes.closest_code(postcode)
    with records_session() as session:
        offices = _offices(session)
    if not offices:
        raise click.ClickException("there are no active offices: `ivr offices import FILE` first")
    office, km = nearest.nearest_to_postcode(offices, codes, used, _moment(at))
    if as_json:
        click.echo(json.dumps({"postcode": used, "office": _brief(office), "distance_km": round(km, 2)}))
        return
    if used != postcode:
        click.echo(f"{postcode} is not in the postcode data (a PO box?): using {used} ({codes.get(used).place}).")
    click.echo(f"{office.name}, {office.place} ({office.postcode}): {km:.1f} km from {used}")


@offices_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(as_json):
    """Every office (active and not)."""
    with records_session() as session:
        stored = records.all_offices(session)
        rows = [(o.active, directory.info(o)) for o in stored]
    if as_json:
        click.echo(json.dumps([{**_brief(info), "slug": info.slug, "active": active} for active, info in rows]))
        return
    for active, info in rows:
        click.echo(f"{info.id:>4}  {info.slug:<24} {info.name} ({info.place}, {info.postcode})"
                   f"{'' if active else '  INACTIVE'}  hours: {info.say_hours}  phone: {'yes' if info.phone else '-'}")
    if not rows:
        click.echo("No offices: `ivr offices import facts/offices.toml`.")


@offices_group.command("hours")
@click.argument("office")
@click.option("--at", "at", default=None, help="An ISO time (default: now), e.g. 2026-12-01T10:30.")
def hours_command(office, at):
    """What the line says about an office's hours."""
    moment = _moment(at)
    with records_session() as session:
        try:
            found = directory.info(records.find(session, office))
        except OfficeError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{found.name}, {found.place}: {hours.describe(found, moment)}")


@offices_group.command("check")
def check_command():
    """Check coordinates, hours, numbers, reach, dates.

    Exits 1 on errors."""
    settings = config.from_environment()
    with records_session() as session:
        report = checks.run(session, Postcodes.load(), max_age_days=int(settings["FACT_MAX_AGE_DAYS"]))
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)


@offices_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file):
    """Add or change offices from a TOML file (by slug).

    All or nothing: one refused office changes none."""
    from ..store.audit import CLI

    with records_session() as session:
        try:
            report = records.import_offices(session, files.read(file), CLI)
        except (OfficeError, files.FileError) as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(", ".join(f"{len(slugs)} {what}" for what, slugs in report.items()) + f" from {file}.")


@offices_group.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export_command(file):
    """Write every office as TOML (to FILE or stdout)."""
    with records_session() as session:
        offices = records.export_offices(session)
    if file is None:
        click.echo(files.dumps(offices), nl=False)
    else:
        files.write(offices, file)
        click.echo(f"{len(offices)} offices written to {file}.")
