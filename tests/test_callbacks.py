"""Calls back asked for on the phone: key 7 from the main menu and an answer's end,
the number read back in groups, confirmed or typed (validated), a topic, the wait;
one open request per number, a daily limit; the missed call's <Reject>; the number
kept only sealed, deleted after the retention days."""
import logging
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ivr import create_app
from ivr.callbacks import numbers, requests
from ivr.callbacks.schedule import Schedule
from ivr.config import DEFAULTS
from ivr.content.utterance import Utterance
from ivr.services import of
from ivr.store.callers import caller_hash
from ivr.store.models import CallbackRequest
from ivr.store.sealed import Sealer, new_key
from twiml import assert_way_on, only_gather, parse, redirect_of, spoken

NUMBER = "+31612345678"
OTHER = "+212612345678"
HASH_KEY = "test-hash-key"
MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)  # 12:00 in Amsterdam


@pytest.fixture
def keys():
    return new_key()


@pytest.fixture
def cb_app(db_url, keys):
    return create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url, "NUMBER_KEYS": keys,
                       "CALLER_HASH_KEY": HASH_KEY, "CALLBACK_LINE_NUMBERS": "+3197010000001"})


@pytest.fixture
def cb(cb_app):
    return cb_app.test_client()


def post(client, url, caller=NUMBER, **form):
    return parse(client.post(url, data={"From": caller, "CallSid": "CA" + "0" * 32, **form}))


def follow(client, url, caller=NUMBER):
    """Follows Redirects until a Gather (or a hang-up): the document it reached."""
    for _ in range(10):
        root = post(client, url, caller)
        assert_way_on(root)
        if root.find("Gather") is not None or root.find("Hangup") is not None:
            return root, url
        url = redirect_of(root)
    raise AssertionError("no question reached")


def stored(database):
    with database.session() as session:
        return session.scalars(select(CallbackRequest).order_by(CallbackRequest.id)).all()


# -- the number ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("number, groups", [
    ("+31612345678", ["06", "12", "34", "56", "78"]),
    ("+31201234567", ["020", "123", "4567"]),
    ("+212612345678", ["00", "212", "6", "12", "34", "56", "78"]),
])
def test_a_number_is_read_back_in_the_groups_its_country_writes(number, groups):
    assert numbers.groups(number) == groups


@pytest.mark.parametrize("typed, number", [
    ("0612345678", "+31612345678"), ("0031612345678", "+31612345678"), ("00212612345678", "+212612345678"),
    ("061234567", None), ("12", None), ("", None), ("0612345678999999999", None), ("06١٢٣٤٥٦٧٨", None),
])
def test_a_typed_number_is_checked_dutch_or_international(typed, number):
    assert numbers.from_keypad(typed) == number


def test_a_withheld_or_odd_caller_has_no_number():
    assert numbers.from_caller("anonymous") is None
    assert numbers.from_caller("+266696687") is None
    assert numbers.from_caller("client:alice") is None
    assert numbers.from_caller(NUMBER) == NUMBER


# -- on the line ------------------------------------------------------------------------------------------
def test_the_main_menu_and_every_answer_end_offer_key_7(cb, cb_app):
    content = of(cb_app).content
    for lang in content.catalogues:
        assert "7" in content.text(lang, Utterance("main_menu_callback")), lang
    offer = content.text("en", Utterance("main_menu_callback"))
    assert spoken(post(cb, "/voice/en/main?new=1"))[-1] == offer  # a caller new to the line
    assert offer not in spoken(post(cb, "/voice/en/main"))  # a returning caller: at the answers' end
    assert redirect_of(post(cb, "/voice/en/main/key", Digits="7")) == "/voice/callback/en?back=main"
    answer = post(cb, "/voice/en/dtv_contact")
    assert content.text("en", Utterance("answer_end_callback")) in spoken(answer)
    assert redirect_of(post(cb, "/voice/en/dtv_contact/key", Digits="7")) == "/voice/callback/en?back=dtv_contact"
    # Not in the middle of an answer: there 7 is a wrong key.
    middle = post(cb, "/voice/en/repeat_application/key?part=0", Digits="7")
    assert "That key is not one of the choices." in spoken(middle)


def test_the_number_is_read_back_digit_by_digit_with_pauses_between_groups(cb):
    root = post(cb, "/voice/callback/en?back=main")
    gather = only_gather(root)
    words = spoken(gather)
    assert words[0] == "We would call you on:"
    assert words[1:11] == list("0612345678")
    assert len(gather.findall("Pause")) == 6  # around each of the five groups
    assert gather.get("action").startswith("/voice/callback/en/confirm/key")


