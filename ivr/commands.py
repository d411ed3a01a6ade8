"""The `ivr` commands over the database of records: a session at the newest schema
(for `ivr staff` too), and `ivr recordings add | undo` with the admin's checks and
effect: on the line from the next call on every host, audited as "cli"."""
from pathlib import Path

import click

from . import config


def records_session():
    """A session on a database at the newest schema. The embedded SQLite of a local
    run is brought up to date here; a configured database by `ivr db upgrade`."""
    from .store import db

    return db.command_session(config.from_environment()["DATABASE_URL"])


def current_recordings():
    """{item id: (text, audio)} of the database's current recordings, for the audio
    build; none when the records are not there (a local run that never made any)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .staff import recordings
    from .store import db

    url = config.from_environment()["DATABASE_URL"]
    if not url and not db.EMBEDDED.exists():
        return {}
    database = db.Database(url)
    try:
        if not db.is_current(database):
            return {}
        with database.session() as session:
            return {i: (r.text, r.audio) for i, r in recordings.all_current(session).items()}
    except SQLAlchemyError as exc:
        raise click.ClickException(f"cannot read the recordings in {db.describe(database.url)}: {exc}") from exc
    finally:
        database.dispose()


def _item(line, lang, prompt):
    """The registry item for LANG and PROMPT (a name such as "welcome", an utterance
    such as "country|country=NL", or the prompt's number)."""
    from .content import registry
    from .staff.recordings import RecordingError, find_item

    if lang not in line.content.catalogues:
        raise click.BadParameter(f"no catalogue for {lang!r}; the languages are {', '.join(line.content.catalogues)}")
    if prompt.isdigit():
        named = {n: name for name, n in registry.numbers(line.content).items()}
        if int(prompt) not in named:
            raise click.BadParameter(f"there is no prompt number {prompt}")
        prompt = named[int(prompt)]
    try:
        return find_item(line.content, f"{lang}|{prompt}" + ("" if "|" in prompt else "|"))
    except RecordingError as exc:
        raise click.BadParameter(str(exc)) from exc


def _change(lang, prompt, change):
    """Run `change(session, item)` (add or undo), commit, and put the result on the line."""
    from .services import Services
    from .staff.audit import CLI
    from .staff.recordings import RecordingError, put_on_line

    line = Services({**config.from_environment(), "AUDIO_ENABLED": True})
    item = _item(line, lang, prompt)
    with records_session() as session:
        try:
            recording = change(session, item, CLI)
        except RecordingError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        put_on_line(line.store, item, recording, line.settings["STALE_RECORDINGS"])
        return item, recording


@click.group("recordings")
def recordings_group():
    """Staff recordings: add one from a file, undo the last."""


@recordings_group.command("add")
@click.argument("lang")
@click.argument("prompt")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def recordings_add_command(lang, prompt, file):
    """Make FILE the recording of PROMPT (a name or number) in LANG.

    Any audio ffmpeg reads, at most 10 MB and 90 seconds; normalised like generated
    audio and played from the next call."""
    from .staff import recordings

    raw = file.read_bytes()
    item, recording = _change(lang, prompt, lambda session, item, actor: recordings.add(session, item, raw, actor))
    click.echo(f"{item.id}: recording {recording.id} ({recording.seconds:.1f} s) is on the line.")


@recordings_group.command("undo")
@click.argument("lang")
@click.argument("prompt")
def recordings_undo_command(lang, prompt):
    """Put the previous recording of PROMPT in LANG back (or the engine's audio)."""
    from .staff import recordings

    item, recording = _change(lang, prompt, lambda session, item, actor: recordings.undo(session, item.id, actor))
    said = f"recording {recording.id}" if recording is not None else "the engine's audio (or none)"
    click.echo(f"{item.id}: {said} is on the line again.")
