"""Twilio voice webhooks: thin views that read the request's values and answer the
call flow's TwiML, cached by those values."""
import logging
import re

from flask import Blueprint, Response, current_app, request

from ..config import EXTENSION
from ..content.tree import KEYPAD
from . import paths, stats, twiml
from .language_menu import Place
from .signature import twilio_only

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)

INVALID = "?"  # stands for input no keypad can send; the flow treats it as a wrong key
MAX_COUNTER = 99
COUNTER = re.compile(r"[0-9]{1,3}")  # ASCII only: str.isdigit() also takes ², ① and ٣
# What a status line may show: Twilio's own forms of these values, nothing a sender made up.
CALL_SID = re.compile(r"CA[0-9a-f]{32}")
CALL_STATUSES = frozenset({"queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"})
DURATION = re.compile(r"[0-9]{1,6}")


def line():
    """The app's Services (ivr.services), made by the application factory."""
    return current_app.extensions[EXTENSION]


def base_url():
    """The absolute URL prefix for <Play>: PUBLIC_BASE_URL, else this request's host.
    Built from the parts: request.url_root re-parses the whole URL on every call."""
    return current_app.config["PUBLIC_BASE_URL"] or f"{request.scheme}://{request.host}{request.script_root}/"


def _cached(key, make):
    """The TwiML for `key`, made once: the answer to a webhook depends only on the
    content, the audio build and the request's own values, all named in the key."""
    services = line()
    full_key = (services.speech.generation, base_url() if services.manifest is not None else "", *key)
    text = services.twiml_cache.get(full_key)
    if text is None:
        text = services.twiml_cache.put(full_key, str(make()))
    return Response(text, mimetype="text/xml")


def _counter(name):
    """A small non-negative integer from the query string; anything else is 0."""
    raw = request.args.get(name, "")
    return min(int(raw), MAX_COUNTER) if COUNTER.fullmatch(raw) else 0


def _flag(name):
    """A 0/1 flag from the query string."""
    return 1 if _counter(name) else 0


def _digits():
    raw = request.form.get("Digits", "")
    return raw if all(c in KEYPAD for c in raw) else INVALID


def _caller(flow, node_id):
    """The caller's number, read only where a menu offers the caller's own country."""
    return request.form.get("From", "") if flow.uses_caller(node_id) else ""


def _shown(name, valid):
    """A form value for a log line when it has Twilio's form (`valid(value)`), else "-":
    without a token anyone can POST, and a log line never holds a phone number."""
    raw = request.form.get(name, "")
    return raw if valid(raw) else "-"


def _sid():
    """The CallSid when it has Twilio's form, else "" (it names a call, not a caller)."""
    raw = request.form.get("CallSid", "")
    return raw if CALL_SID.fullmatch(raw) else ""


def _from():
    return request.form.get("From", "")


def _place():
    """Where a caller pressed # (carried through the language menu's URLs)."""
    return Place(request.args.get("at", ""), _counter("part"), request.args.get("cc", ""))


# Webhooks are POST only (Twilio's default): a GET would carry the caller's number
# in its query string, and query strings are written to access logs.
@bp.route("", methods=["POST"])
@twilio_only
def incoming():
    if paths.is_staff_line(current_app.config, request.form.get("To", "")):
        return Response(str(twiml.redirect(paths.STAFF_PATH)), mimetype="text/xml")  # not a caller: no count
    services = line()
    caller = _from()
    hashed = services.callers.hash(caller)
    region, remembered = services.flow.caller_region(caller), services.callers.language(hashed)
    log.info("call %s incoming country=%s", _shown("CallSid", CALL_SID.fullmatch), region or "-")
    services.stats.incoming(hashed, remembered)  # a remembered language counts as chosen
    return _cached(("incoming", region, remembered), lambda: services.flow.language.incoming(region, remembered))


@bp.route("/language", methods=["POST"])
@twilio_only
def language_menu():
    menu = line().flow.language
    page, tries, place, region = _counter("page"), _counter("tries"), _place(), line().flow.caller_region(_from())
    return _cached(("language", page, tries, place, region), lambda: menu.menu(page, tries, region, place))


@bp.route("/language/key", methods=["POST"])
@twilio_only
def language_key():
    services = line()
    menu = services.flow.language
    digits, page, place, region = _digits(), _counter("page"), _place(), services.flow.caller_region(_from())
    chosen = menu.chosen(digits, page, region)
    if chosen:  # remembered as soon as it is chosen (under a keyed hash, never the number)
        services.callers.remember(services.callers.hash(_from()), chosen)
        services.stats.add(f"lang:{chosen}")
    return _cached(("language-key", digits, page, place, region), lambda: menu.choose(digits, page, region, place))


@bp.route("/status", methods=["POST"])
@twilio_only
def status():
    # Twilio's call status callback: logged, so operators can follow calls, and counted.
    sid, state, duration = (_shown(name, valid) for name, valid in (
        ("CallSid", CALL_SID.fullmatch), ("CallStatus", CALL_STATUSES.__contains__), ("CallDuration", DURATION.fullmatch)))
    if not paths.is_staff_line(current_app.config, request.form.get("To", "")):  # staff calls are not the line's use
        line().stats.status(sid if sid != "-" else "", state == "completed", int(duration) if duration != "-" else None)
    log.info(
        "call %s %s duration=%s",
        _shown("CallSid", CALL_SID.fullmatch),
        _shown("CallStatus", CALL_STATUSES.__contains__),
        _shown("CallDuration", DURATION.fullmatch),
    )
    return "", 204


@bp.route("/<lang>/<node_id>", methods=["POST"])
@twilio_only
def node(lang, node_id):
    flow = line().flow
    part, tries, cc, caller, new = _counter("part"), _counter("tries"), request.args.get("cc", ""), _caller(flow, node_id), _flag("new")
    stats.node(line(), _sid(), lang, node_id, part, tries, cc)
    return _cached(
        ("node", lang, node_id, part, tries, cc, flow.caller_place(node_id, caller), new),
        lambda: flow.node(lang, node_id, part, tries, caller, cc, new=new),
    )


@bp.route("/<lang>/<node_id>/key", methods=["POST"])
@twilio_only
def key(lang, node_id):
    flow = line().flow
    digits, part, cc, caller, new = _digits(), _counter("part"), request.args.get("cc", ""), _caller(flow, node_id), _flag("new")
    stats.key(line(), _sid(), lang, node_id, digits, part)
    return _cached(
        ("key", lang, node_id, digits, part, cc, flow.caller_place(node_id, caller), new),
        lambda: flow.key(lang, node_id, digits, part, caller, cc, new=new),
    )


def init_app(app):
    app.register_blueprint(bp)
