"""Twilio voice webhooks: thin views over the call flow."""
import logging

from flask import Blueprint, Response, request

from . import state
from .signature import twilio_only

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)

KEYPAD = set("0123456789*#")
INVALID = "?"  # stands for input no keypad can send; the flow treats it as a wrong key
MAX_COUNTER = 99


def _twiml(response):
    return Response(str(response), mimetype="text/xml")


def _counter(name):
    """A small non-negative integer from the query string; anything else is 0."""
    raw = request.args.get(name, "")
    return min(int(raw), MAX_COUNTER) if raw.isdigit() and len(raw) <= 3 else 0


def _digits():
    raw = request.values.get("Digits", "")
    return raw if all(c in KEYPAD for c in raw) else INVALID


def _caller():
    return request.values.get("From", "")


@bp.route("", methods=["GET", "POST"])
@twilio_only
def incoming():
    return _twiml(state.get().flow.incoming())


@bp.route("/language", methods=["GET", "POST"])
@twilio_only
def language_menu():
    return _twiml(state.get().flow.language_menu(_counter("page"), _counter("tries")))


@bp.route("/language/key", methods=["GET", "POST"])
@twilio_only
def language_key():
    return _twiml(state.get().flow.choose_language(_digits(), _counter("page")))


@bp.route("/status", methods=["POST"])
@twilio_only
def status():
    # Twilio's call status callback: logged, so operators can follow calls.
    log.info(
        "call %s %s duration=%s",
        request.form.get("CallSid", "-"),
        request.form.get("CallStatus", "-"),
        request.form.get("CallDuration", "-"),
    )
    return "", 204


@bp.route("/<lang>/<node_id>", methods=["GET", "POST"])
@twilio_only
def node(lang, node_id):
    flow = state.get().flow
    return _twiml(
        flow.node(lang, node_id, _counter("part"), _counter("tries"), _caller(), request.args.get("cc", ""))
    )


@bp.route("/<lang>/<node_id>/key", methods=["GET", "POST"])
@twilio_only
def key(lang, node_id):
    flow = state.get().flow
    return _twiml(flow.key(lang, node_id, _digits(), _counter("part"), _caller(), request.args.get("cc", "")))


def init_app(app):
    app.register_blueprint(bp)
