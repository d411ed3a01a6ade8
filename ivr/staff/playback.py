"""The staff line's second half (after entrance.py has found the prompt): <Record>
after the beep, Twilio's recording status callback (the worker fetches the take), the
take played back, and 1 keep, 2 record again, * another prompt.

Which take is kept is decided by its RecordingSid, carried in the ticket: "keep" marks
that take only, so a take recorded again over is never put on the line. Whichever
comes second, the worker's fetch or the keep, promotes it (takes.promote).
"""
import logging

from flask import Response, abort, request
from sqlalchemy.exc import SQLAlchemyError

from ..audio import encoding
from ..call.signature import twilio_only
from ..store import db
from ..store.models import Staff
from . import booth, takes
from .booth import words
from .entrance import (RECORDING_SID, absolute, ask_prompt, call_sid, setting, counter, pressed, item_of, line,
                       sealer, start_again, ticket_here, answer, step_url, bp)

log = logging.getLogger(__name__)
WAITS = 6  # pauses of 2 s for a take to arrive before offering the choice without it
COMPLETED = "completed"


def _prompt_ticket():
    ticket = ticket_here()
    return ticket if ticket is not None and ticket.lang and ticket.prompt else None


@bp.route("/record", methods=["POST"])
@twilio_only
def record():
    ticket = _prompt_ticket()
    if ticket is None:
        return start_again()
    tries = counter("tries")
    if tries >= setting("MAX_SILENT_TRIES"):
        return ask_prompt(ticket, 0)
    ticket = ticket.but(take="")
    return answer(booth.record(step_url("recorded", ticket), absolute(step_url("recording", ticket)),
                               step_url("record", ticket, tries=tries + 1)))


@bp.route("/recorded", methods=["POST"])
@twilio_only
def recorded():
    """<Record>'s action: the take's RecordingSid goes into the ticket."""
    ticket, sid = _prompt_ticket(), request.form.get("RecordingSid", "")
    if ticket is None:
        return start_again()
    if not RECORDING_SID.fullmatch(sid):
        return answer(booth.say_then([words("nothing_heard")], step_url("record", ticket)))
    return _offer(ticket.but(take=sid), wait=0, tries=0)


@bp.route("/recording", methods=["POST"])
@twilio_only
def recording_status():
    """Twilio's recording status callback: a completed take is fetched by the worker."""
    ticket, sid = _prompt_ticket(), request.form.get("RecordingSid", "")
    status = request.form.get("RecordingStatus", "")
    if ticket is None or not RECORDING_SID.fullmatch(sid):
        log.warning("staff line: a recording callback without a valid ticket or RecordingSid (ignored)")
        return "", 204
    if status != COMPLETED:
        log.info("staff line: recording %s %s", sid, status if status.isalpha() else "-")
        return "", 204
    job = line().jobs.enqueue("ivr.jobs.recordings.fetch", sid, request.form.get("RecordingUrl", ""),
                               description="recording")
    if job is None:
        log.warning("staff line: recording %s not queued: Redis is unavailable", sid)
        return "", 503  # Twilio may try the callback again
    return "", 204


def _take_state(sid):
    return line().store.breaker.call(lambda client: takes.state(client, sid))


def _offer(ticket, wait, tries, said=()):
    """The take played back (once here) and the choice; or a moment's wait for it."""
    found = _take_state(ticket.take)
    if found is None:
        return ask_prompt(ticket, 0, [words("unavailable")])
    if takes.REFUSED in found:
        reason = found[takes.REFUSED].decode()
        return answer(booth.say_then([words("refused", reason=reason)], step_url("record", ticket.but(take=""))))
    here = takes.AUDIO in found or takes.DONE in found
    if not here and wait < WAITS:
        return answer(booth.wait(step_url("take", ticket, wait=wait + 1), first=wait == 0))
    if tries >= setting("MAX_SILENT_TRIES"):
        return answer(booth.goodbye())
    said = list(said) + ([] if here else [words("not_ready")])
    audio = absolute(step_url("take.wav", ticket)) if takes.AUDIO in found and tries == 0 and not said else None
    return answer(booth.choice(step_url("take", ticket), step_url("take", ticket, tries=tries + 1, wait=wait), audio,
                               said, setting("GATHER_TIMEOUT")))


@bp.route("/take", methods=["POST"])
@twilio_only
def take():
    ticket = _prompt_ticket()
    if ticket is None or not ticket.take:
        return start_again()
    digits = pressed()
    if digits == "1":
        return _keep(ticket)
    if digits == "2":  # the take is not kept: it expires in Redis (Twilio's copy is deleted)
        return answer(booth.say_then([], step_url("record", ticket.but(take=""))))
    if digits == "*":
        return ask_prompt(ticket, 0)
    if digits:
        return _offer(ticket, WAITS, 1, [words("wrong_key")])
    return _offer(ticket, counter("wait"), counter("tries"))


def _keep(ticket):
    services, session = line(), db.request_session()
    staff, item = session.get(Staff, ticket.staff), item_of(ticket)
    if staff is None or item is None:
        return start_again()

    def keep(client):
        takes.keep(client, ticket.take, item.id, staff.name)
        try:
            recording = takes.promote(client, ticket.take, session, services.content, services.store,
                                      setting("STALE_RECORDINGS"))
        except SQLAlchemyError as exc:  # kept all the same: the worker stores it, with its retries
            log.warning("staff line: recording %s not stored now (%s)", ticket.take, type(exc).__name__)
            if services.jobs.enqueue("ivr.jobs.recordings.promote", ticket.take, description="recording") is None:
                return None
            recording = None
        return recording, takes.state(client, ticket.take)

    done = services.store.breaker.call(keep)
    if done is None:
        return ask_prompt(ticket, 0, [words("unavailable")])
    recording, found = done
    if takes.REFUSED in found:
        return answer(booth.say_then([words("refused", reason=found[takes.REFUSED].decode())],
                                     step_url("record", ticket.but(take=""))))
    if recording is not None and services.manifest is not None:
        services.manifest.refresh(force=True)  # this worker at once; the others within seconds
    log.info("staff line: call %s kept recording %s", call_sid(), ticket.take)
    return ask_prompt(ticket, 0, [words("kept" if takes.DONE in found else "kept_later")])


@bp.route("/take.wav", methods=["GET"])
def take_audio():
    """The take itself, for <Play>: the sealed ticket in the URL is the only key."""
    ticket = sealer().open_any(request.args.get("t", ""))
    if ticket is None or not ticket.signed_in or not RECORDING_SID.fullmatch(ticket.take):
        abort(404)
    found = _take_state(ticket.take) or {}
    if takes.AUDIO not in found:
        abort(404)
    return Response(found[takes.AUDIO], mimetype=encoding.CONTENT_TYPE, headers={"Cache-Control": "no-store"})
