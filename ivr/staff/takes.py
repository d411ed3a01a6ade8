"""Takes recorded on the staff line, between Twilio's <Record> and "keep".

Each take is known by Twilio's RecordingSid. The worker fetches it when Twilio says it
is ready, checks and normalises it like an upload and holds it here, in Redis, for a
day (one hash per take, keys.staff_take): its telephone audio, or why it was refused.
Only a take the caller keeps becomes a recording: "keep" marks it, and whichever comes
second, the fetch or the keep, promotes it (`promote`). A take recorded again over,
or never kept, just expires. Promotion happens once per RecordingSid however often
Twilio's callback arrives or keep is pressed (HSETNX on the hash's `done` field).
"""
import json

from ..store import keys
from . import recordings

TAKE_SECONDS = 24 * 3600  # a take not kept within a day is dropped
AUDIO, REFUSED, KEEP, DONE = "audio", "refused", "keep", "done"
PROMOTING = "promoting"


def state(client, sid):
    """{field: bytes} of a take: audio, refused, keep, done (each only when set)."""
    return {name.decode(): value for name, value in client.hgetall(keys.staff_take(sid)).items()}


def _set(client, sid, mapping):
    pipe = client.pipeline()
    pipe.hset(keys.staff_take(sid), mapping=mapping)
    pipe.expire(keys.staff_take(sid), TAKE_SECONDS)
    pipe.execute()


def is_fetched(client, sid):
    """Whether the worker has already dealt with this take (a callback twice)."""
    return any(client.hexists(keys.staff_take(sid), name) for name in (AUDIO, REFUSED, DONE))


def hold(client, sid, raw):
    """Check and normalise a fetched take like an upload (recordings.to_phone) and hold
    it; returns the reason when it is refused, else None."""
    try:
        audio = recordings.to_phone(raw)
    except recordings.RecordingError as exc:
        _set(client, sid, {REFUSED: str(exc)})
        return str(exc)
    _set(client, sid, {AUDIO: audio})
    return None


def keep(client, sid, item_id, staff_name):
    """The caller pressed keep for this take of `item_id`."""
    _set(client, sid, {KEEP: json.dumps({"item": item_id, "staff": staff_name})})


def promote(client, sid, session, content, store, stale_recordings="use"):
    """Make a kept, fetched take the current recording of its prompt (in the database,
    audited as made by phone by the staff member who kept it) and put it on the line.
    Returns the Recording, or None when the take is not both kept and fetched yet,
    was refused, or was promoted before."""
    found = state(client, sid)
    if AUDIO not in found or KEEP not in found or DONE in found:
        return None
    if not client.hsetnx(keys.staff_take(sid), DONE, PROMOTING):
        return None  # the other side (the worker, or the keep) is promoting it
    try:
        kept = json.loads(found[KEEP])
        item = recordings.find_item(content, kept["item"])
        recording = recordings.add(session, item, None, actor=kept["staff"], audio=found[AUDIO],
                                   details={"by": "phone", "twilio": sid})
        session.commit()
    except BaseException:
        session.rollback()
        client.hdel(keys.staff_take(sid), DONE)  # not promoted: the next try may
        raise
    recordings.put_on_line(store, item, recording, stale_recordings)
    pipe = client.pipeline()
    pipe.hset(keys.staff_take(sid), DONE, str(recording.id))
    pipe.hdel(keys.staff_take(sid), AUDIO)  # it lives in the database now
    pipe.execute()
    return recording
