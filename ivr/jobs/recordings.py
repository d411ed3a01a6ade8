"""A take recorded on the staff line, fetched when Twilio's recording status callback
says it is ready (ivr.staff.playback enqueues this).

The take is fetched with the account's credentials, checked and normalised like an
upload and held until the caller keeps it (ivr.staff.takes), then deleted at Twilio:
the line keeps no copy there. If the caller has already pressed keep, it goes on the
line here. A callback that arrives twice fetches nothing twice (by RecordingSid).
"""
import logging

from twilio.base.exceptions import TwilioRestException

from ..staff import takes
from . import twilio_rest
from .context import current

log = logging.getLogger("ivr.jobs")
GONE = 404  # Twilio's answer for a recording already deleted


def fetch(sid, url):
    """Fetch take `sid` from `url` (its RecordingUrl), hold it, delete it at Twilio, and
    put it on the line if it was kept. Raises (and is retried) when Twilio fails."""
    context = current()
    client = context.redis
    if not takes.is_fetched(client, sid):
        reason = takes.hold(client, sid, twilio_rest.fetch_media(context.settings, url))
        if reason:
            log.info("recording %s refused: %s", sid, reason)
    _delete_at_twilio(context, sid)
    promote(sid)


def promote(sid):
    """Put take `sid` on the line when it is both fetched and kept (else nothing)."""
    context = current()
    services = context.services
    with context.database.session() as session:
        recording = takes.promote(context.redis, sid, session, services.content, services.store,
                                  context.settings["STALE_RECORDINGS"])
    if recording is not None:
        log.info("recording %s is on the line as recording %d (%s)", sid, recording.id, recording.item_id)


def _delete_at_twilio(context, sid):
    try:
        context.twilio.recordings(sid).delete()
    except TwilioRestException as exc:
        if exc.status != GONE:
            raise
