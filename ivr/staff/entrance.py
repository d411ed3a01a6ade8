"""The staff line's webhooks under /voice/staff: staff number, PIN (accounts.check_pin:
five wrong lock the account), a language by key, a prompt by its number; the prompt as
it is (its English, its own words where Twilio has a voice, the audio the line plays),
<Record> after the beep, the take played back, then 1 keep, 2 again, * another prompt.

Thin views: where the call is travels in a sealed ticket (ticket.py), the TwiML is
booth.py's, takes wait in Redis (takes.py) and Twilio's recording status callback
enqueues the worker's fetch (ivr.jobs.recordings). Every view is checked like every
webhook (twilio_only); no log line holds a PIN, a staff number or a phone number.
"""
import logging
import re
from urllib.parse import urlencode

from babel import Locale
from flask import Blueprint, Response, current_app, request

from ..call import paths
from ..call.signature import twilio_only
from ..call.webhooks import base_url
from ..config import EXTENSION
from ..content import registry
from ..store import db
from . import accounts, booth, recordings
from .audit import record_audit
from .booth import words
from .ticket import Sealer, Ticket

bp = Blueprint("staff_line", __name__, url_prefix=paths.STAFF_PATH)
log = logging.getLogger(__name__)

CALL_SID = re.compile(r"CA[0-9a-f]{32}")
RECORDING_SID = re.compile(r"RE[0-9a-f]{32}")
ENTERED = re.compile(r"[0-9]{1,9}")  # a staff or prompt number as typed (before #)


def _line():
    return current_app.extensions[EXTENSION]


def _config(name):
    return current_app.config[name]


def _call():
    raw = request.form.get("CallSid", "")
    return raw if CALL_SID.fullmatch(raw) else ""


def _counter(name):
    raw = request.args.get(name, "")
    return min(int(raw), 99) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0


def _digits():
    return request.form.get("Digits", "")


def _sealer():
    return Sealer(_config("SECRET_KEY"))


def _url(step, ticket=None, **params):
    query = {"t": _sealer().seal(ticket)} if ticket is not None else {}
    query.update({name: value for name, value in params.items() if value})
    path = paths.STAFF_PATH + (f"/{step}" if step else "")
    return f"{path}?{urlencode(query)}" if query else path


def _absolute(path):
    return base_url().rstrip("/") + path


def _twiml(response):
    return Response(str(response), mimetype="text/xml")


def _ticket(signed_in=True):
    """This call's ticket, or None (forged, expired, another call's, or before the PIN)."""
    ticket = _sealer().open(request.args.get("t", ""), _call())
    if ticket is None or (signed_in and not ticket.signed_in):
        return None
    return ticket


def _entry(action, again, ticket, tries, said):
    """Ask for digits up to # (posted to step `action`); silence asks again at step
    `again`, and MAX_SILENT_TRIES silences end the call."""
    if tries >= _config("MAX_SILENT_TRIES"):
        return _twiml(booth.goodbye())
    return _twiml(booth.ask(_url(action, ticket), _url(again, ticket, tries=tries + 1), said, _config("ENTRY_TIMEOUT")))


def _start_again():
    return _twiml(booth.say_then([], paths.STAFF_PATH))


def _language_names():
    """{code: English name}; two languages of one name (Farsi, Dari) named with their region."""
    content = _line().content
    plain = {code: Locale.parse(c.language.locale).get_language_name("en") for code, c in content.catalogues.items()}
    return {code: (Locale.parse(content.catalogues[code].language.locale).get_display_name("en")
                   if list(plain.values()).count(name) > 1 else name) for code, name in plain.items()}


# -- signing in ---------------------------------------------------------------------------------------
@bp.route("", methods=["POST"])
@twilio_only
def entrance():
    if not paths.is_staff_line(current_app.config, request.form.get("To", "")) or not _call():
        return _twiml(booth.goodbye([words("off")]))
    ticket = _ticket(signed_in=False) or Ticket(_call())  # a ticket here carries the wrong tries
    return _entry("number", "", ticket, _counter("tries"), [words("welcome")])


@bp.route("/number", methods=["POST"])
@twilio_only
def number():
    ticket = _ticket(signed_in=False)
    if ticket is None or not ENTERED.fullmatch(_digits()):
        return _twiml(booth.say_then([], _url("", ticket, tries=1)))
    return _ask_pin(ticket.but(staff=int(_digits())), 0)


def _ask_pin(ticket, tries):
    return _entry("pin", "pin", ticket, tries, [words("pin")])


