""""Send this by SMS": the caller's number sealed into a background job
(ivr/jobs/sms.py renders and sends the text), never kept in clear, never logged.
A number that cannot take a text message (withheld, a Dutch landline) is told so."""
import phonenumbers

from ..store import keys
from ..store.sealed import NoKeys

JOB = "ivr.jobs.sms.send"
QUEUED, FAILED, NO_NUMBER = "queued", "failed", "no-number"
SMS_ONCE_SECONDS = 4 * 3600  # longer than any call
TEXTABLE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def textable(number):
    """Whether `number` (E.164, as Twilio sends From) can receive a text message."""
    try:
        parsed = phonenumbers.parse(number or "", None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in TEXTABLE


def first_time(services, sid, office_id):
    """Whether this call has not yet asked for this office's text message (a caller who
    presses 2 again hears that it is on its way; one message is sent)."""
    if not sid:
        return True
    held = services.store.breaker.call(  # SET NX answers None when the key was there
        lambda client: "first" if client.set(keys.sms_once(sid, office_id), 1, nx=True, ex=SMS_ONCE_SECONDS) else "again")
    return held != "again"  # Redis down (None): the queue is down too and says so


def request(services, number, office_id, lang, sid=""):
    """Queue the text message with the office's details for `number`: QUEUED, FAILED
    (no queue now, no key to seal with) or NO_NUMBER."""
    if not textable(number):
        return NO_NUMBER
    if not first_time(services, sid, office_id):
        return QUEUED
    try:
        sealed = services.sealer.seal(number)
    except NoKeys:
        return FAILED
    job = services.jobs.enqueue(JOB, sealed, office_id, lang, description="sms")
    if job is None:
        return FAILED
    services.stats.add("sms:queued")
    return QUEUED
