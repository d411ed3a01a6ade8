"""Staff recordings as records: add one (checked, normalised like generated audio,
kept in the database) and undo (the previous recording becomes current again). Plain
functions on a SQLAlchemy session, for the admin and the `ivr` command alike; every
change is one audit entry, committed with it by the caller's session.

A recording is of one registry item ("ti|welcome|"): it keeps the text the item said
when it was made, so a changed text later shows the recording as stale.
"""
from sqlalchemy import select

from ..audio import encoding, live
from ..audio.store import digest
from ..content import registry
from ..store.db import utcnow
from ..store.models import Recording
from .audit import record_audit

MAX_BYTES = 10 * 1024 * 1024  # an upload larger than this is refused before decoding
MAX_SECONDS = 90  # longer than any prompt should be


class RecordingError(ValueError):
    """A recording refused, with a message for the person who made it."""


def find_item(content, item_id):
    """The registry item (its language and current text) named by `item_id`."""
    for item in registry.items(content):
        if item.id == item_id:
            return item
    raise RecordingError(f"there is no prompt {item_id!r}")


def to_phone(raw):
    """Telephone WAV bytes for an upload, or RecordingError saying why not: really
    audio (decoded by ffmpeg, whatever the file is called), at most MAX_BYTES and
    MAX_SECONDS, not silent."""
    if not raw:
        raise RecordingError("the file is empty")
    if len(raw) > MAX_BYTES:
        raise RecordingError(f"the file is {len(raw) / 1048576:.1f} MB; at most {MAX_BYTES // 1048576} MB")
    try:
        segment = encoding.decode(raw, "wav" if raw[:4] == b"RIFF" else "upload")
    except encoding.AudioError:
        raise RecordingError("the file is not audio this line can read (try WAV, MP3, OGG or WebM)") from None
    if len(segment) > MAX_SECONDS * 1000:
        raise RecordingError(f"the recording is {len(segment) / 1000:.0f} seconds; at most {MAX_SECONDS}")
    try:
        return encoding.for_phone(segment)
    except encoding.AudioError as exc:
        raise RecordingError(f"the recording cannot be used: {exc}") from None


def history(session, item_id):
    """Every recording of an item, newest first."""
    query = select(Recording).where(Recording.item_id == item_id).order_by(Recording.id.desc())
    return session.scalars(query).all()


def current(session, item_id):
    return session.scalar(select(Recording).where(Recording.item_id == item_id, Recording.current))


def all_current(session, lang=None):
    """{item id: current recording}, for one language or all."""
    query = select(Recording).where(Recording.current)
    if lang:
        query = query.where(Recording.lang == lang)
    return {recording.item_id: recording for recording in session.scalars(query)}


def add(session, item, raw, actor, now=None, audio=None, details=None):
    """Make `raw` (an uploaded file's bytes) the current recording of `item` (a
    registry Item). Nothing changes when it is refused. `audio` instead of `raw`: bytes
    already checked and made telephone-ready by to_phone (a take made by phone);
    `details` adds to the audit entry (how it was made)."""
    audio = to_phone(raw) if audio is None else audio
    previous = current(session, item.id)
    if previous is not None:
        previous.current = False
    recording = Recording(
        lang=item.lang, item_id=item.id, text=item.text, audio=audio, digest=digest(audio),
        seconds=encoding.measure(audio)["seconds"], made_by=actor, made_at=now or utcnow(), current=True,
    )
    session.add(recording)
    session.flush()
    record_audit(session, actor, "recording.add", target=item.id, details={
        "recording": recording.id, "seconds": round(recording.seconds, 2),
        "replaces": previous.id if previous is not None else None, **(details or {}),
    }, now=now)
    return recording


def undo(session, item_id, actor, now=None):
    """Drop the current recording of an item back to the one before it (or to none:
    the line's engines speak it again). Returns the recording now current, or None."""
    recordings = history(session, item_id)
    now_current = next((r for r in recordings if r.current), None)
    if now_current is None:
        raise RecordingError(f"{item_id} has no recording to undo")
    now_current.current = False
    earlier = next((r for r in recordings if r.id < now_current.id), None)
    if earlier is not None:
        earlier.current = True
    session.flush()
    record_audit(session, actor, "recording.undo", target=item_id, details={
        "undone": now_current.id, "current": earlier.id if earlier is not None else None,
    }, now=now)
    return earlier


def is_stale(recording, item):
    return recording.text != item.text


def put_on_line(store, item, recording, stale_recordings="use"):
    """What the line plays for `item` from its next call, on every host: `recording`
    (the current one, after add or undo), or the engines' audio when it is None or
    stale where STALE_RECORDINGS is "skip". Call it after the session commits."""
    if recording is None or (is_stale(recording, item) and stale_recordings == "skip"):
        live.unplay(store, item.id)
    else:
        live.play(store, item.id, item.text, recording.audio, stale=is_stale(recording, item))