@bp.route("/pin", methods=["POST"])
@twilio_only
def pin():
    ticket = _ticket(signed_in=False)
    if ticket is None or ticket.staff is None:
        return _start_again()
    if not _digits():
        return _ask_pin(ticket, _counter("tries"))
    policy = accounts.Policy.from_settings(current_app.config)
    session = db.request_session()
    outcome = accounts.check_pin(session, ticket.staff, _digits(), policy)
    if outcome.status == "locked":
        log.info("staff line: call %s: the account is locked", _call())
        return _twiml(booth.goodbye([words("locked", minutes=outcome.minutes_left(), failures=policy.failures)]))
    if outcome.status == "disabled":
        return _twiml(booth.goodbye([words("disabled")]))
    if outcome.status == "wrong":
        wrong = ticket.wrong + 1
        log.info("staff line: call %s: staff number and PIN do not match", _call())
        if wrong >= policy.failures:  # an unknown number is never locked: the call ends
            return _twiml(booth.goodbye([words("no_match"), words("too_many")]))
        return _twiml(booth.say_then([words("no_match")], _url("", Ticket(ticket.call, wrong=wrong))))
    staff = outcome.staff
    if "recordings" not in accounts.permissions(staff.role):
        session.commit()
        return _twiml(booth.goodbye([words("no_right")]))
    record_audit(session, staff.name, "staff.phone_sign_in", target=staff.name)
    session.commit()
    log.info("staff line: call %s signed in", _call())
    ticket = ticket.but(signed_in=True, wrong=0)
    return _twiml(booth.say_then([words("hello", name=staff.name)], _url("language", ticket)))


# -- a language, a prompt -------------------------------------------------------------------------------
@bp.route("/language", methods=["POST"])
@twilio_only
def language():
    ticket = _ticket()
    if ticket is None:
        return _start_again()
    codes, digits, said = list(_line().content.catalogues), _digits(), []
    if digits:
        if ENTERED.fullmatch(digits) and 1 <= int(digits) <= len(codes):
            return _ask_prompt(ticket.but(lang=codes[int(digits) - 1]), 0)
        said.append(words("not_language", key=digits if ENTERED.fullmatch(digits) else ""))
    names = _language_names()
    said += [words("language")] + [words("language_key", name=names[code], key=n) for n, code in enumerate(codes, 1)]
    return _entry("language", "language", ticket, _counter("tries"), said)


def _ask_prompt(ticket, tries, said=()):
    said = [*said, words("prompt", language=_language_names()[ticket.lang])]
    return _entry("prompt", "prompt", ticket.but(prompt=0, take=""), tries, said)


def _item(ticket):
    """The registry item of the ticket's prompt number in its language, or None."""
    content = _line().content
    named = {n: name for name, n in registry.numbers(content).items()}
    if ticket.prompt not in named:
        return None
    try:
        return recordings.find_item(content, f"{ticket.lang}|{named[ticket.prompt]}")
    except recordings.RecordingError:
        return None


@bp.route("/prompt", methods=["POST"])
@twilio_only
def prompt():
    ticket = _ticket()
    if ticket is None or not ticket.lang:
        return _start_again()
    digits = _digits()
    if digits == "*":
        return _twiml(booth.say_then([], _url("language", ticket.but(lang=""))))
    if not digits:
        return _ask_prompt(ticket, _counter("tries"))
    chosen = ticket.but(prompt=int(digits)) if ENTERED.fullmatch(digits) else None
    item = _item(chosen) if chosen is not None else None
    if item is None:
        language_name = _language_names()[ticket.lang]
        return _ask_prompt(ticket, 0, [words("no_prompt", number=digits.strip("*#") or "0", language=language_name)])
    return _review(chosen, item)


def _review(ticket, item):
    line, content = _line(), _line().content
    reference = content.text(content.reference.language.code, item.utterance)
    spoken = None
    if item.lang != content.reference.language.code and line.say.can_speak(item.lang):
        language = content.catalogues[item.lang].language
        options = {"language": language.say_language, **({"voice": language.say_voice} if language.say_voice else {})}
        spoken = (_language_names()[item.lang], item.text, options)
    audio_url = None
    if line.manifest is not None:
        line.manifest.refresh()
        key = line.manifest.current.get(item.id)
        audio_url = line.speech.url(key) if key is not None and key not in line.manifest.bad else None
    return _twiml(booth.review(ticket.prompt, reference, spoken, audio_url, _url("record", ticket)))


def init_app(app):
    from . import playback  # noqa: F401 (the second half's routes, on this blueprint)

    app.register_blueprint(bp)
