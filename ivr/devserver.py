"""`make run`: the line on http://127.0.0.1:$PORT, ready to try.

Starts an embedded Redis under instance/ unless REDIS_URL names one, brings the audio
up to date (only what changed is made), and serves. Without TWILIO_AUTH_TOKEN the
webhooks are not checked for Twilio's signature, and it says so.
"""
import os
import sys

from . import create_app
from .config import ROOT
from .connection import EmbeddedRedis


def main():
    port = int(os.environ.get("PORT", "5000"))
    if not os.environ.get("REDIS_URL"):
        redis_dir = ROOT / "instance" / "redis"
        os.environ["REDIS_URL"] = EmbeddedRedis(redis_dir, persist=True).start().url
        print(f"Redis: embedded, persisted in {redis_dir}", file=sys.stderr)
    if not os.environ.get("TWILIO_AUTH_TOKEN"):
        os.environ["IVR_DEVELOPMENT"] = "1"
        print(
            "NOTE: TWILIO_AUTH_TOKEN is not set: webhooks are NOT checked for Twilio's signature.\n"
            "      This is for trying the line locally; set the token before Twilio can reach it.",
            file=sys.stderr,
        )
    app = create_app(serving=True)
    with app.app_context():
        from .audio.build import build

        state = app.extensions["ivr"]
        print("Bringing the audio up to date (only what changed is made)...", file=sys.stderr)
        report = build(state.content, state.library, app.config, progress=sys.stderr.isatty(),
                       log=lambda line: print(line, file=sys.stderr))
        print(report.table(list(state.content.catalogues)), file=sys.stderr)
        if state.play_speech is not None:
            state.play_speech.load()
        offered = ", ".join(state.flow.languages()) or "none"
    print(f"\nThe line answers on http://127.0.0.1:{port}/voice  (languages: {offered})", file=sys.stderr)
    if app.config["PHONE_ENABLED"] or app.config["IVR_DEVELOPMENT"]:
        print(f"Try it in the browser: http://127.0.0.1:{port}/phone   or in a terminal: make call", file=sys.stderr)
    app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
