"""Call statistics: a simulated day of calls through the simulator against a served
line with a real Redis; the figures match what was sent, no number and no hash of a
number is ever shown or exported, counts under the threshold are hidden, the rollup
into the database is idempotent and outlives Redis, and a Redis that is gone costs
the calls nothing."""
import hashlib
import hmac
import re
from datetime import date, datetime, timezone

import pytest
import redis
import requests
from click.testing import CliRunner

from ivr import create_app
from ivr.call import twilio_request
from ivr.cli import main
from ivr.dev.simulator import Call, run, scripted
from ivr.services import of
from ivr.stats import report as reports
from ivr.stats.rollup import rollup
from ivr.store.db import Database
from ivr.store.models import DailyStat, MonthlyStat
from ivr.store.callers import caller_hash

from support import STAFF_PASSWORD, log_in

KEY = "test-caller-key"
ANNA, BILAL = "+31612345678", "+212612345678"
NATIONAL = "612345678"  # the part of both numbers most likely to be searched for


def _app(redis_url, db_url, threshold=1):
    return create_app({"TESTING": True, "AUDIO_ENABLED": False, "REDIS_URL": redis_url, "DATABASE_URL": db_url,
                       "CALLER_HASH_KEY": KEY, "SECRET_KEY": "test-secret", "STATS_THRESHOLD": threshold})


def _call(base, caller, keys, duration, app):
    """One simulated call, then Twilio's status callback for its end."""
    call = Call(base, caller=caller)
    run(call, scripted(keys), lambda event: None)
    params = {**twilio_request.params(call.call_sid, caller), "CallStatus": "completed", "CallDuration": str(duration)}
    assert requests.post(f"{base}/voice/status", data=params, timeout=10).status_code == 204
    of(app).stats.flush()  # a worker writes its counts every second: now, for the test to read them
    return call.call_sid


def _day(base, app):
    """A small day: Anna twice (the second time her language is remembered), Bilal once."""
    _call(base, ANNA, "1 1 1 1 9", 60, app)  # rejected -> the appeal, both parts, repeats, hangs up there
    _call(base, BILAL, "1 1 7 -", 30, app)  # Arabic (his country's first), rejected, a wrong key, a silence
    _call(base, ANNA, "4 2 212#", 90, app)  # safe countries -> the lookup -> Morocco, hangs up at it


@pytest.fixture
def counted(redis_url, db_url, serve_app):
    app = _app(redis_url, db_url)
    _day(serve_app(app), app)
    return app


def _today():
    return datetime.now(timezone.utc).date()


def test_the_figures_match_the_calls_that_were_made(counted, database):
    services = of(counted)
    with database.session() as session:
        counts = reports.load(session, services.store.breaker, _today(), _today())[_today()]
    expected = {
        "calls": 3, "lang:en": 2, "lang:ar": 1, "callers": 2, "durations": 3, "duration_seconds": 180,
        "reached:main": 3, "reached:rejected": 2, "reached:decision_appeal": 1, "heard:decision_appeal": 1,
        "hangup:decision_appeal": 1, "wrong:rejected": 1, "silence:rejected": 1, "hangup:rejected": 1,
        "reached:safe_countries": 1, "reached:safe_lookup": 1, "reached:safe_result": 1, "country:MA": 1,
        "heard:safe_result": 1, "hangup:safe_result": 1,
    }
    assert {name: counts.get(name) for name in expected} == expected
    assert sum(n for name, n in counts.items() if name.startswith("hour:")) == 3
    report = reports.Report({_today(): counts}, services.content.tree, 1)
    funnel = {topic: rest for topic, *rest in report.funnel()}
    assert funnel["rejected"] == [2, 1, 1] and funnel["safe_countries"] == [1, 1, 1]


def _shown_everywhere(app, redis_url, db_url, monkeypatch):
    """The admin page, the CSV and the CLI's output, as text."""
    client = app.test_client()
    from ivr.staff import accounts

    with Database(db_url).session() as session:
        if accounts.find(session, "eddie") is None:
            accounts.create_staff(session, "eddie", "editor", STAFF_PASSWORD, actor="test")
    assert log_in(client, "eddie", STAFF_PASSWORD).status_code == 302
    page = client.get("/admin/stats")
    export = client.get("/admin/stats/export.csv")
    assert page.status_code == 200 and export.status_code == 200
    for name, value in {"REDIS_URL": redis_url, "DATABASE_URL": db_url, "CALLER_HASH_KEY": KEY,
                        "STATS_THRESHOLD": str(app.config["STATS_THRESHOLD"])}.items():
        monkeypatch.setenv(name, value)
    printed = CliRunner().invoke(main, ["stats", "--days", "3"])
    assert printed.exit_code == 0, printed.output
    return page.get_data(as_text=True), export.get_data(as_text=True), printed.output


