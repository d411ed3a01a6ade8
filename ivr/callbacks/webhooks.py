"""/voice/callback/...: Twilio's webhooks for calls back (thin views over `phone`,
`outbound` and `requests`): the steps of asking on the line, the missed call, and
the call back itself with its whisper and Twilio's status callbacks."""
import logging
import re

from flask import Blueprint, Response, request

from ..call.signature import twilio_only
from ..call.answers import CALL_SID, Sent
from ..call.webhooks import line
from ..store import db
from . import requests
from .numbers import from_caller

bp = Blueprint("callback", __name__, url_prefix="/voice/callback")
log = logging.getLogger("ivr.callbacks")
ID = re.compile(r"[0-9]{1,9}")
FINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
NODE = re.compile(r"[a-z0-9_]{1,40}")


def _digits():
    return Sent(request.args, request.form).digits()


def _xml(response):
    return Response(str(response), mimetype="text/xml")


def _int(name):
    raw = request.args.get(name, "")
    return int(raw) if ID.fullmatch(raw) else 0


def _back():
    raw = request.args.get("back", "")
    return raw if NODE.fullmatch(raw) else ""


def _lang_or_none(lang):
    return lang if lang in line().flow.languages() else None


def _any_lang():
    """A language to say sorry in when the request names none (or is gone)."""
    return next(iter(line().flow.languages()), line().content.reference.language.code)


def _desk():
    return line().callbacks


def _number(token):
    """The number a step is about: a typed one (sealed in `n=`), else the caller's own."""
    return _desk().phone.opened(token) if token else from_caller(request.form.get("From", ""))


# -- asking on the line -----------------------------------------------------------------------------
@bp.route("/<lang>", methods=["POST"])
@twilio_only
def start(lang):
    if not _lang_or_none(lang):
        return _xml(line().flow.unknown(lang))
    _desk().count("asked")
    desk = _desk()
    return _xml(desk.phone.start(lang, request.form.get("From", ""), _back(), desk.intake.enabled))


def _confirming(lang, answer):
    """The read-back step: `answer(number, token)` once the number is known; an unknown
    language starts again, a number no key opens is asked for."""
    if not _lang_or_none(lang):
        return _xml(line().flow.unknown(lang))
    token = request.args.get("n", "")
    number = _number(token)
    if number is None:
        return _xml(_desk().phone.type_number(lang, _back()))
    return _xml(answer(number, token))


@bp.route("/<lang>/confirm", methods=["POST"])
@twilio_only
def confirm(lang):
    return _confirming(lang, lambda number, token: _desk().phone.confirm(lang, number, token, _back(), _int("tries")))


@bp.route("/<lang>/confirm/key", methods=["POST"])
@twilio_only
def confirm_key(lang):
    return _confirming(lang, lambda number, token: _desk().phone.confirm_key(lang, number, token, _back(), _digits()))


@bp.route("/<lang>/type", methods=["POST"])
@twilio_only
def type_number(lang):
    if not _lang_or_none(lang):
        return _xml(line().flow.unknown(lang))
    return _xml(_desk().phone.type_number(lang, _back(), _int("tries")))


@bp.route("/<lang>/type/key", methods=["POST"])
@twilio_only
def typed(lang):
    if not _lang_or_none(lang):
        return _xml(line().flow.unknown(lang))
    return _xml(_desk().phone.typed(lang, _back(), _digits()))


@bp.route("/<lang>/topic", methods=["POST"])
@twilio_only
def topic(lang):
    if not _lang_or_none(lang):
        return _xml(line().flow.unknown(lang))
    return _xml(_desk().phone.topic(lang, request.args.get("n", ""), _back(), _int("tries")))


@bp.route("/<lang>/topic/key", methods=["POST"])
@twilio_only
def topic_key(lang):
    if not _lang_or_none(lang):
        return _xml(line().flow.unknown(lang))
    desk, token, back, digits = _desk(), request.args.get("n", ""), _back(), _digits()
    other = desk.phone.topic_key(lang, token, back, digits)
    if other is not None:
        return _xml(other)
    number = _number(token)
    if number is None:  # a withheld number and no typed one (a URL made up): ask for it
        return _xml(desk.phone.type_number(lang, back))
    source = "menu" if back in ("", line().flow.tree.start) else "answer"
    taken = desk.intake.take(db.request_session(), number, lang, desk.phone.chosen_topic(digits), source, _desk().clock())
    desk.count(taken.outcome)
    return _xml(desk.phone.taken(lang, back, taken))


# -- the missed call ---------------------------------------------------------------------------------
@bp.route("/missed", methods=["POST"])
@twilio_only
def missed():
    """The callback line's own webhook (the same as a call to /voice whose To is in
    CALLBACK_LINE_NUMBERS)."""
    return _xml(_desk().missed_call(db.request_session(), request.form.get("From", ""), _desk().clock()))


# -- the call back -----------------------------------------------------------------------------------
def _request():
    found = requests.get(db.request_session(), _int("r")) if _int("r") else None
    return found


@bp.route("/answer", methods=["POST"])
@twilio_only
def answer():
    found = _request()
    connect = line().settings["CALLBACK_CONNECT_NUMBER"]
    if found is None or not connect:
        return _xml(_desk().outbound.dialled(_any_lang(), False))
    return _xml(_desk().outbound.answer(found, _int("a"), connect, _int("tries")))


@bp.route("/answer/language", methods=["POST"])
@twilio_only
def answer_language():
    found, outbound = _request(), _desk().outbound
    lang = outbound.chosen(_digits())
    if found is None:
        return _xml(outbound.dialled(_any_lang(), False))
    if lang is None:
        return _xml(outbound.answer(found, _int("a"), line().settings["CALLBACK_CONNECT_NUMBER"]))
    requests.set_language(db.request_session(), found.id, lang)
    return _xml(outbound.greet(lang, found, _int("a"), line().settings["CALLBACK_CONNECT_NUMBER"]))


@bp.route("/whisper", methods=["POST"])
@twilio_only
def whisper():
    found = _request()
    if found is None:
        return _xml(_desk().outbound.dialled(_any_lang(), True))
    return _xml(_desk().outbound.whisper(found))


@bp.route("/dialled", methods=["POST"])
@twilio_only
def dialled():
    """After the bridge: the caller was helped, or nobody answered at the office: the
    request goes back to the agents' queue (the caller is told)."""
    found = _request()
    bridged = request.form.get("DialCallStatus", "") == "completed"
    lang = (found.lang if found else None) or _any_lang()
    if found is not None and not bridged:
        requests.back_to_agents(db.request_session(), found.id, _int("a"))
    return _xml(_desk().outbound.dialled(lang, bridged))


@bp.route("/status", methods=["POST"])
@twilio_only
def status():
    """Twilio's last word on a call back: answered, busy, no answer... Applied once,
    only to the try it names (twice or late: nothing changes)."""
    state = request.form.get("CallStatus", "")
    sid = request.form.get("CallSid", "")
    if state not in FINAL or not _int("r") or not _int("a"):
        return "", 204
    outcome = requests.call_ended(db.request_session(), _int("r"), _int("a"), state, _desk().clock(), _desk().intake.schedule,
                                  sid if CALL_SID.fullmatch(sid) else None)
    if outcome:
        _desk().count(f"call:{outcome}")
    log.info("callback %s try %s %s -> %s", _int("r"), _int("a"), state, outcome or "unchanged")
    return "", 204


def init_app(app):
    app.register_blueprint(bp)
