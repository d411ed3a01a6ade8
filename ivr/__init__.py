"""The return-information phone line: Twilio voice webhooks over content kept as data."""
from flask import Flask

from . import config


class UnsignedStartRefused(RuntimeError):
    pass


def create_app(test_config=None, serving=False):
    """The application factory.

    `serving=True` is the production start (the Procfile's): it refuses to run without
    TWILIO_AUTH_TOKEN unless IVR_DEVELOPMENT says this is a development run.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.update(test_config)
    if serving and not app.config["TWILIO_AUTH_TOKEN"] and not app.config["IVR_DEVELOPMENT"]:
        raise UnsignedStartRefused(
            "TWILIO_AUTH_TOKEN is not set, so anyone could drive the webhooks. "
            "Set it to the Twilio account's auth token, or set IVR_DEVELOPMENT=1 for a development run."
        )

    from . import audio, check, phone, state, voice

    state.init_app(app)
    voice.init_app(app)
    audio.init_app(app)
    check.init_app(app)
    phone.init_app(app)
    return app