def test_asking_with_ones_own_number_queues_a_request(cb, cb_app, database):
    root = post(cb, "/voice/callback/en/confirm/key?back=dtv_contact", Digits="1")
    topic, url = follow(cb, redirect_of(root))
    assert "What is it about?" in spoken(topic)[0]
    done = post(cb, only_gather(topic).get("action"), Digits="2")
    assert spoken(done)[:1] == ["Thank you. We will call you back, for free."]
    assert redirect_of(done) == "/voice/en/main"
    [request] = stored(database)
    assert (request.lang, request.topic, request.source, request.status) == ("en", "return", "answer", "open")
    assert request.caller_hash == caller_hash(HASH_KEY, NUMBER)
    assert NUMBER not in request.sealed_number
    assert Sealer(of(cb_app).settings["NUMBER_KEYS"]).open(request.sealed_number) == NUMBER


def test_a_withheld_caller_types_a_number_and_a_wrong_one_is_asked_again(cb, database):
    root = post(cb, "/voice/callback/fr?back=main", caller="anonymous")
    gather = only_gather(root)
    assert gather.get("finishOnKey") == "#"
    again = post(cb, gather.get("action"), caller="anonymous", Digits="12345")
    assert spoken(only_gather(again))[0] == "Nous ne pouvons pas appeler ce numéro."
    confirm_url = redirect_of(post(cb, gather.get("action"), caller="anonymous", Digits="00212612345678"))
    query = parse_qs(urlsplit(confirm_url).query)
    assert "212612345678" not in confirm_url and query["n"]  # sealed, never in clear
    confirm = only_gather(post(cb, confirm_url, caller="anonymous"))
    assert spoken(confirm)[1:5] == ["0", "0", "2", "1"]
    topic_url = redirect_of(post(cb, confirm.get("action"), caller="anonymous", Digits="1"))
    topic = only_gather(post(cb, topic_url, caller="anonymous"))
    post(cb, topic.get("action"), caller="anonymous", Digits="4")
    [request] = stored(database)
    assert (request.lang, request.topic, request.source) == ("fr", "other", "menu")
    assert request.caller_hash == caller_hash(HASH_KEY, OTHER)


def test_2_types_another_number_and_star_goes_back(cb):
    assert redirect_of(post(cb, "/voice/callback/en/confirm/key?back=main", Digits="2")) == "/voice/callback/en/type?back=main"
    assert redirect_of(post(cb, "/voice/callback/en/type/key?back=dtv_contact", Digits="*")) == "/voice/en/dtv_contact"
    wrong = post(cb, "/voice/callback/en/confirm/key?back=main", Digits="5")
    assert spoken(wrong)[0] == "That key is not one of the choices."


def _ask(client, caller=NUMBER, digit="1"):
    return post(client, "/voice/callback/en/topic/key?back=main", caller=caller, Digits=digit)


def test_one_open_request_per_number_and_three_a_day(cb, database):
    assert spoken(_ask(cb))[0].startswith("Thank you")
    assert spoken(_ask(cb))[0].startswith("You have already asked")
    with database.session() as session:  # staff called: closed
        for request in session.scalars(select(CallbackRequest)):
            request.status, request.closed_at = "done", datetime.now(timezone.utc)
        session.commit()
    assert spoken(_ask(cb))[0].startswith("Thank you")
    with database.session() as session:
        for request in session.scalars(select(CallbackRequest).where(CallbackRequest.closed_at.is_(None))):
            request.status, request.closed_at = "done", datetime.now(timezone.utc)
        session.commit()
    assert spoken(_ask(cb))[0].startswith("Thank you")
    with database.session() as session:
        for request in session.scalars(select(CallbackRequest).where(CallbackRequest.closed_at.is_(None))):
            request.status, request.closed_at = "cancelled", datetime.now(timezone.utc)
        session.commit()
    refused = _ask(cb)
    assert spoken(refused)[0] == "You cannot ask for more calls back today. Please try again tomorrow."
    assert_way_on(refused)
    assert len(stored(database)) == 3
    assert spoken(_ask(cb, caller=OTHER))[0].startswith("Thank you")  # another number is another count


def test_the_daily_limit_counts_the_dutch_day(database):
    sealer = Sealer(new_key())
    late = datetime(2026, 11, 23, 22, 30, tzinfo=timezone.utc)  # 23:30 in Amsterdam
    with database.session() as session:
        for minutes in (0, 5, 10):
            request = requests.ask(session, hashed="h", sealed=sealer.seal(NUMBER), lang="en", topic="other",
                                   source="menu", now=late + timedelta(minutes=minutes), daily_limit=3)
            request.status, request.closed_at = "done", late
            session.commit()
        after_midnight = late + timedelta(minutes=40)  # 00:10 the next day in Amsterdam
        assert requests.ask(session, hashed="h", sealed="x", lang="en", topic="other", source="menu",
                            now=after_midnight, daily_limit=3).id


