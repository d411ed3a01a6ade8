"""What the web app holds for calls back (Services.callbacks): the intake, the phone
steps, the call back's TwiML, and which numbers are the missed-call line."""
import phonenumbers
from twilio.twiml.voice_response import VoiceResponse

from ..store.callers import WITHHELD
from ..store.db import utcnow
from . import numbers
from .intake import Intake
from .outbound import Outbound
from .phone import CallbackPhone
from .requests import MISSED_CALL


def line_numbers(setting):
    """CALLBACK_LINE_NUMBERS as a set of E.164 numbers."""
    found = set()
    for raw in str(setting or "").split(","):
        try:
            found.add(numbers.e164(phonenumbers.parse(raw.strip(), numbers.HOME)))
        except phonenumbers.NumberParseException:
            continue
    return found


class Callbacks:
    def __init__(self, settings, content, speech, sealer, callers, stats, hours=None):
        self.settings = settings
        self.callers = callers  # the remembered language (store.callers)
        self.stats = stats  # the call statistics' counter (ivr.stats): outcomes, never a number
        self.intake = Intake(settings, sealer, hours)
        self.phone = CallbackPhone(content, speech, settings, sealer)
        self.outbound = Outbound(content, speech, settings)
        self.lines = line_numbers(settings["CALLBACK_LINE_NUMBERS"])
        self.clock = utcnow  # what "now" is for the webhooks (tests move it)

    def is_missed_call_line(self, to):
        """Whether a call to `to` (Twilio's To) is a missed call asking for a call back."""
        return bool(self.lines) and to in self.lines

    def missed_call(self, session, caller, now):
        """<Reject> (the caller pays nothing), and a request queued in the language last
        used from that number, when the line remembers one. (A withheld number: nothing
        can be queued, and the call is rejected all the same.)"""
        number = numbers.from_caller(caller) if (caller or "").lower() not in WITHHELD else None
        taken = None
        if number is not None:
            lang = self.callers.language(self.callers.hash(number))
            taken = self.intake.take(session, number, lang, MISSED_CALL, "missed_call", now)
        self.count("missed_call")
        self.count(taken.outcome if taken else "withheld")
        response = VoiceResponse()
        response.reject(reason="busy")
        return response

    def count(self, outcome):
        """A request's outcome in the statistics: "queued", "open", "limit"... ("callback:<outcome>")."""
        self.stats.add(f"callback:{outcome}")