def test_no_number_and_no_hash_of_one_is_shown_or_exported(counted, redis_url, db_url, monkeypatch):
    secrets = {ANNA, BILAL, ANNA[1:], BILAL[1:], NATIONAL}
    secrets |= {caller_hash(KEY, n) for n in (ANNA, BILAL)} | {hashlib.sha256(n.encode()).hexdigest() for n in (ANNA, BILAL)}
    secrets |= {hmac.new(KEY.encode(), n.encode(), hashlib.sha256).hexdigest()[:16] for n in (ANNA, BILAL)}
    for text in _shown_everywhere(counted, redis_url, db_url, monkeypatch):
        assert not [s for s in secrets if s in text]
        assert not re.search(r"[0-9a-f]{32}", text)  # no hash of any kind, nor a CallSid


def test_the_csv_and_the_cli_say_the_counts(counted, redis_url, db_url, monkeypatch):
    page, export, printed = _shown_everywhere(counted, redis_url, db_url, monkeypatch)
    assert f"{_today().isoformat()},calls,3" in export.splitlines()
    assert f"{_today().isoformat()},country:MA,1" in export.splitlines()
    assert re.search(r"Calls: 3\b", printed) and re.search(r"MA\s+1\b", printed)
    assert '<strong id="calls">3</strong>' in page
    # Unique callers this month: Anna (twice) and Bilal are two.
    assert re.search(rf"{_today():%Y-%m}\s+2\b", printed.split("Unique callers per month")[1])
    months = page.split('id="months"')[1].split("</table>")[0]
    assert f"<th scope=\"row\">{_today():%Y-%m}</th><td class=\"n\">2</td>" in months


def test_counts_under_the_threshold_are_fewer_than_it(redis_url, db_url, serve_app, monkeypatch):
    app = _app(redis_url, db_url, threshold=5)
    _day(serve_app(app), app)
    page, export, printed = _shown_everywhere(app, redis_url, db_url, monkeypatch)
    assert f"{_today().isoformat()},calls,fewer than 5" in export.splitlines()
    assert "duration_seconds" not in export  # three calls' total length would tell their length
    assert "Calls: fewer than 5" in printed
    assert re.search(rf"{_today():%Y-%m}\s+fewer than 5", printed.split("Unique callers per month")[1])
    assert "<rect" not in page.split('id="months"')[1].split("</table>")[0]
    assert '<strong id="calls">fewer than 5</strong>' in page
    # A hidden count draws no bar: no width can tell it.
    assert "<rect" not in page.split('id="days"')[1].split("</table>")[0]
    for _ in range(3):
        _call(serve_app(app), BILAL, "1 -", 10, app)
    assert f"{_today().isoformat()},calls,6" in _shown_everywhere(app, redis_url, db_url, monkeypatch)[1].splitlines()


def test_the_rollup_is_idempotent_and_history_outlives_redis(counted, database, redis_url):
    breaker = of(counted).store.breaker
    with database.session() as session:
        first = rollup(session, breaker, _today())
        again = rollup(session, breaker, _today())
        assert first == again > 0
        rows = {row.name: row.count for row in session.query(DailyStat).filter_by(day=_today())}
    assert rows["calls"] == 3 and rows["heard:safe_result"] == 1
    redis.Redis.from_url(redis_url).flushall()
    with database.session() as session:
        assert rollup(session, breaker, _today()) == 0  # Redis has nothing: the rows stay
        counts = reports.load(session, breaker, _today(), _today())[_today()]
    assert counts == rows


def test_a_months_unique_callers_are_rolled_up_never_lowered_and_read_back(counted, database, redis_url, serve_app):
    breaker, month = of(counted).store.breaker, _today().replace(day=1)
    with database.session() as session:
        rollup(session, breaker, _today())
        rollup(session, breaker, _today())  # again: still one row, the same count
        rows = [(row.month, row.name, row.count) for row in session.query(MonthlyStat)]
    assert rows == [(month, "callers", 2)]
    redis.Redis.from_url(redis_url).flushall()  # Redis lost the month: it counts again from nothing
    _call(serve_app(counted), BILAL, "1 -", 10, counted)
    with database.session() as session:
        rollup(session, breaker, _today())
        assert session.get(MonthlyStat, (month, "callers")).count == 2  # one caller since: not lowered
        report = reports.gather(session, breaker, _today(), _today(), of(counted).content.tree, 1)
    assert report.months == {month: 2}


def test_the_rollup_command(counted, db_url, redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    done = CliRunner().invoke(main, ["stats", "rollup", "--day", _today().isoformat()])
    assert done.exit_code == 0 and "counters rolled up" in done.output, done.output
    bad = CliRunner().invoke(main, ["stats", "rollup", "--day", "yesterday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_with_redis_gone_calls_answer_and_nothing_is_a_500(db_url, serve_app, tmp_path):
    from ivr.store.redis import EmbeddedRedis

    with EmbeddedRedis(tmp_path / "r", persist=False) as server:
        app = _app(server.url, db_url)
        base = serve_app(app)
        _call(base, ANNA, "1 1", 20, app)
    _day(base, app)  # Redis is gone: every call still answers (the simulator raises on any non-200)
    client = app.test_client()
    from ivr.staff import accounts

    with Database(db_url).session() as session:
        accounts.create_staff(session, "ada", "admin", STAFF_PASSWORD, actor="test")
    log_in(client, "ada", STAFF_PASSWORD)
    assert client.get("/admin/stats").status_code == 200
    assert client.get("/admin/stats/export.csv").status_code == 200


def test_the_page_is_for_admins_and_editors_and_refuses_a_bad_range(logged_in):
    assert logged_in("agent").get("/admin/stats").status_code == 403
    editor = logged_in("editor")
    assert editor.get("/admin/stats?from=2026-02-30").status_code == 400
    assert editor.get("/admin/stats?from=2026-03-02&to=2026-03-01").status_code == 400
    assert editor.get("/admin/stats?from=2020-01-01&to=2026-01-01").status_code == 400
    assert editor.get("/admin/stats?from=2026-03-01&to=2026-03-02").status_code == 200


def test_a_country_no_one_has_is_not_counted(counted):
    services = of(counted)
    from ivr.call import stats

    with counted.test_request_context():
        stats.node(services, "", "en", "safe_result", 0, 0, "+31612345678")
    counts = services.store.breaker.call(lambda c: c.hgetall(f"ivr:stats:day:{_today().isoformat()}"))
    assert not [name for name in counts if b"+31" in name]


def test_a_day_is_rolled_up_and_read_back_on_sqlite_and_postgresql(empty_db_url, redis_url, serve_app):
    from ivr.store.db import upgrade

    database = Database(empty_db_url)
    upgrade(database)
    try:
        app = _app(redis_url, empty_db_url)
        _day(serve_app(app), app)
        breaker = of(app).store.breaker
        with database.session() as session:
            rollup(session, breaker, _today())
            rollup(session, breaker, _today())
        redis.Redis.from_url(redis_url).flushall()
        with database.session() as session:
            counts = reports.load(session, breaker, _today(), _today())[_today()]
        assert counts["calls"] == 3 and counts["country:MA"] == 1 and counts["callers"] == 2
    finally:
        database.dispose()


def test_the_page_shows_its_charts_in_a_browser(redis_url, db_url, serve_app, page):
    from ivr.staff import accounts

    app = _app(redis_url, db_url)
    base = serve_app(app)
    _day(base, app)
    with Database(db_url).session() as session:
        accounts.create_staff(session, "eddie", "editor", STAFF_PASSWORD, actor="test")
    page.goto(f"{base}/admin/login?next=/admin/stats")
    page.fill("input[name=name]", "eddie")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/stats")
    assert page.locator("#calls").inner_text() == "3"
    # The charts are drawn: today's bar is as wide as the largest, in its language colours.
    today_bar = page.locator("#days svg.hbar").last
    assert today_bar.bounding_box()["width"] > 200
    assert today_bar.locator("rect").count() == 2
    fills = {today_bar.locator("rect").nth(n).evaluate("r => getComputedStyle(r).fill") for n in (0, 1)}
    assert len(fills) == 2 and "rgb(0, 0, 0)" not in fills  # one colour a language
    assert page.locator("#funnel tbody tr").count() >= 6
    # This month's unique callers (two), drawn as a bar as wide as the chart's largest.
    month = page.locator("#months tr", has=page.locator("th", has_text=f"{_today():%Y-%m}"))
    assert month.locator("td.n").inner_text() == "2"
    assert month.locator("svg.hbar rect").count() == 1 and month.locator("svg.hbar").bounding_box()["width"] > 200
    page.get_by_role("link", name="Download CSV").wait_for()


def test_a_worker_writes_its_counts_by_itself_and_a_webhook_never_waits_on_redis(redis_url):
    import time

    from ivr.stats.counting import Counter
    from ivr.store.breaker import Breaker

    client = redis.Redis.from_url(redis_url)
    calls = []
    counter = Counter({"STATS_ENABLED": True}, Breaker(client), flush_seconds=0.05)
    real = counter.breaker.call
    counter.breaker.call = lambda action, default=None: calls.append(1) or real(action, default)
    counter.add("reached:main")
    counter.add("reached:main")
    assert calls == []  # the webhook's own work: counted in memory only
    deadline = time.monotonic() + 5
    while client.hget(f"ivr:stats:day:{_today().isoformat()}", "reached:main") != b"2" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.hget(f"ivr:stats:day:{_today().isoformat()}", "reached:main") == b"2"


def test_the_page_shows_office_lookups_by_province_and_text_messages(redis_url, db_url):
    from lxml import html

    from ivr.staff import accounts

    app = _app(redis_url, db_url)
    day = _today().isoformat()
    redis.Redis.from_url(redis_url).hset(f"ivr:stats:day:{day}", mapping={"office:Utrecht": 3, "sms:sent": 2})
    with Database(db_url).session() as session:
        accounts.create_staff(session, "eve", "editor", STAFF_PASSWORD, actor="test")
    client = app.test_client()
    log_in(client, "eve", STAFF_PASSWORD)
    page = html.fromstring(client.get(f"/admin/stats?from={day}&to={day}").data)
    assert "Utrecht" in page.get_element_by_id("offices").text_content()
    assert "sent" in page.get_element_by_id("texts").text_content()
    assert "No text messages counted." not in page.get_element_by_id("texts").text_content()
