"""The `ivr` command: the line's own commands, each a thin layer over plain functions."""
import os
import sys

import click

from . import config
from .report import answer_timing, missing_lines, record_first
from .jobs.worker import worker_command
from .offices.commands import offices_group
from .stats.commands import stats_group


def _services(**overrides):
    from .services import Services

    return Services({**config.from_environment(), **overrides})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """The return-information phone line."""


main.add_command(stats_group)
main.add_command(worker_command)
main.add_command(offices_group)


@main.command("check")
def check_command():
    """Check the tree, prompts, facts and audio.

    Every node reachable within three presses, every prompt in every language with
    the reference's placeholders, facts' verified dates, what falls back to <Say>.
    Exits 1 on errors."""
    from .content.check import run_check

    line = _services()
    report = run_check(line.content, line.settings, line.offered(), audio=line.manifest)
    if line.manifest is not None:
        report.warnings += answer_timing(line)[1]
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)


@main.group("audio")
def audio_group():
    """Build and inspect the line's pre-generated audio."""


@audio_group.command("build")
@click.option("--jobs", type=int, default=None, help="Prompts synthesised at once.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build_command(jobs, quiet):
    """Make audio for every prompt and language.

    Telephone-ready, content-addressed: only what changed is made."""
    from .audio.build import build

    line = _services(**({"AUDIO_JOBS": jobs} if jobs else {}))
    from .commands import current_recordings

    report = build(line.content, line.store, line.settings, progress=not quiet, log=click.echo,
                   recorded=current_recordings())
    click.echo(report.table(list(line.content.catalogues)))
    # Missing audio is expected in a language no engine speaks: it waits for staff
    # recordings and is not offered until then. Anywhere else it is an error (below).
    waiting = {lang: len(ids) for lang, ids in sorted(report.missing.items())
               if ids and lang not in report.required_incomplete}
    missing = sum(len(ids) for ids in report.missing.values())
    click.echo(f"{report.synthesised} made, {missing} missing, in {report.seconds:.1f} s")
    if waiting:
        click.echo(f"Waiting for staff recordings (no engine speaks them; not offered until recorded): "
                   f"{', '.join(f'{lang} ({n} prompts)' for lang, n in waiting.items())}. "
                   f"`ivr audio coverage --lang {next(iter(waiting))}` lists what one still lacks.")
    for failure in report.failures[:20]:
        click.echo(f"FAILED: {failure}", err=True)
    for lang, ids in sorted(report.stale.items()):
        click.echo(f"STALE recordings in {lang} (their text has changed): {', '.join(ids[:10])}"
                   + (" ..." if len(ids) > 10 else ""))
    if not report.ok:
        click.echo(f"ERROR: audio is missing for languages that should be spoken: {', '.join(report.required_incomplete)}", err=True)
        sys.exit(1)


@audio_group.command("coverage")
@click.option("--lang", default=None, help="List what one language still lacks.")
def coverage_command(lang):
    """Which languages lack audio, and which audio cannot be served.

    Reads every file of the build (on disk, or in Redis with REDIS_URL) and exits 1
    when any is corrupt or missing; an unknown --lang is an error too."""
    line = _services(AUDIO_ENABLED=True)
    manifest, codes = line.manifest, list(line.content.catalogues)
    if lang is not None and lang not in codes:
        raise click.BadParameter(f"no catalogue for {lang!r}; the languages are {', '.join(codes)}", param_hint="--lang")
    broken = manifest.items_of(manifest.check_audio())
    for code in [lang] if lang else codes:
        missing = manifest.missing.get(code, [])
        unservable = [item_id for item_id in broken if item_id.startswith(f"{code}|")]
        total = manifest.planned_counts.get(code, 0)
        click.echo(f"{code}: {total - len(missing)}/{total} {'complete' if not missing else 'INCOMPLETE'}"
                   + (f", {len(unservable)} UNSERVABLE" if unservable else ""))
        if lang:
            click.echo("\n".join(missing_lines(line.content, missing)) if missing else "", nl=bool(missing))
            for item_id in unservable:
                click.echo(f"  unservable {item_id} (key {manifest.entries[item_id]['key']})")
    if lang:
        record_first(line.content, lang)
    if broken:
        click.echo(f"ERROR: {len(broken)} prompts have audio that is corrupt or missing on disk and in Redis "
                   "(spoken with <Say> instead); `ivr audio build` remakes it", err=True)
        sys.exit(1)


@audio_group.command("timing")
def timing_command():
    """Seconds a caller listens before an answer.

    Per language, from the built audio: the worst and median wait for a first-time
    and a returning caller, the worst path, the longest menu. Exits 1 over target."""
    lines, problems = answer_timing(_services(AUDIO_ENABLED=True))
    click.echo("\n".join(lines))
    for problem in problems:
        click.echo(f"OVER: {problem}")
    sys.exit(1 if problems else 0)


@main.command("call")
@click.option("--url", default=None, help="The line's URL. Default: http://127.0.0.1:$PORT when PORT is set, "
              "else where a running `make run` serves, else http://127.0.0.1:5000.")
@click.option("--from", "caller", default="+31612345678", show_default=True, help="The caller's number.")
@click.option("--keys", default=None, help='Keys to press, e.g. "1 2 - 995#" ("-" is silence). Omit to type them.')
@click.option("--token", envvar="TWILIO_AUTH_TOKEN", default="", help="Sign requests with this auth token.")
def call_command(url, caller, keys, token):
    """Call the running line as Twilio would.

    Prints what a caller hears; keys from --keys or typed."""
    from .dev import simulator

    url, source = (url, "given with --url") if url else simulator.line_url(config.from_environment(), os.environ)
    call = simulator.Call(base_url=url, caller=caller, token=token)
    next_keys = simulator.scripted(keys) if keys is not None else simulator.keyboard()
    try:
        simulator.run(call, next_keys, simulator.printer())
    except simulator.Unreachable as exc:
        raise click.ClickException(
            f"{exc} ({source}). Start the line with `make run`, or say where it runs: "
            f"`ivr call --url http://127.0.0.1:<port>`, or `PORT=<port> make call`.") from exc
    except (simulator.CallError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


# -- the database and staff --------------------------------------------------------------------
@main.group("db")
def db_group():
    """The database of records: staff, the audit log, recordings."""


@db_group.command("upgrade")
def db_upgrade_command():
    """Bring the database to the newest schema.

    Run once per release, before the web process starts (the Procfile's release)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .store import db

    database = db.Database(config.from_environment()["DATABASE_URL"])
    try:
        before, head = db.revisions(database)
        db.upgrade(database)
    except SQLAlchemyError as exc:
        raise click.ClickException(f"cannot upgrade {db.describe(database.url)}: {exc.__class__.__name__}: {exc}") from exc
    said = "already at" if before == head else f"upgraded from {before or 'empty'} to"
    click.echo(f"Database {db.describe(database.url)}: {said} revision {head}.")
    from .offices.records import seed_if_empty

    with database.transaction() as session:
        if loaded := seed_if_empty(session):  # a first start: the offices' starting set
            click.echo(f"Loaded the starting set of {loaded} offices (facts/offices.toml).")


def _staff_session():
    from .commands import records_session

    return records_session()


def _secret(label, from_stdin):
    """A password or PIN: typed twice at a prompt, or one line of standard input (for
    scripts: --password-stdin, or whenever the input is not a terminal)."""
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(label, hide_input=True, confirmation_prompt=True)


def _staff_change(change, *args):
    from .staff.accounts import StaffError

    with _staff_session() as session:
        try:
            return change(session, *args)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from exc


@main.group("staff")
def staff_group():
    """Staff accounts: add, list, disable, set a phone PIN."""


@staff_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "agent", "admin"]), required=True,
              help="editor: prompts and recordings; agent: callback requests; admin: staff too.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_add_command(name, role, password_stdin):
    """Add a staff member (the password from a prompt or stdin)."""
    from .staff import accounts

    member = _staff_change(accounts.create_staff, name, role, _secret("Password", password_stdin))
    click.echo(f"Added {member.name} ({member.role}), staff number {member.id}.")


@staff_group.command("list")
def staff_list_command():
    """List staff: number, name, role, state, PIN."""
    from .staff import accounts
    from .store.db import utcnow

    with _staff_session() as session:
        members = accounts.list_staff(session)
    now = utcnow()
    click.echo(f"{'number':>6}  {'name':<32} {'role':<7} {'state':<9} pin")
    for m in members:
        state = "disabled" if m.disabled else "locked" if accounts.is_locked(m, now) else "active"
        click.echo(f"{m.id:>6}  {m.name:<32} {m.role:<7} {state:<9} {'set' if m.pin_hash else '-'}")
    if not members:
        click.echo("No staff yet: ivr staff add NAME --role admin")


@staff_group.command("disable")
@click.argument("name")
def staff_disable_command(name):
    """Disable an account (it can no longer log in)."""
    from .staff import accounts

    click.echo(f"Disabled {_staff_change(accounts.disable, name).name}.")


@staff_group.command("enable")
@click.argument("name")
def staff_enable_command(name):
    """Enable a disabled account again."""
    from .staff import accounts

    click.echo(f"Enabled {_staff_change(accounts.enable, name).name}.")


@staff_group.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_password_command(name, password_stdin):
    """Set a new password (and end a lock)."""
    from .staff import accounts

    member = _staff_change(accounts.set_password, name, _secret("New password", password_stdin))
    click.echo(f"New password set for {member.name}.")


@staff_group.command("pin")
@click.argument("name")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input.")
def staff_pin_command(name, pin_stdin):
    """Set the phone PIN (4 to 8 digits) for recording by phone."""
    from .staff import accounts

    member = _staff_change(accounts.set_pin, name, _secret("PIN", pin_stdin))
    click.echo(f"PIN set for {member.name} (staff number {member.id}).")


def _add_recordings():
    from .commands import recordings_group

    main.add_command(recordings_group)


_add_recordings()

if __name__ == "__main__":
    main()
