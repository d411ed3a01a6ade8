"""`make run`: the line on http://127.0.0.1:$PORT, ready to try.

Starts an embedded Redis under instance/ unless REDIS_URL names one, brings the audio
up to date (only what changed is made), and serves. Without TWILIO_AUTH_TOKEN the
webhooks are not checked for Twilio's signature, and it says so. The database is
brought to the newest schema (SQLite in instance/ unless DATABASE_URL names one), and
the staff log-ins are signed with a SECRET_KEY kept in instance/ if none is set.
"""
import os
import secrets
import sys

from .. import config
from ..app import create_app
from ..audio.build import build
from ..store import db
from ..store.redis import EmbeddedRedis


def say(line):
    print(line, file=sys.stderr)


def development_secret(path=config.ROOT / "instance" / "secret_key"):
    """A SECRET_KEY made once and kept, so log-ins survive a restart of `make run`."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as secret:
            secret.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def main(environ=None):
    settings = config.from_environment(environ)
    port = settings["PORT"]
    embedded = None
    if not settings["REDIS_URL"]:
        redis_dir = config.ROOT / "instance" / "redis"
        embedded = EmbeddedRedis(redis_dir, persist=True).start()
        settings["REDIS_URL"] = embedded.url
        say(f"Redis: embedded, persisted in {redis_dir}")
    if not settings["TWILIO_AUTH_TOKEN"]:
        settings["IVR_DEVELOPMENT"] = True
        say("NOTE: TWILIO_AUTH_TOKEN is not set: webhooks are NOT checked for Twilio's signature.\n"
            "      This is for trying the line locally; set the token before Twilio can reach it.")
    settings["SECRET_KEY"] = settings["SECRET_KEY"] or development_secret()
    db.upgrade(db.Database(settings["DATABASE_URL"]))
    app = create_app(settings, serving=True)
    line = app.extensions["ivr"]
    say("Bringing the audio up to date (only what changed is made)...")
    report = build(line.content, line.store, settings, log=say)
    say(report.table(list(line.content.catalogues)))
    if line.manifest is not None:
        line.manifest.load()
    say(f"\nThe line answers on http://127.0.0.1:{port}/voice  (languages: {', '.join(line.offered()) or 'none'})")
    if settings["PHONE_ENABLED"] or settings["IVR_DEVELOPMENT"]:
        say(f"Try it in the browser: http://127.0.0.1:{port}/phone   or in a terminal: make call")
    say(f"Staff admin: http://127.0.0.1:{port}/admin   (the first admin: .venv/bin/ivr staff add NAME --role admin)")
    try:
        app.run(host="127.0.0.1", port=port, threaded=True)
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
