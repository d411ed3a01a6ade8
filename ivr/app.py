"""The application factory: settings in, a Flask app with the line's rooms wired out."""
from flask import Flask

from . import config, web
from .audio import serving as audio_serving
from .call import fastpath, office_views, webhooks
from .callbacks import admin as callbacks_admin, webhooks as callback_webhooks
from .callbacks.line import Callbacks
from .phone import views as phone
from .config import EXTENSION
from .services import Services
from .staff import entrance as staff_line, offices_page, stats_page, views as admin, web as staff_web
from .store import db


class UnsignedStartRefused(RuntimeError):
    pass


class SecretKeyMissing(RuntimeError):
    pass


def create_app(test_config=None, serving=False):
    """The line as a Flask app.

    `serving=True` is the production web process (the Procfile's): it refuses
    to run without TWILIO_AUTH_TOKEN or SECRET_KEY unless IVR_DEVELOPMENT says this
    is a development run, only it starts background work (warming an empty Redis),
    and it writes the line's log lines to stderr (ivr.web.log_to_stderr).
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
    if serving and not app.config["SECRET_KEY"] and not app.config["IVR_DEVELOPMENT"]:
        raise SecretKeyMissing(
            "SECRET_KEY is not set, so staff log-ins could be forged. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))'), or IVR_DEVELOPMENT=1 for a development run."
        )
    if serving:
        web.log_to_stderr()
    web.init_app(app)
    services = Services(app.config, base_url=webhooks.base_url)
    app.extensions[EXTENSION] = services
    services.callbacks = Callbacks(app.config, services.content, services.speech, services.sealer, services.callers,
                                   services.stats)
    db.init_app(app)
    staff_web.init_app(app, serving)
    webhooks.init_app(app)
    callback_webhooks.init_app(app)
    office_views.init_app(app)
    staff_line.init_app(app)  # /voice/staff: recording by phone
    audio_serving.init_app(app)
    phone.init_app(app)
    admin.init_app(app)
    stats_page.init_app(app)
    callbacks_admin.init_app(app)
    offices_page.init_app(app)
    # Not forms: Twilio signs its webhooks; the web phone posts JSON and changes nothing.
    staff_web.exempt(webhooks.bp, callback_webhooks.bp, office_views.bp, staff_line.bp, phone.bp)
    # Cached webhook answers and audio in memory before Flask (the same checks:
    # ivr.call.fastpath, audio.serving.from_memory); every answer's headers around both.
    answerers = [lambda environ, host: fastpath.answer(services, app.config, environ, host),
                 lambda environ, host: audio_serving.from_memory(services, environ)]
    app.wsgi_app = web.with_every_answer_headers(web.FastAnswers(app.wsgi_app, app.config, answerers))
    if serving:
        services.warm_in_background()
    return app
