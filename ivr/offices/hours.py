"""When an office's consulting hours are, seen from a moment: `status(office, at)` is
OpenNow (until when, which kind), NextHours (the day and the session) or Unknown.

Times are Europe/Amsterdam wall-clock times (a session 09:00-12:00 is that on the
desk's clock, summer or winter); a moment given in another zone, or in UTC, is
converted first, and a naive one is taken as Amsterdam time. Dutch public holidays
(`holidays`) and the office's closures have no sessions. `describe` is what the
line says, in English (the phone's own wording per language is the call room's).
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LOOK_AHEAD_DAYS = 92  # past a long closure; beyond this, Unknown
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ASK = "ask at your reception centre for the hours"
CHECK = "please check before you go"


@dataclass(frozen=True)
class OpenNow:
    until: time
    kind: str


@dataclass(frozen=True)
class NextHours:
    day: date
    start: time
    end: time
    kind: str


@dataclass(frozen=True)
class Unknown:
    pass


@lru_cache(maxsize=16)
def _holidays(year):
    return holidays.country_holidays("NL", years=year)


def holiday(day):
    """The name of the Dutch public holiday on `day`, or None."""
    return _holidays(day.year).get(day)


def local(at):
    if at is None:
        return datetime.now(AMSTERDAM)
    return at.replace(tzinfo=AMSTERDAM) if at.tzinfo is None else at.astimezone(AMSTERDAM)


def closed_on(office, day):
    """Why the office is closed all `day` (a holiday's name, a closure's reason), or None."""
    for closure in office.closures:
        if closure.starts <= day <= closure.ends:
            return closure.reason
    return holiday(day)


def sessions(office, day):
    """The office's sessions on `day`, in order; none when it is closed."""
    if closed_on(office, day):
        return []
    return sorted((s for s in office.hours if s.weekday == day.weekday()), key=lambda s: s.start)


def status(office, at=None):
    now = local(at)
    today, clock = now.date(), now.time().replace(tzinfo=None)
    if not office.hours:
        return Unknown()
    for slot in sessions(office, today):
        if slot.start <= clock < slot.end:
            return OpenNow(until=slot.end, kind=slot.kind)
        if clock < slot.start:
            return NextHours(today, slot.start, slot.end, slot.kind)
    for ahead in range(1, LOOK_AHEAD_DAYS + 1):
        day = today + timedelta(days=ahead)
        for slot in sessions(office, day):
            return NextHours(day, slot.start, slot.end, slot.kind)
    return Unknown()


def is_open(office, at=None):
    return isinstance(status(office, at), OpenNow)


def spoken_time(value):
    """9 for 09:00, 9:30 for 09:30: as people say it."""
    return f"{value.hour}" if not value.minute else f"{value.hour}:{value.minute:02d}"


def _when(day, today):
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    name = WEEKDAYS[day.weekday()]
    return name if (day - today).days < 7 else f"{name} {day.day} {day:%B}"


def describe(office, at=None):
    """What the line says of the office's hours at `at`, in English."""
    if office.say_hours == "never":
        return ASK
    found = status(office, at)
    if isinstance(found, OpenNow):
        said = f"open now until {found.until:%H:%M}"
    elif isinstance(found, NextHours):
        said = (f"next consulting hours: {_when(found.day, local(at).date())} "
                f"from {spoken_time(found.start)} to {spoken_time(found.end)}")
    else:
        return f"no consulting hours in the next {LOOK_AHEAD_DAYS} days: {ASK}"
    if isinstance(found, (OpenNow, NextHours)) and found.kind == "juridisch":
        said += " (juridisch spreekuur)"
    return f"{said}; {CHECK}" if office.say_hours == "check" else said