def test_without_keys_the_caller_hears_it_cannot_be_done_now(db_url):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url})
    root = post(app.test_client(), "/voice/callback/en?back=dtv_contact")
    assert spoken(root) == ["Sorry, you cannot ask for a call back right now. Please try again later."]
    assert redirect_of(root) == "/voice/en/dtv_contact"


def test_a_broken_database_is_a_polite_refusal_not_a_crash(tmp_path, keys):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "NUMBER_KEYS": keys, "CALLER_HASH_KEY": HASH_KEY,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'no-tables.db'}"})
    root = _ask(app.test_client())
    assert spoken(root)[0].startswith("Sorry, you cannot ask")
    assert_way_on(root)


@pytest.mark.parametrize("now, waiting, expected", [
    (MONDAY_NOON, 0, "today"),
    (MONDAY_NOON, 60, "next_day"),
    (datetime(2026, 11, 27, 19, 30, tzinfo=timezone.utc), 0, "next_day"),  # Friday evening: Monday
    (MONDAY_NOON, 200, "later"),
])
def test_the_wait_told_follows_the_queue_and_the_hours(now, waiting, expected):
    assert Schedule(DEFAULTS).expected(now, waiting) == expected


def test_office_hours_can_replace_the_working_hours():
    from datetime import time
    closed_today = Schedule(DEFAULTS, hours=lambda day: [] if day.isoweekday() == 1 else [(time(9), time(12))])
    assert closed_today.expected(MONDAY_NOON, 0) == "next_day"


def test_the_caller_hears_when_to_expect_the_call(cb):
    root = _ask(cb)
    assert spoken(root)[1] in ("We expect to call you today.", "We expect to call you on the next working day.",
                               "It is busy: we expect to call you within a few working days.")


# -- the missed call --------------------------------------------------------------------------------------
def test_a_missed_call_is_rejected_and_queued_in_the_language_last_used(cb, cb_app, database, redis_url, keys, db_url):
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url, "NUMBER_KEYS": keys,
                      "CALLER_HASH_KEY": HASH_KEY, "CALLBACK_LINE_NUMBERS": "+3197010000001", "REDIS_URL": redis_url})
    client = app.test_client()
    of(app).callers.remember(caller_hash(HASH_KEY, NUMBER), "ar")
    root = parse(client.post("/voice", data={"From": NUMBER, "To": "+3197010000001", "CallSid": "CA" + "1" * 32}))
    assert [child.tag for child in root] == ["Reject"]
    parse(client.post("/voice", data={"From": OTHER, "To": "+3197010000001"}))
    first, second = stored(database)
    assert (first.lang, first.topic, first.source) == ("ar", "missed_call", "missed_call")
    assert second.lang is None  # a stranger: the call back asks for the language first
    # The line's own number is the line, not a missed call.
    normal = parse(client.post("/voice", data={"From": NUMBER, "To": "+3197010000000"}))
    assert normal.find("Reject") is None


def test_a_withheld_missed_call_is_rejected_and_nothing_is_kept(cb, database):
    root = parse(cb.post("/voice/callback/missed", data={"From": "anonymous", "To": "+3197010000001"}))
    assert [child.tag for child in root] == ["Reject"]
    assert stored(database) == []


def test_no_number_reaches_the_log(cb, caplog):
    caplog.set_level(logging.DEBUG)
    _ask(cb)
    _ask(cb)
    cb.post("/voice/callback/missed", data={"From": OTHER, "To": "+3197010000001"})
    text = caplog.text
    assert "queued" in text
    for digits in ("612345678", "0612345678"):
        assert digits not in text


# -- retention ---------------------------------------------------------------------------------------------
def test_a_closed_requests_number_is_deleted_after_the_retention_days(job_settings, keys):
    from ivr.jobs import callbacks as jobs, context
    from ivr.store.db import Database

    settings = {**job_settings, "CALLBACK_RETENTION_DAYS": 30}
    context.install(settings)
    database = Database(settings["DATABASE_URL"])
    sealer = Sealer(settings["NUMBER_KEYS"])
    with database.session() as session:
        closed = requests.ask(session, hashed="a", sealed=sealer.seal(NUMBER), lang="en", topic="other",
                              source="menu", now=MONDAY_NOON, daily_limit=3)
        still_open = requests.ask(session, hashed="b", sealed=sealer.seal(OTHER), lang="en", topic="other",
                                  source="menu", now=MONDAY_NOON, daily_limit=3)
        closed.status, closed.closed_at = "done", MONDAY_NOON
        session.commit()
        closed_id, open_id = closed.id, still_open.id
    assert jobs.purge_numbers(now=MONDAY_NOON + timedelta(days=29)) == 0
    assert jobs.purge_numbers(now=MONDAY_NOON + timedelta(days=31)) == 1
    with database.session() as session:
        assert session.get(CallbackRequest, closed_id).sealed_number is None
        assert session.get(CallbackRequest, open_id).sealed_number is not None
    database.dispose()


