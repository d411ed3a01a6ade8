"""Calls back placed by the worker, driven from the database: the clock queues
`call_due` often; it takes each due request with a row claim (requests.take_for_call,
so two workers never call the same request at once), opens the sealed number and asks
Twilio to call it. Twilio's status callback (ivr.callbacks.webhooks) then closes the
request or sets its next try. Nothing lives only in Redis: a Redis, worker or web
restart loses no request. `purge_numbers` deletes the numbers of closed requests.
"""
import logging
from datetime import datetime, timezone

from requests import RequestException
from twilio.base.exceptions import TwilioException

from ..callbacks import requests
from ..callbacks.outbound import path
from ..callbacks.schedule import Schedule
from .context import current

log = logging.getLogger("ivr.jobs")
RING_SECONDS = 25  # how long the caller's phone rings before it counts as no answer


def _now():
    return datetime.now(timezone.utc)


def _base(settings):
    base = settings["PUBLIC_BASE_URL"] or f"http://127.0.0.1:{settings['PORT']}"
    return base.rstrip("/")


def call_due(now=None):
    """Places every call back that is due now (only in calling hours); the ids called."""
    context = current()
    settings, now = context.settings, now or _now()
    if not settings["CALLBACK_CONNECT_NUMBER"]:
        return []  # agents call from the admin
    schedule = Schedule(settings)
    called = []
    with context.database.session() as session:
        for request_id, number in requests.lost_calls(session, now):
            log.warning("callback %s try %s: no word from Twilio, counted as not answered", request_id, number)
            requests.call_ended(session, request_id, number, "lost", now, schedule)
        if schedule.allowed(now) != now:
            return []  # outside the hours: never at night
        for request_id in requests.due(session, now):
            if place(session, context, schedule, request_id, now):
                called.append(request_id)
    return called


def place(session, context, schedule, request_id, now):
    """One call back, if this worker wins the request's row; whether it was placed."""
    number_of_try = requests.take_for_call(session, request_id, now)
    if number_of_try is None:
        return False
    found = requests.get(session, request_id)
    number = context.sealer.open(found.sealed_number) if found.sealed_number else None
    if number is None:  # its key was dropped, or the number deleted: nobody to call
        log.warning("callback %s: the number cannot be opened; closed", request_id)
        requests.call_ended(session, request_id, number_of_try, "failed", now, schedule, final=True)
        return False
    base = _base(context.settings)
    try:
        call = context.twilio.calls.create(
            to=number, from_=context.settings["TWILIO_PHONE_NUMBER"], timeout=RING_SECONDS,
            url=base + path("answer", request_id, number_of_try), method="POST",
            status_callback=base + path("status", request_id, number_of_try), status_callback_method="POST",
        )
    except (TwilioException, RequestException) as exc:
        log.warning("callback %s try %s: Twilio refused the call (%s)", request_id, number_of_try, type(exc).__name__)
        requests.call_ended(session, request_id, number_of_try, "failed", now, schedule)
        return False
    requests.call_placed(session, request_id, number_of_try, call.sid)
    log.info("callback %s try %s placed: call %s", request_id, number_of_try, call.sid)
    return True


def purge_numbers(now=None):
    """Deletes the sealed numbers of requests closed CALLBACK_RETENTION_DAYS ago."""
    context = current()
    with context.database.session() as session:
        count = requests.purge_numbers(session, now or _now(), context.settings["CALLBACK_RETENTION_DAYS"])
    if count:
        log.info("callbacks: %s closed request numbers deleted", count)
    return count
