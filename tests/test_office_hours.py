"""Consulting hours seen from a moment: Europe/Amsterdam wall-clock times, around
midnight and the DST changes, Dutch public holidays and closures closed, and what
the line says (never an unverified hour as fact)."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from ivr.offices import hours
from ivr.offices.directory import Closure, OfficeInfo, Slot
from ivr.offices.hours import NextHours, OpenNow, Unknown

AMS = ZoneInfo("Europe/Amsterdam")
TUE, WED, THU = 1, 2, 3


def office(slots=(), closures=(), say="verified", verified=True):
    return OfficeInfo(id=1, name="Test office", place="Utrecht", street=None, postcode="3511", lat=52.09, lon=5.11,
                      phone=None, hours_verified=verified, say_hours=say, hours=tuple(slots),
                      closures=tuple(closures))


TUESDAY_MORNING = Slot(TUE, "spreekuur", time(9), time(12))
TUESDAY_AFTERNOON = Slot(TUE, "juridisch", time(13, 30), time(16))
WEEK = office([TUESDAY_MORNING, TUESDAY_AFTERNOON, Slot(THU, "spreekuur", time(9, 30), time(12))])


def at(*args):
    return datetime(*args, tzinfo=AMS)


def test_open_during_a_session_until_its_end_and_its_kind():
    assert hours.status(WEEK, at(2026, 12, 1, 10, 0)) == OpenNow(time(12), "spreekuur")
    assert hours.status(WEEK, at(2026, 12, 1, 14, 0)) == OpenNow(time(16), "juridisch")
    assert hours.is_open(WEEK, at(2026, 12, 1, 9, 0))
    assert not hours.is_open(WEEK, at(2026, 12, 1, 12, 0))  # the end is not open


def test_between_sessions_the_next_is_later_that_day():
    assert hours.status(WEEK, at(2026, 12, 1, 12, 30)) == NextHours(date(2026, 12, 1), time(13, 30), time(16), "juridisch")


def test_after_the_last_session_the_next_is_on_a_later_day():
    assert hours.status(WEEK, at(2026, 12, 1, 16, 0)) == NextHours(date(2026, 12, 3), time(9, 30), time(12), "spreekuur")


def test_around_midnight_the_day_is_amsterdams_not_utcs():
    # 23:30 UTC on Monday is 00:30 on Tuesday in Amsterdam (winter, UTC+1).
    monday_late_utc = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
    assert hours.status(WEEK, monday_late_utc) == NextHours(date(2026, 12, 1), time(9), time(12), "spreekuur")
    assert hours.describe(WEEK, monday_late_utc) == "next consulting hours: today from 9 to 12"
    # One minute before midnight on Monday it is still "tomorrow".
    assert hours.describe(WEEK, at(2026, 11, 30, 23, 59)) == "next consulting hours: tomorrow from 9 to 12"
    # Midnight itself belongs to the new day.
    assert hours.status(WEEK, at(2026, 12, 1, 0, 0)).day == date(2026, 12, 1)


@pytest.mark.parametrize("utc_hour, expected", [(7, True), (8, True), (10, False)])
def test_summer_time_shifts_the_utc_moment_of_a_session(utc_hour, expected):
    # 31 March 2026 is a Tuesday, two days after the change to CEST (UTC+2):
    # 09:00-12:00 local is 07:00-10:00 UTC.
    moment = datetime(2026, 3, 31, utc_hour, 0, tzinfo=timezone.utc)
    assert hours.is_open(WEEK, moment) is expected


def test_on_the_night_of_a_dst_change_the_next_session_is_right():
    sunday = office([Slot(6, "spreekuur", time(1, 30), time(4))])
    # 29 March 2026: 02:00 CET jumps to 03:00 CEST. 00:30 UTC is 01:30 CET: open until 04:00.
    assert hours.status(sunday, datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)) == OpenNow(time(4), "spreekuur")
    # 01:30 UTC is 03:30 CEST (02:xx never happened): still open until 04:00 local.
    assert hours.is_open(sunday, datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc))
    # 25 October 2026: 03:00 CEST goes back to 02:00 CET. 02:30 UTC is 03:30 CET: open.
    assert hours.is_open(sunday, datetime(2026, 10, 25, 2, 30, tzinfo=timezone.utc))
    assert not hours.is_open(sunday, datetime(2026, 10, 25, 3, 0, tzinfo=timezone.utc))  # 04:00 CET


def test_a_naive_moment_is_taken_as_amsterdam_time():
    assert hours.is_open(WEEK, datetime(2026, 12, 1, 10, 0))


def test_public_holidays_are_closed():
    # King's Day 2027 is a Tuesday (27 April).
    assert hours.holiday(date(2027, 4, 27)) is not None
    assert not hours.is_open(WEEK, at(2027, 4, 27, 10, 0))
    assert hours.status(WEEK, at(2027, 4, 27, 10, 0)) == NextHours(date(2027, 4, 29), time(9, 30), time(12), "spreekuur")
    # Christmas 2029 (Tuesday) and Boxing Day (Wednesday): the next is Thursday 27 December.
    assert hours.status(WEEK, at(2029, 12, 24, 18, 0)).day == date(2029, 12, 27)
    # An ordinary Tuesday is open.
    assert hours.is_open(WEEK, at(2027, 4, 20, 10, 0))


def test_closures_are_respected_days_included():
    closed = office(WEEK.hours, [Closure(date(2026, 12, 1), date(2026, 12, 8), "renovation")])
    assert hours.closed_on(closed, date(2026, 12, 8)) == "renovation"
    assert not hours.is_open(closed, at(2026, 12, 1, 10, 0))
    assert hours.status(closed, at(2026, 12, 1, 10, 0)) == NextHours(date(2026, 12, 10), time(9, 30), time(12), "spreekuur")
    long = office(WEEK.hours, [Closure(date(2026, 12, 1), date(2027, 12, 1), "moved")])
    assert hours.status(long, at(2026, 12, 1, 10, 0)) == Unknown()


def test_an_office_without_hours_is_unknown():
    assert hours.status(office([]), at(2026, 12, 1, 10, 0)) == Unknown()


def test_what_the_line_says():
    assert hours.describe(WEEK, at(2026, 12, 1, 10, 0)) == "open now until 12:00"
    assert hours.describe(WEEK, at(2026, 12, 1, 14, 0)) == "open now until 16:00 (juridisch spreekuur)"
    assert hours.describe(WEEK, at(2026, 11, 30, 10, 0)) == "next consulting hours: tomorrow from 9 to 12"
    assert hours.describe(WEEK, at(2026, 11, 28, 10, 0)) == "next consulting hours: Tuesday from 9 to 12"
    assert hours.describe(WEEK, at(2026, 12, 1, 16, 0)) == "next consulting hours: Thursday from 9:30 to 12"
    closed = office(WEEK.hours, [Closure(date(2026, 12, 1), date(2026, 12, 8), "renovation")])
    assert hours.describe(closed, at(2026, 12, 1, 10, 0)) == "next consulting hours: Thursday 10 December from 9:30 to 12"


def test_unverified_hours_are_never_said_as_fact():
    check = office(WEEK.hours, say="check", verified=False)
    assert hours.describe(check, at(2026, 12, 1, 10, 0)) == "open now until 12:00; please check before you go"
    never = office(WEEK.hours, say="never", verified=False)
    assert hours.describe(never, at(2026, 12, 1, 10, 0)) == "ask at your reception centre for the hours"
