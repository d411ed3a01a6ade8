"""What the line may say about an office's hours, and whether it may put a caller
through, from the office's record and its status now (ivr/offices/hours.status:
OpenNow(until, kind), NextHours(day, start, end, kind) or Unknown()).

An hour nobody verified is never said as fact: the office's `say_hours` is
"verified" (said as fact, only while `hours_verified`), "check" (said, with "please
check before you go") or "never" ("ask at your reception centre for the hours").
A number is dialled only while the office is open and only when it is verified (the
record's `phone` is None otherwise).
"""
from ..content.clock_words import day_token
from ..content.utterance import Utterance as U

LEGAL = "juridisch"  # the kind of consulting hours that is legal advice


def policy(office):
    """"verified", "check" or "never": what may be said of this office's hours."""
    chosen = getattr(office, "say_hours", "never")
    if chosen == "verified" and not getattr(office, "hours_verified", False):
        return "never"  # staff said "as fact", but nobody verified them: never as fact
    return chosen if chosen in ("verified", "check") else "never"


def is_open(status):
    return hasattr(status, "until")


def is_next(status):
    return hasattr(status, "start") and hasattr(status, "day")


def can_dial(office, status):
    return bool(office.phone) and is_open(status) and policy(office) != "never"


def hours_said(office, status, today):
    """The utterances that say `office`'s hours from now (`today`: the local date)."""
    rule = policy(office)
    if rule == "never" or not (is_open(status) or is_next(status)):
        return [U("office_hours_ask")]
    if is_open(status):
        said = [U("office_open_now"), U("office_until", (("until", status.until),))]
    else:
        token = day_token(status.day, today)
        if token is None:  # closed for longer than a week (a closure, the holidays)
            return [U("office_closed_for_now")]
        said = [U("office_next_hours", (("day", token),)), U("office_from", (("start", status.start),)),
                U("office_until", (("until", status.end),))]
    if getattr(status, "kind", "") == LEGAL:
        said.append(U("office_legal"))
    if rule == "check":
        said.append(U("office_hours_check"))
    return said


def said_key(office, status, today):
    """What the hours part says, as a cache key: the same words, the same TwiML."""
    return tuple(hours_said(office, status, today)), can_dial(office, status)
