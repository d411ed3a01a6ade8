"""Background work: Twilio's REST API (against the fake on loopback), the job queue and
its retries, the clock, sealed numbers, and the Procfile's worker line."""
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
import redis
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException

from ivr.config import DEFAULTS, ROOT
from ivr.dev import procfile
from ivr.jobs import clock, context, twilio_rest, worker
from ivr.store import keys, queue
from ivr.store.models import DailyStat
from ivr.store.sealed import NoKeys, Sealer, new_key

NUMBER = "+31612345678"


def say_hello(sealed_number):
    """A job as the line's jobs are written: the number comes sealed, the rest from the context."""
    jobs = context.current()
    number = jobs.sealer.open(sealed_number)
    jobs.twilio.messages.create(to=number, from_=jobs.settings["TWILIO_PHONE_NUMBER"], body="Hallo")


def test_the_rest_client_reaches_the_fake_with_the_accounts_credentials(fake_twilio):
    settings = {**DEFAULTS, **fake_twilio.settings()}
    message = twilio_rest.client(settings).messages.create(to=NUMBER, from_="+3197010000000", body="Hallo")
    [received] = fake_twilio.received("Messages")
    assert message.sid.startswith("SM") and received.status == 201
    assert received.form == {"To": NUMBER, "From": "+3197010000000", "Body": "Hallo"}
    assert received.authorised


def test_an_api_key_is_used_when_given(fake_twilio):
    settings = {**DEFAULTS, **fake_twilio.settings(api_key=True)}
    assert twilio_rest.credentials(settings)[0] == fake_twilio.api_key
    twilio_rest.client(settings).calls.create(to=NUMBER, from_="+3197010000000", url="https://line.example/cb")
    assert [r.status for r in fake_twilio.received("Calls")] == [201]


def test_wrong_credentials_are_refused_as_twilio_does(fake_twilio):
    settings = {**DEFAULTS, **fake_twilio.settings(), "TWILIO_AUTH_TOKEN": "wrong"}
    with pytest.raises(TwilioRestException) as refused:
        twilio_rest.client(settings).messages.create(to=NUMBER, from_="+3197010000000", body="x")
    assert refused.value.status == 401 and refused.value.code == 20003


def test_without_an_account_nothing_is_sent():
    with pytest.raises(twilio_rest.NotConfigured, match="TWILIO_ACCOUNT_SID"):
        twilio_rest.client(dict(DEFAULTS))


def test_a_recording_is_fetched_with_credentials_and_only_from_twilio(fake_twilio):
    settings = {**DEFAULTS, **fake_twilio.settings()}
    url = fake_twilio.add_recording(b"RIFF-a-wav")
    assert twilio_rest.fetch_media(settings, url) == b"RIFF-a-wav"
    [got] = fake_twilio.received("Recordings")
    assert got.method == "GET" and got.authorised
    with pytest.raises(ValueError, match="only from Twilio"):
        twilio_rest.fetch_media(settings, "https://attacker.example/Recordings/RE1")


def test_a_number_is_sealed_opened_and_rotated():
    old, new = new_key(), new_key()
    token = Sealer(old).seal(NUMBER)
    assert NUMBER not in token
    rotated = Sealer(f"{new},{old}")
    assert rotated.open(token) == NUMBER
    resealed = rotated.reseal(token)
    assert Sealer(new).open(resealed) == NUMBER
    assert Sealer(new).open(token) is None  # the old key dropped: not opened, not crashed
    with pytest.raises(NoKeys):
        Sealer("").seal(NUMBER)


def test_a_failing_job_is_retried_until_twilio_takes_it(job_settings, fake_twilio):
    fake_twilio.fail("Messages", status=503, times=2)
    connection = redis.Redis.from_url(job_settings["REDIS_URL"])
    sealed = Sealer(job_settings["NUMBER_KEYS"]).seal(NUMBER)
    job = queue.enqueue(connection, job_settings, "test_jobs.say_hello", sealed, description="hello")
    worker.run(job_settings, burst=True)
    assert [r.status for r in fake_twilio.received("Messages")] == [503, 503, 201]
    assert fake_twilio.received("Messages")[-1].form["To"] == NUMBER
    # Finished jobs leave nothing behind; RQ's record held only the sealed number.
    assert not connection.exists(f"rq:job:{job.id}")


def test_a_job_that_keeps_failing_stops_after_its_retries(job_settings, fake_twilio):
    fake_twilio.fail("Messages", status=500, times=10)
    connection = redis.Redis.from_url(job_settings["REDIS_URL"])
    sealed = Sealer(job_settings["NUMBER_KEYS"]).seal(NUMBER)
    job = queue.enqueue(connection, job_settings, "test_jobs.say_hello", sealed)
    worker.run(job_settings, burst=True)
    assert len(fake_twilio.received("Messages")) == 1 + len(queue.retry_intervals(job_settings))
    job.refresh()
    assert job.get_status() == "failed"
    assert NUMBER.encode() not in b"".join(v for v in connection.hgetall(f"rq:job:{job.id}").values())


def test_the_clock_queues_a_periodic_job_once_however_many_workers_tick(redis_url):
    connection = redis.Redis.from_url(redis_url)
    settings = dict(DEFAULTS, REDIS_URL=redis_url)
    every = (clock.Periodic("test-tick", 60, "test_jobs.say_hello"),)
    assert clock.tick(connection, settings, every) == ["test-tick"]
    assert clock.tick(connection, settings, every) == []  # a second worker, same period
    assert queue.queue(connection).count == 1
    connection.delete(keys.clock("test-tick"))  # the period is over
    assert clock.tick(connection, settings, every) == ["test-tick"]


def test_the_worker_needs_redis():
    result = subprocess.run([sys.executable, "-m", "ivr.cli", "worker"], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "REDIS_URL": ""}, timeout=60)
    assert result.returncode == 1 and "REDIS_URL is not set" in result.stderr


def test_the_procfile_worker_rolls_todays_counts_into_the_database(redis_url, db_url, database, tmp_path):
    """The worker line as the platform runs it: its clock queues the roll-up, it runs it."""
    today = datetime.now(timezone.utc).date()
    connection = redis.Redis.from_url(redis_url)
    connection.hset(keys.stats_day(today.isoformat()), mapping={"calls": 7, "lang:en": 7})
    env = {"REDIS_URL": redis_url, "DATABASE_URL": db_url, "CLOCK_SECONDS": "1"}
    with open(tmp_path / "worker.log", "wb") as log, procfile.work(env, log=log) as process:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            with database.session() as session:
                rows = session.scalars(select(DailyStat).where(DailyStat.day == today)).all()
            if rows:
                break
            time.sleep(0.5)
    assert {r.name: r.count for r in rows} == {"calls": 7, "lang:en": 7}, (tmp_path / "worker.log").read_text()
    assert process.returncode is not None  # stopped with its group
