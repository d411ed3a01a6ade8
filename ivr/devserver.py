"""`make run`: serve the line locally on http://127.0.0.1:$PORT."""
import os
import sys

from . import create_app


def main():
    port = int(os.environ.get("PORT", "5000"))
    if not os.environ.get("TWILIO_AUTH_TOKEN"):
        os.environ["IVR_DEVELOPMENT"] = "1"
        print(
            "NOTE: TWILIO_AUTH_TOKEN is not set: webhooks are NOT checked for Twilio's signature.\n"
            "      This is for trying the line locally; set the token before exposing it.",
            file=sys.stderr,
        )
    app = create_app(serving=True)
    print(f"The line answers on http://127.0.0.1:{port}/voice  (try it: make call)", file=sys.stderr)
    app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
