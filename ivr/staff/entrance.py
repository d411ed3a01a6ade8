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


def line():
    return current_app.extensions[EXTENSION]


def setting(name):
    return current_app.config[name]


def call_sid():
    raw = request.form.get("CallSid", "")
    return raw if CALL_SID.fullmatch(raw) else ""


def counter(name):
    raw = request.args.get(name, "")
    return min(int(raw), 99) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0


def pressed():
    return request.form.get("Digits", "")


def sealer():
    return Sealer(setting("SECRET_KEY"))


def step_url(step, ticket=None, **params):
    query = {"t": sealer().seal(ticket)} if ticket is not None else {}
    query.update({name: value for name, value in params.items() if value})
    path = paths.STAFF_PATH + (f"/{step}" if step else "")
    return f"{path}?{urlencode(query)}" if query else path


def absolute(path):
    return base_url().rstrip("/") + path


def answer(response):
    return Response(str(response), mimetype="text/xml")


def ticket_here(signed_in=True):
    """This call's ticket, or None (forged, expired, another call's, or before the PIN)."""
    ticket = sealer().open(request.args.get("t", ""), call_sid())
    if ticket is None or (signed_in and not ticket.signed_in):
        return None
    return ticket


def _entry(action, again, ticket, tries, said):
    """Ask for digits up to # (posted to step `action`); silence asks again at step
    `again`, and MAX_SILENT_TRIES silences end the call."""
    if tries >= setting("MAX_SILENT_TRIES"):
        return answer(booth.goodbye())
    return answer(booth.ask(step_url(action, ticket), step_url(again, ticket, tries=tries + 1), said, setting("ENTRY_TIMEOUT")))


def start_again():
    return answer(booth.say_then([], paths.STAFF_PATH))


def _language_names():
    """{code: English name}; two languages of one name (Farsi, Dari) named with their region."""
    content = line().content
    plain = {code: Locale.parse(c.language.locale).get_language_name("en") for code, c in content.catalogues.items()}
    return {code: (Locale.parse(content.catalogues[code].language.locale).get_display_name("en")
                   if list(plain.values()).count(name) > 1 else name) for code, name in plain.items()}


# -- signing in ---------------------------------------------------------------------------------------
@bp.route("", methods=["POST"])
@twilio_only
def entrance():
    if not paths.is_staff_line(current_app.config, request.form.get("To", "")) or not call_sid():
        return answer(booth.goodbye([words("off")]))
    ticket = ticket_here(signed_in=False) or Ticket(call_sid())  # a ticket here carries the wrong tries
    return _entry("number", "", ticket, counter("tries"), [words("welcome")])


@bp.route("/number", methods=["POST"])
@twilio_only
def number():
    ticket = ticket_here(signed_in=False)
    if ticket is None or not ENTERED.fullmatch(pressed()):
        return answer(booth.say_then([], step_url("", ticket, tries=1)))
    return _ask_pin(ticket.but(staff=int(pressed())), 0)


def _ask_pin(ticket, tries):
    return _entry("pin", "pin", ticket, tries, [words("pin")])


@bp.route("/pin", methods=["POST"])
@twilio_only
def pin():
    ticket = ticket_here(signed_in=False)
    if ticket is None or ticket.staff is None:
        return start_again()
    if not pressed():
        return _ask_pin(ticket, counter("tries"))
    policy = accounts.Policy.from_settings(current_app.config)
    session = db.request_session()
    outcome = accounts.check_pin(session, ticket.staff, pressed(), policy)
    if outcome.status == "locked":
        log.info("staff line: call %s: the account is locked", call_sid())
        return answer(booth.goodbye([words("locked", minutes=outcome.minutes_left(), failures=policy.failures)]))
    if outcome.status == "disabled":
        return answer(booth.goodbye([words("disabled")]))
    if outcome.status == "wrong":
        wrong = ticket.wrong + 1
        log.info("staff line: call %s: staff number and PIN do not match", call_sid())
        if wrong >= policy.failures:  # an unknown number is never locked: the call ends
            return answer(booth.goodbye([words("no_match"), words("too_many")]))
        return answer(booth.say_then([words("no_match")], step_url("", Ticket(ticket.call, wrong=wrong))))
    staff = outcome.staff
    if "recordings" not in accounts.permissions(staff.role):
        session.commit()
        return answer(booth.goodbye([words("no_right")]))
    record_audit(session, staff.name, "staff.phone_sign_in", target=staff.name)
    session.commit()
    log.info("staff line: call %s signed in", call_sid())
    ticket = ticket.but(signed_in=True, wrong=0)
    return answer(booth.say_then([words("hello", name=staff.name)], step_url("language", ticket)))


# -- a language, a prompt -------------------------------------------------------------------------------
@bp.route("/language", methods=["POST"])
@twilio_only
def language():
    ticket = ticket_here()
    if ticket is None:
        return start_again()
    codes, digits, said = list(line().content.catalogues), pressed(), []
    if digits:
        if ENTERED.fullmatch(digits) and 1 <= int(digits) <= len(codes):
            return ask_prompt(ticket.but(lang=codes[int(digits) - 1]), 0)
        said.append(words("not_language", key=digits if ENTERED.fullmatch(digits) else ""))
    names = _language_names()
    said += [words("language")] + [words("language_key", name=names[code], key=n) for n, code in enumerate(codes, 1)]
    return _entry("language", "language", ticket, counter("tries"), said)


def ask_prompt(ticket, tries, said=()):
    said = [*said, words("prompt", language=_language_names()[ticket.lang])]
    return _entry("prompt", "prompt", ticket.but(prompt=0, take=""), tries, said)


def item_of(ticket):
    """The registry item of the ticket's prompt number in its language, or None."""
    content = line().content
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
    ticket = ticket_here()
    if ticket is None or not ticket.lang:
        return start_again()
    digits = pressed()
    if digits == "*":
        return answer(booth.say_then([], step_url("language", ticket.but(lang=""))))
    if not digits:
        return ask_prompt(ticket, counter("tries"))
    chosen = ticket.but(prompt=int(digits)) if ENTERED.fullmatch(digits) else None
    item = item_of(chosen) if chosen is not None else None
    if item is None:
        language_name = _language_names()[ticket.lang]
        return ask_prompt(ticket, 0, [words("no_prompt", number=digits.strip("*#") or "0", language=language_name)])
    return _review(chosen, item)


def _review(ticket, item):
    services = line()
    content = services.content
    reference = content.text(content.reference.language.code, item.utterance)
    spoken = None
    if item.lang != content.reference.language.code and services.say.can_speak(item.lang):
        language = content.catalogues[item.lang].language
        options = {"language": language.say_language, **({"voice": language.say_voice} if language.say_voice else {})}
        spoken = (_language_names()[item.lang], item.text, options)
    audio_url = None
    if services.manifest is not None:
        services.manifest.refresh()
        key = services.manifest.current.get(item.id)
        audio_url = services.speech.url(key) if key is not None and key not in services.manifest.bad else None
    return answer(booth.review(ticket.prompt, reference, spoken, audio_url, step_url("record", ticket)))


def init_app(app):
    from . import playback  # noqa: F401 (the second half's routes, on this blueprint)

    app.register_blueprint(bp)
