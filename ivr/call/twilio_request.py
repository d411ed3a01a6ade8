"""Twilio's voice webhook request, described once: the parameters it POSTs, the URL
it signs, and the signature. The signature check, the simulator, the web phone, the
bench and the tests all use this, so a fake of Twilio is never written twice.
"""
import uuid

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
CALLED = "+31850000000"
DEFAULT_CALLER = "+31612345678"


def new_call_sid():
    return "CA" + uuid.uuid4().hex


def params(call_sid, caller=DEFAULT_CALLER, digits=None, called=CALLED):
    """What Twilio POSTs to a voice webhook during an inbound call."""
    sent = {
        "AccountSid": ACCOUNT_SID,
        "CallSid": call_sid,
        "From": caller,
        "Caller": caller,
        "To": called,
        "Called": called,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    if digits is not None:
        sent["Digits"] = digits
    return sent


def public_url(url, path_and_query, base_url=""):
    """The URL Twilio signed: our public base (behind a proxy) plus path and query,
    else the URL the request arrived on."""
    if not base_url:
        return url
    return base_url.rstrip("/") + path_and_query


def sign(token, url, form):
    """The X-Twilio-Signature Twilio sends for a POST of `form` to `url`."""
    return RequestValidator(token).compute_signature(url, form)


def is_signed(token, url, form, signature):
    return RequestValidator(token).validate(url, form, signature or "")
