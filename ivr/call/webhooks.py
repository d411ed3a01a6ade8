"""Twilio voice webhooks: thin views that read the request's values and answer the
call flow's TwiML (ivr.call.answers), cached by those values. A cached answer to a
well-formed, signed request is usually given before Flask by ivr.call.fastpath."""
import logging
import re

from flask import Blueprint, Response, current_app, request

from ..config import EXTENSION
from . import answers, paths
from .answers import CALL_SID, Sent
from .signature import twilio_only

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)

CALL_STATUSES = frozenset({"queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"})
DURATION = re.compile(r"[0-9]{1,6}")


def line():
    """The app's Services (ivr.services), made by the application factory."""
    return current_app.extensions[EXTENSION]


def base_url():
    """The absolute URL prefix for <Play>: PUBLIC_BASE_URL, else this request's host.
    Built from the parts: request.url_root re-parses the whole URL on every call."""
    return current_app.config["PUBLIC_BASE_URL"] or f"{request.scheme}://{request.host}{request.script_root}/"


def _answered(webhook, **path):
    """The webhook's TwiML, made once: the answer depends only on the content, the
    audio build and the request's own values, all named in the cache key."""
    services = line()
    answer = webhook(services, Sent(request.args, request.form), **path)
    full_key = answers.cache_key(services, answer, base_url())
    text = services.twiml_cache.get(full_key)
    if text is None:
        text = services.twiml_cache.put(full_key, str(answer.make()))
    answer.count()
    return Response(text, mimetype="text/xml")


# Webhooks are POST only (Twilio's default): a GET would carry the caller's number
# in its query string, and query strings are written to access logs.
@bp.route("", methods=["POST"])
@twilio_only
def incoming():
    return _answered(answers.incoming)


@bp.route("/language", methods=["POST"])
@twilio_only
def language_menu():
    return _answered(answers.language_menu)


@bp.route("/language/key", methods=["POST"])
@twilio_only
def language_key():
    return _answered(answers.language_key)


@bp.route("/status", methods=["POST"])
@twilio_only
def status():
    # Twilio's call status callback: logged, so operators can follow calls, and counted.
    sent = Sent(request.args, request.form)
    sid, state, duration = (sent.shown(name, valid) for name, valid in (
        ("CallSid", CALL_SID.fullmatch), ("CallStatus", CALL_STATUSES.__contains__), ("CallDuration", DURATION.fullmatch)))
    if not paths.is_staff_line(current_app.config, request.form.get("To", "")):  # staff calls are not the line's use
        line().stats.status(sid if sid != "-" else "", state == "completed", int(duration) if duration != "-" else None)
    log.info("call %s %s duration=%s", sid, state, duration)
    return "", 204


@bp.route("/<lang>/<node_id>", methods=["POST"])
@twilio_only
def node(lang, node_id):
    return _answered(answers.node, lang=lang, node_id=node_id)


@bp.route("/<lang>/<node_id>/key", methods=["POST"])
@twilio_only
def key(lang, node_id):
    return _answered(answers.key, lang=lang, node_id=node_id)


def init_app(app):
    app.register_blueprint(bp)
