"""The text message with an office's details, in the caller's language: its name and
place, the address and phone when verified, and its hours from now as the line may say
them (ivr/call/office_words.py). Queued by the phone (ivr/call/office_sms.py) with the
caller's number sealed; the number is opened here, used once and not kept (the job's
record is dropped when it finishes: queue.RESULT_TTL). Twilio's errors raise, so the
queue retries JOB_RETRY_SECONDS apart.
"""
import logging
from datetime import datetime

from babel.dates import format_date

from ..call.office_finder import LOCAL
from ..call.office_words import is_next, is_open, policy
from ..content.segments import count
from . import context

log = logging.getLogger(__name__)
MAX_SEGMENTS = 3  # what a caller pays for, at most, and what a basic phone joins well
# Dropped in this order while the text runs over MAX_SEGMENTS: the hours matter most.
OPTIONAL = ("address", "phone", "legal", "check")


def clock():
    """Now, in the offices' time zone (tests move it)."""
    return datetime.now(LOCAL)


def _clock(value):
    return f"{value.hour}:{value.minute:02d}"


def lines(content, lang, office, status, now):
    """(name, text) of each line of the message, in order."""
    catalogue = content.catalogues[lang]
    reference = content.reference.sms

    def line(name, **values):
        template = catalogue.sms.get(name) or reference[name]
        return name, template.format(**values)

    out = [line("office", office=office.name, place=office.place)]
    if getattr(office, "street", "") and getattr(office, "postcode", ""):
        out.append(line("address", street=office.street, postcode=office.postcode, place=office.place))
    rule = policy(office)
    if rule == "never" or not (is_open(status) or is_next(status)):
        out.append(line("ask"))
    else:
        if is_open(status):
            out.append(line("open_now", until=_clock(status.until)))
        elif (status.day - now.date()).days < 7:
            day = format_date(status.day, "EEEE d MMMM", locale=catalogue.language.locale)
            out.append(line("next", day=day, start=_clock(status.start), end=_clock(status.end)))
        else:
            out.append(line("closed"))
        if getattr(status, "kind", "") == "juridisch":
            out.append(line("legal"))
        if rule == "check":
            out.append(line("check"))
    if office.phone:  # None unless verified
        out.append(line("phone", phone=office.phone))
    return out


def message(content, lang, office, status, now):
    """The text, at most MAX_SEGMENTS long: optional lines dropped while it is longer."""
    kept = lines(content, lang, office, status, now)
    for name in OPTIONAL:
        if count("\n".join(text for _, text in kept))[1] <= MAX_SEGMENTS:
            break
        kept = [(n, t) for n, t in kept if n != name]
    text = "\n".join(text for _, text in kept)
    while count(text)[1] > MAX_SEGMENTS:  # a name staff typed very long: cut, never a fourth segment
        text = text[:-2] + "…"
    return text


def send(sealed, office_id, lang):
    """The job: open the number, render the message now, send it from the line's number."""
    jobs = context.current()
    number = jobs.sealer.open(sealed)
    if number is None:  # sealed with a key since dropped: nothing to send to
        log.warning("sms: a number could not be opened (its key was rotated away); not sent")
        return
    services = jobs.services
    if services.offices is None:
        raise RuntimeError("sms: this worker has no office data")
    office = next((o for o in services.offices.directory.offices() if o.id == office_id), None)
    if office is None:
        log.warning("sms: office %s no longer exists; not sent", office_id)
        return
    content = services.content
    lang = lang if lang in content.catalogues else content.reference.language.code
    now = clock()
    body = message(content, lang, office, services.offices.status(office, now), now)
    jobs.twilio.messages.create(to=number, from_=jobs.settings["TWILIO_PHONE_NUMBER"], body=body)
    services.stats.add("sms:sent")
    services.stats.flush()
    log.info("sms: sent office=%s lang=%s segments=%s", office_id, lang, count(body)[1])