def test_the_clock_runs_the_callback_jobs():
    from ivr.jobs.clock import PERIODIC

    functions = {job.function for job in PERIODIC}
    assert {"ivr.jobs.callbacks.call_due", "ivr.jobs.callbacks.purge_numbers"} <= functions


# -- statistics --------------------------------------------------------------------------------------------
def test_requests_and_outcomes_are_counted_without_a_number(db_url, keys, redis_url):
    import redis

    from ivr.stats.report import Report, load
    from ivr.store import keys as redis_keys
    from ivr.store.db import Database

    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url, "NUMBER_KEYS": keys,
                      "CALLER_HASH_KEY": HASH_KEY, "REDIS_URL": redis_url, "CALLBACK_LINE_NUMBERS": "+3197010000001"})
    client = app.test_client()
    connection = redis.Redis.from_url(redis_url)
    today = datetime.now(timezone.utc).date()

    def counts():
        return Counter({k.decode(): int(v) for k, v in connection.hgetall(redis_keys.stats_day(today.isoformat())).items()})

    time.sleep(1.5)  # the batches of earlier tests' apps (written each second) have landed
    before = counts()
    _ask(client)
    _ask(client)
    client.post("/voice/callback/missed", data={"From": "anonymous"})
    of(app).stats.flush()
    added = counts() - before
    assert added["callback:queued"] == 1 and added["callback:open"] == 1
    assert added["callback:missed_call"] == 1 and added["callback:withheld"] == 1
    everything = b" ".join(k + b" " + b" ".join(connection.hkeys(k)) for k in connection.keys("ivr:stats:*")
                           if connection.type(k) == b"hash")
    assert b"612345678" not in everything
    database = Database(db_url)
    with database.session() as session:
        report = Report(load(session, of(app).store.breaker, today, today), of(app).content.tree, 1)
    database.dispose()
    assert dict(report.named("callback"))["queued"] >= 1


# -- ivr callbacks ------------------------------------------------------------------------------------------
def test_ivr_callbacks_reseals_lists_and_purges(db_url, monkeypatch):
    from click.testing import CliRunner

    from ivr.cli import main
    from ivr.store.db import Database

    old, new = new_key(), new_key()
    database = Database(db_url)
    with database.session() as session:
        request = requests.ask(session, hashed="a", sealed=Sealer(old).seal(NUMBER), lang="ar", topic="other",
                               source="menu", now=MONDAY_NOON, daily_limit=3)
        request_id = request.id
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("NUMBER_KEYS", f"{new},{old}")
    listed = CliRunner().invoke(main, ["callbacks", "list"])
    assert listed.exit_code == 0 and "open" in listed.output and "ar" in listed.output
    assert "612345678" not in listed.output
    resealed = CliRunner().invoke(main, ["callbacks", "reseal"])
    assert resealed.exit_code == 0 and "1 number sealed with the newest key." in resealed.output
    with database.session() as session:
        assert Sealer(new).open(session.get(CallbackRequest, request_id).sealed_number) == NUMBER
        found = session.get(CallbackRequest, request_id)
        found.status, found.closed_at = "done", datetime.now(timezone.utc) - timedelta(days=31)
        session.commit()
    purged = CliRunner().invoke(main, ["callbacks", "purge"])
    assert purged.exit_code == 0 and "1 number deleted." in purged.output
    database.dispose()


def test_a_missed_call_is_never_answered_from_the_cache(cb, database):
    """The fast path answers /voice from cached TwiML before Flask: a missed call with
    the same values as a cached call must still be rejected and queued."""
    form = {"From": OTHER, "CallSid": "CA" + "2" * 32}
    first = parse(cb.post("/voice", data={**form, "To": "+3197010000000"}))
    assert first.find("Reject") is None
    again = parse(cb.post("/voice", data={**form, "To": "+3197010000000"}))  # now from the cache
    assert again.find("Reject") is None
    missed = parse(cb.post("/voice", data={**form, "To": "+3197010000001"}))
    assert [child.tag for child in missed] == ["Reject"]
    assert [r.source for r in stored(database)] == ["missed_call"]
