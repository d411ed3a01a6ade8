"""The office finder's webhooks: thin views over ivr/call/office_finder.py.

The office's answer depends on the clock (open now, until when, which day next), so
its cache key is what it says (`office_words.said_key`) and never the URL alone: at
closing time the key changes and the TwiML is made again. The first page's answer
is ivr.call.office_answers, which the fast path gives too.
"""
from flask import Blueprint, Response, request

from ..content.utterance import Utterance as U
from . import office_answers, office_sms
from .office_finder import KEY_SMS
from .office_words import said_key
from .paths import node_path
from .signature import twilio_only
from .answers import Answer, Sent, cache_key
from .webhooks import _answered, base_url, line

bp = Blueprint("office_finder", __name__, url_prefix="/voice")
SMS_SAID = {office_sms.QUEUED: "sms_sending", office_sms.FAILED: "sms_failed", office_sms.NO_NUMBER: "sms_no_number"}


def _sent():
    return Sent(request.args, request.form)


def _cached(key, make):
    """The TwiML for `key`, made once (the webhooks' cache, keyed as theirs are)."""
    services = line()
    full_key = cache_key(services, Answer(key, make), base_url())
    text = services.twiml_cache.get(full_key)
    if text is None:
        text = services.twiml_cache.put(full_key, str(make()))
    return Response(text, mimetype="text/xml")


def _counter(name):
    return _sent().counter(name)


def _flag(name):
    return _sent().flag(name)


def _digits():
    return _sent().digits()


def _from():
    return _sent().caller()


def _sid():
    return _sent().sid()


def _finder():
    return line().flow.offices


def _found(lang):
    """(finder, office, status, today, place), or a response that starts again."""
    return office_answers.found(line(), _sent(), lang)


@bp.route("/<lang>/office", methods=["POST"])
@twilio_only
def office(lang):
    return _answered(office_answers.office, lang=lang)


@bp.route("/<lang>/office/key", methods=["POST"])
@twilio_only
def office_key(lang):
    found, other = _found(lang)
    if found is None:
        return _cached(("office-none", lang, other[0]), other[1])
    finder, office_info, status, today, place = found
    digits, new = _digits(), _flag("new")
    if digits == KEY_SMS:  # never cached: it queues a message
        outcome = office_sms.request(line(), _from(), office_info.id, lang, _sid())
        return Response(str(finder.again(lang, place, new, [U(SMS_SAID[outcome])])), mimetype="text/xml")
    return _cached(("office-key", lang, office_answers.office_key(office_info), said_key(office_info, status, today), place, digits, new),
                   lambda: finder.key(lang, digits, office_info, status, place, new))


@bp.route("/<lang>/office/dialled", methods=["POST"])
@twilio_only
def dialled(lang):
    found, other = _found(lang)
    if found is None:
        return _cached(("office-none", lang, other[0]), other[1])
    finder, _, _, _, place = found
    answered = request.form.get("DialCallStatus", "") == "completed"
    intro = [] if answered else [U("office_no_answer")]
    return _cached(("office-dialled", lang, place, answered, _flag("new")),
                   lambda: finder.again(lang, place, _flag("new"), intro))


@bp.route("/<lang>/office/provinces", methods=["POST"])
@twilio_only
def provinces(lang):
    finder = _finder()
    if finder is None or lang not in line().flow.languages():
        return _cached(("office-none", lang), lambda: line().flow.unknown(lang))
    page, tries, new, own = _counter("page"), _counter("tries"), _flag("new"), line().content.regions.of_caller(_from())
    return _cached(("provinces", lang, page, tries, new, own),
                   lambda: finder.provinces(lang, page, tries, _from(), new))


@bp.route("/<lang>/office/provinces/key", methods=["POST"])
@twilio_only
def province_key(lang):
    finder = _finder()
    if finder is None or lang not in line().flow.languages():
        return _cached(("office-none", lang), lambda: line().flow.unknown(lang))
    digits, page, new, own = _digits(), _counter("page"), _flag("new"), line().content.regions.of_caller(_from())
    return _cached(("province-key", lang, digits, page, new, own),
                   lambda: finder.province_key(lang, digits, page, _from(), new))


def init_app(app):
    app.register_blueprint(bp)
