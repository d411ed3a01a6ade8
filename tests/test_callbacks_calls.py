"""Calls back placed by the worker, against the fake Twilio REST server: the call, its
TwiML (greeting, language first when unknown, the whisper, the bridge), busy and no
answer retried with growing gaps and never at night, Twilio's status callbacks
(signed; twice or late change nothing), and Redis and the worker restarted in the
middle: no request lost, none called twice at once."""
import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import redis
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from ivr import create_app
from ivr.callbacks import requests
from ivr.services import of
from ivr.jobs import callbacks as jobs, clock, context, worker
from ivr.store import queue
from ivr.store.db import Database
from ivr.store.redis import EmbeddedRedis
from ivr.store.models import CallbackAttempt, CallbackRequest
from ivr.store.sealed import Sealer
from twiml import assert_way_on, parse, spoken

NUMBER = "+31612345678"
AGENTS = "+31201234567"
BASE = "https://line.example.org"
MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)  # 12:00 in Amsterdam


@pytest.fixture
def settings(job_settings):
    return {**job_settings, "CALLBACK_CONNECT_NUMBER": AGENTS, "PUBLIC_BASE_URL": BASE, "CALLER_HASH_KEY": "k"}


@pytest.fixture
def database(settings):
    database = Database(settings["DATABASE_URL"])
    yield database
    database.dispose()


@pytest.fixture
def web(settings):
    return web_client(settings)


def web_client(settings):
    """The web process, on the same database: it answers Twilio's webhooks."""
    app = create_app({**settings, "TESTING": True, "AUDIO_ENABLED": False})
    client = app.test_client()
    client.clock = Clock()
    of(app).callbacks.clock = client.clock
    return client


class Clock:
    """The web's "now", moved by the test."""

    def __init__(self, at=MONDAY_NOON):
        self.at = at

    def __call__(self):
        return self.at


@pytest.fixture
def jobs_context(settings):
    return context.install(settings)


def queued(database, settings, lang="en", topic="return", at=MONDAY_NOON, hashed="h1"):
    with database.session() as session:
        request = requests.ask(session, hashed=hashed, sealed=Sealer(settings["NUMBER_KEYS"]).seal(NUMBER), lang=lang,
                               topic=topic, source="menu", now=at, daily_limit=3, next_attempt_at=at)
        return request.id


