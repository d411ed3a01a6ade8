"""Call-back requests as records: plain functions on a SQLAlchemy session.

Every change that two people (or two workers) could make at once is one conditional
UPDATE, so the database decides who wins: a claim takes a request only while nobody
holds it, and an outcome from Twilio counts only for the try under way.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..store.models import CALLBACK_OPEN, NOTE_LENGTH, CallbackAttempt, CallbackRequest
from .schedule import ZONE

LINE = "line"  # claimed_by while the worker's call is under way
TOPICS = ("decision", "return", "shelter", "other")  # by key 1..4 on the phone
MISSED_CALL = "missed_call"  # the topic of a request made by a missed call
ANSWERED = "completed"  # Twilio's CallStatus of a call that was picked up
# How long a try may stay "calling" without Twilio's last word before it counts as
# lost (the worker or the web was gone when the status came).
LOST_AFTER = timedelta(minutes=30)


class Refused(Exception):
    """A request the line does not take: `reason` is "open" (one is open already) or
    "limit" (the day's requests from this number are used up)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def day_start(now):
    """The start of `now`'s day in the Netherlands, as an aware moment."""
    return datetime.combine(now.astimezone(ZONE).date(), time(0), ZONE)


def ask(session, *, hashed, sealed, lang, topic, source, now, daily_limit, next_attempt_at=None, office_id=None):
    """A new open request, committed; raises Refused when the number has one open or
    has asked `daily_limit` times today."""
    if session.scalar(select(CallbackRequest.id).where(CallbackRequest.caller_hash == hashed,
                                                       CallbackRequest.closed_at.is_(None))):
        raise Refused("open")
    today = session.scalar(select(func.count()).select_from(CallbackRequest).where(
        CallbackRequest.caller_hash == hashed, CallbackRequest.created_at >= day_start(now)))
    if today >= int(daily_limit):
        raise Refused("limit")
    request = CallbackRequest(created_at=now, caller_hash=hashed, sealed_number=sealed, lang=lang, topic=topic,
                              source=source, status="open", next_attempt_at=next_attempt_at, office_id=office_id)
    session.add(request)
    try:
        session.commit()
    except IntegrityError:  # the same number, at the same moment, on another line
        session.rollback()
        raise Refused("open") from None
    return request


def waiting(session):
    """Open requests nobody holds yet (the queue a new caller waits behind)."""
    return session.scalar(select(func.count()).select_from(CallbackRequest).where(CallbackRequest.status == "open"))


def open_requests(session):
    """Every open request, oldest first."""
    return session.scalars(select(CallbackRequest).where(CallbackRequest.status.in_(CALLBACK_OPEN))
                           .order_by(CallbackRequest.created_at, CallbackRequest.id)).all()


def get(session, request_id):
    return session.get(CallbackRequest, request_id)


def claim(session, request_id, agent, now):
    """Whether `agent` now holds the request: taken only while open and held by nobody
    (two agents at once: one UPDATE matches, the other finds it taken)."""
    result = session.execute(update(CallbackRequest).where(
        CallbackRequest.id == request_id, CallbackRequest.status == "open", CallbackRequest.claimed_by.is_(None),
    ).values(status="claimed", claimed_by=agent, claimed_at=now).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def release(session, request_id, agent):
    """The agent gives the request back to the queue."""
    result = session.execute(update(CallbackRequest).where(
        CallbackRequest.id == request_id, CallbackRequest.status == "claimed", CallbackRequest.claimed_by == agent,
    ).values(status="open", claimed_by=None, claimed_at=None).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def finish(session, request_id, agent, outcome, now, note=None):
    """The agent holding the request closes it ("done" or "no_answer"); whether it did."""
    if outcome not in ("done", "no_answer"):
        raise ValueError(f"unknown outcome {outcome!r}")
    values = dict(status=outcome, closed_at=now, next_attempt_at=None)
    if note is not None:
        values["note"] = note[:NOTE_LENGTH]
    request = session.get(CallbackRequest, request_id)
    result = session.execute(update(CallbackRequest).where(
        CallbackRequest.id == request_id, CallbackRequest.status == "claimed", CallbackRequest.claimed_by == agent,
    ).values(**values).execution_options(synchronize_session=False))
    if result.rowcount == 1:
        session.add(CallbackAttempt(request_id=request_id, number=(request.attempts or 0) + 1, by=agent,
                                    started_at=now, outcome=outcome, ended_at=now))
        session.execute(update(CallbackRequest).where(CallbackRequest.id == request_id)
                        .values(attempts=CallbackRequest.attempts + 1).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def set_note(session, request_id, agent, note):
    result = session.execute(update(CallbackRequest).where(
        CallbackRequest.id == request_id, CallbackRequest.claimed_by == agent,
    ).values(note=note[:NOTE_LENGTH]).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


# -- the worker's calls ------------------------------------------------------------------------
def due(session, now, limit=20):
    """Ids of open requests whose next try is due, oldest first."""
    return session.scalars(select(CallbackRequest.id).where(
        CallbackRequest.status == "open", CallbackRequest.claimed_by.is_(None),
        CallbackRequest.next_attempt_at.is_not(None), CallbackRequest.next_attempt_at <= now,
    ).order_by(CallbackRequest.next_attempt_at, CallbackRequest.id).limit(limit)).all()


def take_for_call(session, request_id, now):
    """The try number when this worker may call now (the row claimed for the line), else
    None: another worker took it, an agent holds it, or it is not due."""
    result = session.execute(update(CallbackRequest).where(
        CallbackRequest.id == request_id, CallbackRequest.status == "open", CallbackRequest.claimed_by.is_(None),
        CallbackRequest.next_attempt_at <= now,
    ).values(status="calling", claimed_by=LINE, claimed_at=now, attempts=CallbackRequest.attempts + 1,
             call_sid=None).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        return None
    number = session.scalar(select(CallbackRequest.attempts).where(CallbackRequest.id == request_id))
    session.add(CallbackAttempt(request_id=request_id, number=number, by=LINE, started_at=now))
    session.commit()
    return number


def _attempt(session, request_id, number):
    return session.scalar(select(CallbackAttempt).where(CallbackAttempt.request_id == request_id,
                                                        CallbackAttempt.number == number, CallbackAttempt.by == LINE))


def call_placed(session, request_id, number, sid):
    """Twilio took the call: its SID is kept for the status callback."""
    session.execute(update(CallbackRequest).where(
        CallbackRequest.id == request_id, CallbackRequest.status == "calling", CallbackRequest.attempts == number,
    ).values(call_sid=sid).execution_options(synchronize_session=False))
    attempt = _attempt(session, request_id, number)
    if attempt is not None:
        attempt.call_sid = sid
    session.commit()


def call_ended(session, request_id, number, status, now, schedule, sid=None, final=False):
    """Twilio's last word on try `number`: "done", "retry", "no_answer", or None when
    it changes nothing (it came twice, or late for a try that is over). `final`: no
    further try whatever the schedule says."""
    conditions = [CallbackRequest.id == request_id, CallbackRequest.status == "calling",
                  CallbackRequest.attempts == number]
    if sid:
        conditions.append((CallbackRequest.call_sid == sid) | CallbackRequest.call_sid.is_(None))
    if status == ANSWERED:
        outcome, values = "done", dict(status="done", closed_at=now, next_attempt_at=None)
    else:
        again = None if final else schedule.retry_at(now, number)
        if again is None:
            outcome, values = "no_answer", dict(status="no_answer", closed_at=now, next_attempt_at=None)
        else:
            outcome, values = "retry", dict(status="open", claimed_by=None, claimed_at=None, next_attempt_at=again)
    result = session.execute(update(CallbackRequest).where(*conditions).values(**values)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        return None
    attempt = _attempt(session, request_id, number)
    if attempt is not None:
        attempt.outcome, attempt.ended_at = status, now
    session.commit()
    return outcome


def back_to_agents(session, request_id, number):
    """The caller answered but nobody at the other end did: the request waits for an
    agent (no more tries by the worker)."""
    result = session.execute(update(CallbackRequest).where(
        CallbackRequest.id == request_id, CallbackRequest.status == "calling", CallbackRequest.attempts == number,
    ).values(status="open", claimed_by=None, claimed_at=None, next_attempt_at=None)
        .execution_options(synchronize_session=False))
    attempt = _attempt(session, request_id, number)
    if result.rowcount == 1 and attempt is not None:
        attempt.outcome = "not_bridged"
    session.commit()
    return result.rowcount == 1


def lost_calls(session, now):
    """Ids and try numbers of calls "calling" for longer than LOST_AFTER (no last word
    came): the worker counts each as not answered, so the request is tried again."""
    return session.execute(select(CallbackRequest.id, CallbackRequest.attempts).where(
        CallbackRequest.status == "calling", CallbackRequest.claimed_at < now - LOST_AFTER)).all()


def set_language(session, request_id, lang):
    session.execute(update(CallbackRequest).where(CallbackRequest.id == request_id, CallbackRequest.lang.is_(None))
                    .values(lang=lang).execution_options(synchronize_session=False))
    session.commit()


# -- keeping numbers no longer than needed ----------------------------------------------------------
def purge_numbers(session, now, days):
    """Deletes the sealed number of every request closed more than `days` ago; how many."""
    result = session.execute(update(CallbackRequest).where(
        CallbackRequest.closed_at.is_not(None), CallbackRequest.closed_at < now - timedelta(days=int(days)),
        CallbackRequest.sealed_number.is_not(None),
    ).values(sealed_number=None).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount
