"""`make run`: the line on http://127.0.0.1:$PORT, ready to try.

Starts an embedded Redis under INSTANCE_DIR unless REDIS_URL names one, brings the
audio up to date (only what changed is made), and serves. Without TWILIO_AUTH_TOKEN
the webhooks are not checked for Twilio's signature, and it says so.

The database is brought to the newest schema (SQLite in INSTANCE_DIR unless
DATABASE_URL names one); the staff log-ins are signed with a SECRET_KEY, and caller
numbers hashed with a CALLER_HASH_KEY, each made once and kept in INSTANCE_DIR when
none is set.

Jobs (SMS, calls back, recordings by phone) run in a worker it starts, as the
Procfile's `worker:` line would. Without TWILIO_ACCOUNT_SID they go to a fake of
Twilio's REST API on loopback, which says what it got and sends nothing; without
NUMBER_KEYS a key to seal kept numbers is made once and kept in INSTANCE_DIR.

It writes the URL it serves on to INSTANCE_DIR/run.url, so `make call` in another
terminal finds it whatever PORT it was given. However it is stopped (Ctrl-C, SIGTERM
to it or to make's process group, the terminal closing), it stops what it started:
the worker, the Redis, the URL file.
"""
import contextlib
import os
import secrets
import signal
import sys
from pathlib import Path

from .. import config
from ..app import create_app
from ..audio.build import build
from ..offices.records import seed_if_empty
from ..store import db
from ..store.redis import EmbeddedRedis
from ..store.sealed import new_key
from .fake_twilio import FakeTwilio
from .procfile import work
from .simulator import RUN_URL

# Signals that stop `make run` besides Ctrl-C.
STOPPING = (signal.SIGTERM, signal.SIGHUP)


def say(line):
    print(line, file=sys.stderr)


class Stopped(SystemExit):
    """Raised in the main thread by a stopping signal, so every `finally` runs."""


@contextlib.contextmanager
def stopped_by_signals():
    def stop(signum, _frame):
        raise Stopped(0)

    previous = {sig: signal.signal(sig, stop) for sig in STOPPING}
    # Ctrl-C is Python's KeyboardInterrupt, even when started from a shell that had
    # SIGINT ignored (a background job of a script).
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    except (Stopped, KeyboardInterrupt):
        say("Stopped.")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def embedded_redis(settings):
    """An embedded Redis for this run unless REDIS_URL names one; stopped on the way out."""
    if settings["REDIS_URL"]:
        yield
        return
    redis_dir = Path(settings["INSTANCE_DIR"]) / "redis"
    with EmbeddedRedis(redis_dir, persist=True) as embedded:
        settings["REDIS_URL"] = embedded.url
        say(f"Redis: embedded, persisted in {redis_dir}")
        yield


@contextlib.contextmanager
def announced(settings, url):
    """The URL this run serves on, in INSTANCE_DIR/run.url while it runs (for `make call`)."""
    path = Path(settings["INSTANCE_DIR"]) / RUN_URL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(url + "\n", encoding="utf-8")
    try:
        yield
    finally:
        # Only our own: another `make run` may have written it since.
        with contextlib.suppress(OSError):
            if path.read_text(encoding="utf-8").strip() == url:
                path.unlink()


def development_secret(settings, name, make=lambda: secrets.token_hex(32)):
    """A secret made once and kept in INSTANCE_DIR, so staff log-ins, returning
    callers' languages and sealed numbers survive a restart of `make run`."""
    path = Path(settings["INSTANCE_DIR"]) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as secret:
            secret.write(make())
    return path.read_text(encoding="utf-8").strip()


def prepared_app(settings):
    """The line as `make run` serves it: its database migrated, its audio up to date."""
    settings["SECRET_KEY"] = settings["SECRET_KEY"] or development_secret(settings, "secret_key")
    settings["CALLER_HASH_KEY"] = settings["CALLER_HASH_KEY"] or development_secret(settings, "caller_hash_key")
    settings["NUMBER_KEYS"] = settings["NUMBER_KEYS"] or development_secret(settings, "number_key", new_key)
    database = db.Database(settings["DATABASE_URL"])
    db.upgrade(database)
    with database.transaction() as session:
        seed_if_empty(session)  # a first start: the offices' starting set (facts/offices.toml)
    if not settings["TWILIO_AUTH_TOKEN"]:
        settings["IVR_DEVELOPMENT"] = True
        say("NOTE: TWILIO_AUTH_TOKEN is not set: webhooks are NOT checked for Twilio's signature.\n"
            "      This is for trying the line locally; set the token before Twilio can reach it.")
    app = create_app(settings, serving=True)
    line = app.extensions[config.EXTENSION]
    say("Bringing the audio up to date (only what changed is made)...")
    report = build(line.content, line.store, settings, log=say)
    say(report.table(list(line.content.catalogues)))
    if line.manifest is not None:
        line.manifest.load()
    return app


@contextlib.contextmanager
def fake_twilio(settings):
    """Twilio's REST API faked on loopback unless TWILIO_ACCOUNT_SID names an account."""
    if settings["TWILIO_ACCOUNT_SID"]:
        yield
        return
    with FakeTwilio(log=say) as fake:
        settings.update(fake.settings(api_key=True))
        say(f"Twilio REST API: faked on {fake.url} (nothing is sent; set TWILIO_ACCOUNT_SID for real)")
        yield


@contextlib.contextmanager
def worker(settings):
    """The Procfile's worker, with this run's settings; stopped on the way out."""
    env = {**os.environ, **{name: str(value) for name, value in settings.items()}}
    with work(env, log=sys.stderr) as process:
        say(f"Worker: started (pid {process.pid})")
        yield


def main(environ=None):
    settings = config.from_environment(environ)
    port = settings["PORT"]
    url = f"http://127.0.0.1:{port}"
    with stopped_by_signals(), embedded_redis(settings), fake_twilio(settings):
        app = prepared_app(settings)
        line = app.extensions[config.EXTENSION]
        say(f"\nThe line answers on {url}/voice  (languages: {', '.join(line.offered()) or 'none'})")
        if settings["PHONE_ENABLED"] or settings["IVR_DEVELOPMENT"]:
            say(f"Try it in the browser: {url}/phone   or in a terminal: make call")
        say(f"Staff admin: {url}/admin   (the first admin: .venv/bin/ivr staff add NAME --role admin)")
        with worker(settings), announced(settings, url):
            app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