def signed(web, settings, url, form):
    """POSTs a webhook as Twilio does: to the URL it was given, signed with the token."""
    parts = urlsplit(url)
    signature = RequestValidator(settings["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    return web.post(parts.path + "?" + parts.query, data=form, headers={"X-Twilio-Signature": signature})


def sid_of(settings, call):
    """The CallSid Twilio gave the call a status callback is about (kept per try)."""
    query = dict(part.split("=") for part in urlsplit(call.form["StatusCallback"]).query.split("&"))
    database = Database(settings["DATABASE_URL"])
    with database.session() as session:
        sid = session.scalar(select(CallbackAttempt.call_sid).where(
            CallbackAttempt.request_id == int(query["r"]), CallbackAttempt.number == int(query["a"])))
    database.dispose()
    return sid


def status(web, settings, call, state, at=None):
    web.clock.at = at or web.clock.at
    form = {"CallSid": sid_of(settings, call), "CallStatus": state, "To": NUMBER}
    return signed(web, settings, call.form["StatusCallback"], form)


def calls(fake):
    return fake.received("Calls")


def row(database, request_id):
    with database.session() as session:
        return session.get(CallbackRequest, request_id)


def test_a_due_request_is_called_with_a_signed_status_callback(settings, database, fake_twilio, jobs_context):
    request_id = queued(database, settings)
    assert jobs.call_due(now=MONDAY_NOON) == [request_id]
    [call] = calls(fake_twilio)
    assert call.status == 201 and call.form["To"] == NUMBER and call.form["From"] == settings["TWILIO_PHONE_NUMBER"]
    assert call.form["Url"] == f"{BASE}/voice/callback/answer?r={request_id}&a=1"
    assert call.form["StatusCallback"] == f"{BASE}/voice/callback/status?r={request_id}&a=1"
    found = row(database, request_id)
    assert (found.status, found.attempts, found.claimed_by) == ("calling", 1, "line")
    assert found.call_sid.startswith("CA")
    assert jobs.call_due(now=MONDAY_NOON + timedelta(minutes=1)) == []  # under way: not called again


def test_the_call_back_greets_whispers_and_bridges(settings, database, web, fake_twilio, jobs_context):
    request_id = queued(database, settings, lang="en", topic="return")
    jobs.call_due(now=MONDAY_NOON)
    [call] = calls(fake_twilio)
    root = parse(signed(web, settings, call.form["Url"], {"CallSid": "CA" + "b" * 32, "To": NUMBER}))
    words = spoken(root)
    assert words[0].startswith("Hello. This is the return information line")
    dial = root.find("Dial")
    number = dial.find("Number")
    assert number.text == AGENTS and number.get("url") == f"/voice/callback/whisper?r={request_id}"
    assert dial.get("action").startswith("/voice/callback/dialled")
    whisper = parse(signed(web, settings, BASE + number.get("url"), {"CallSid": "CA" + "c" * 32}))
    assert spoken(whisper) == ["A call back from the line, in English. About return."]
    # The office did not answer: the caller hears sorry, the request waits for an agent.
    after = parse(signed(web, settings, BASE + dial.get("action"), {"CallSid": "CA" + "b" * 32,
                                                                    "DialCallStatus": "no-answer"}))
    assert_way_on(after)
    assert spoken(after)[0].startswith("Sorry, no one can take your call")
    found = row(database, request_id)
    assert (found.status, found.claimed_by, found.next_attempt_at) == ("open", None, None)


def test_a_missed_call_without_a_language_is_asked_for_one_first(settings, database, web, fake_twilio, jobs_context):
    request_id = queued(database, settings, lang=None, topic="missed_call")
    jobs.call_due(now=MONDAY_NOON)
    [call] = calls(fake_twilio)
    root = parse(signed(web, settings, call.form["Url"], {"CallSid": "CA" + "b" * 32}))
    assert_way_on(root)
    gather = root.find("Gather")
    assert gather is not None and len(spoken(gather)) >= 3  # a greeting, then each language offers itself
    url = BASE + gather.get("action")
    chosen = parse(signed(web, settings, url, {"CallSid": "CA" + "b" * 32, "Digits": "2"}))
    assert chosen.find("Dial") is not None
    assert row(database, request_id).lang == "nl"
    whisper = parse(signed(web, settings, f"{BASE}/voice/callback/whisper?r={request_id}", {"CallSid": "CA1"}))
    assert "Dutch" in spoken(whisper)[0] and "missed call" in spoken(whisper)[0]


def test_busy_twice_then_answered_with_growing_gaps(settings, database, web, fake_twilio, jobs_context):
    request_id = queued(database, settings)
    now = MONDAY_NOON
    jobs.call_due(now=now)
    assert status(web, settings, calls(fake_twilio)[-1], "busy", at=now).status_code == 204
    first_gap = row(database, request_id).next_attempt_at - now
    assert jobs.call_due(now=now + timedelta(minutes=5)) == []  # not yet
    now = row(database, request_id).next_attempt_at
    assert jobs.call_due(now=now) == [request_id]
    assert calls(fake_twilio)[-1].form["StatusCallback"].endswith("a=2")
    status(web, settings, calls(fake_twilio)[-1], "no-answer", at=now)
    second_gap = row(database, request_id).next_attempt_at - now
    assert timedelta(0) < first_gap < second_gap
    now = row(database, request_id).next_attempt_at
    jobs.call_due(now=now)
    status(web, settings, calls(fake_twilio)[-1], "completed")
    found = row(database, request_id)
    assert (found.status, found.attempts) == ("done", 3) and found.closed_at is not None
    assert len(calls(fake_twilio)) == 3
    with database.session() as session:
        outcomes = session.scalars(select(CallbackAttempt.outcome).order_by(CallbackAttempt.number)).all()
    assert outcomes == ["busy", "no-answer", "completed"]


def test_after_three_retries_it_is_no_answer(settings, database, web, fake_twilio, jobs_context):
    request_id = queued(database, settings)
    now = MONDAY_NOON
    for _ in range(4):
        assert jobs.call_due(now=now) == [request_id]
        status(web, settings, calls(fake_twilio)[-1], "no-answer", at=now)
        now = row(database, request_id).next_attempt_at or now
    found = row(database, request_id)
    assert (found.status, found.attempts) == ("no_answer", 4) and found.closed_at is not None
    assert jobs.call_due(now=now + timedelta(days=1)) == []


def test_a_status_callback_twice_or_late_changes_nothing(settings, database, web, fake_twilio, jobs_context):
    request_id = queued(database, settings)
    jobs.call_due(now=MONDAY_NOON)
    first = calls(fake_twilio)[-1]
    status(web, settings, first, "busy")
    retry_at = row(database, request_id).next_attempt_at
    status(web, settings, first, "busy")  # twice
    assert row(database, request_id).next_attempt_at == retry_at
    assert row(database, request_id).attempts == 1
    jobs.call_due(now=retry_at)
    status(web, settings, first, "completed")  # late, for the first try
    assert row(database, request_id).status == "calling"
    status(web, settings, calls(fake_twilio)[-1], "completed")
    assert row(database, request_id).status == "done"
    status(web, settings, calls(fake_twilio)[-1], "busy")  # late again
    assert row(database, request_id).status == "done"


def test_an_unsigned_status_callback_is_refused(settings, database, web, fake_twilio, jobs_context):
    request_id = queued(database, settings)
    jobs.call_due(now=MONDAY_NOON)
    reply = web.post(f"/voice/callback/status?r={request_id}&a=1", data={"CallStatus": "completed"})
    assert reply.status_code == 403
    assert row(database, request_id).status == "calling"


def test_never_at_night(settings, database, fake_twilio, jobs_context):
    night = datetime(2026, 11, 23, 22, 0, tzinfo=timezone.utc)  # 23:00 in Amsterdam
    queued(database, settings, at=night)
    assert jobs.call_due(now=night) == []
    assert calls(fake_twilio) == []
    from ivr.callbacks.schedule import Schedule
    evening = datetime(2026, 11, 23, 18, 55, tzinfo=timezone.utc)  # 19:55: a retry would fall at night
    assert Schedule(settings).retry_at(evening, 1) == datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)


def test_twilio_refusing_the_call_is_a_try_to_repeat(settings, database, fake_twilio, jobs_context):
    request_id = queued(database, settings)
    fake_twilio.fail("Calls", status=503, times=1)
    assert jobs.call_due(now=MONDAY_NOON) == []
    found = row(database, request_id)
    assert found.status == "open" and found.next_attempt_at > MONDAY_NOON


def test_a_call_whose_status_never_came_is_tried_again(settings, database, fake_twilio, jobs_context):
    request_id = queued(database, settings)
    jobs.call_due(now=MONDAY_NOON)
    later = MONDAY_NOON + requests.LOST_AFTER + timedelta(minutes=1)
    jobs.call_due(now=later)
    found = row(database, request_id)
    assert found.status == "open" and found.attempts == 1


def test_two_workers_at_once_call_a_request_once(settings, database, fake_twilio, jobs_context):
    ids = [queued(database, settings, hashed=f"h{n}") for n in range(6)]
    results = []

    def run():
        results.append(jobs.call_due(now=MONDAY_NOON))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    called = [request_id for result in results for request_id in result]
    assert sorted(called) == ids
    assert sorted(call.form["StatusCallback"] for call in calls(fake_twilio)) == sorted(
        f"{BASE}/voice/callback/status?r={request_id}&a=1" for request_id in ids)


def test_redis_and_the_worker_restarted_mid_retries_lose_nothing(settings, database, fake_twilio, tmp_path):
    """The worker's own loop (clock -> queue -> job) on a Redis of the test's own that is
    stopped and started again empty in the middle of the tries: the database says what
    is due, so nothing is lost and nothing is called twice."""
    with EmbeddedRedis(tmp_path / "redis", persist=False) as server:
        settings = {**settings, "REDIS_URL": server.url, "CALLBACK_CALL_HOURS": "0-24", "CALLBACK_WORK_DAYS": "1-7",
                    "CALLBACK_RETRY_MINUTES": "0,0,0"}
        web = web_client(settings)
        now = datetime.now(timezone.utc)
        web.clock.at = now
        request_id = queued(database, settings, at=now)

        def restart_redis():
            server.stop()
            server.start()
            assert redis.Redis.from_url(server.url).dbsize() == 0

        def worker_round():
            """A worker (re)started: its clock ticks once, then it works the queue."""
            clock.tick(redis.Redis.from_url(server.url), settings)
            worker.run(settings, burst=True)

        worker_round()
        assert len(calls(fake_twilio)) == 1
        restart_redis()  # mid-call
        worker_round()
        assert len(calls(fake_twilio)) == 1  # the call under way is not placed again
        status(web, settings, calls(fake_twilio)[-1], "busy")
        restart_redis()  # before the retry
        worker_round()
        assert len(calls(fake_twilio)) == 2
        assert calls(fake_twilio)[-1].form["StatusCallback"].endswith(f"r={request_id}&a=2")
        status(web, settings, calls(fake_twilio)[-1], "completed")
        assert row(database, request_id).status == "done"
        restart_redis()
        worker_round()
        assert len(calls(fake_twilio)) == 2


def test_webhooks_for_a_request_that_is_gone_end_politely(web, settings):
    for path in ("answer?r=999&a=1", "answer/language?r=999&a=1", "whisper?r=999", "dialled?r=999&a=1", "answer"):
        root = parse(signed(web, settings, f"{BASE}/voice/callback/{path}", {"CallSid": "CA1", "Digits": "1"}))
        assert_way_on(root)
    assert signed(web, settings, f"{BASE}/voice/callback/status?r=999&a=1",
                  {"CallSid": "CA1", "CallStatus": "completed"}).status_code == 204
