"""When the line calls back, in Europe/Amsterdam time: only in working hours on working
days (never at night), with growing gaps between tries, and what a caller is told
about the wait.

`hours` is the seam for an office's own opening hours: a function of a date giving
that day's windows [(start, end)] as times. Without one, CALLBACK_CALL_HOURS on
CALLBACK_WORK_DAYS.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")
LOOK_AHEAD_DAYS = 14  # a wait beyond this is "later" however the hours are set


class Schedule:
    def __init__(self, settings, hours=None):
        start, _, end = str(settings["CALLBACK_CALL_HOURS"]).partition("-")
        self.start, self.end = time(int(start)), time(int(end)) if int(end) < 24 else time(23, 59)
        first, _, last = str(settings["CALLBACK_WORK_DAYS"]).partition("-")
        self.days = range(int(first), int(last or first) + 1)
        self.gaps = [int(m) for m in str(settings["CALLBACK_RETRY_MINUTES"]).split(",") if m.strip()]
        self.minutes_each = max(1, int(settings["CALLBACK_MINUTES_EACH"]))
        self.hours = hours or self.working_hours

    def working_hours(self, day):
        return [(self.start, self.end)] if day.isoweekday() in self.days else []

    def windows(self, after):
        """The calling windows from `after` on, as aware (start, end) datetimes."""
        local = after.astimezone(ZONE)
        for offset in range(LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            for start, end in self.hours(day):
                opens = datetime.combine(day, start, ZONE)
                closes = datetime.combine(day, end, ZONE)
                if closes > local:
                    yield max(opens, local), closes

    def allowed(self, at):
        """`at`, or the start of the next window when `at` is outside working hours
        (None when none comes within LOOK_AHEAD_DAYS)."""
        for start, _ in self.windows(at):
            return start
        return None

    def retry_at(self, now, attempts):
        """When to try again after `attempts` tries, or None when the tries are used up
        (one first try and one per gap)."""
        if attempts > len(self.gaps):
            return None
        return self.allowed(now + timedelta(minutes=self.gaps[attempts - 1]))

    def expected(self, now, waiting):
        """"today", "next_day" or "later": when a new request is likely called, with
        `waiting` requests before it, each taking CALLBACK_MINUTES_EACH of the hours."""
        needed = timedelta(minutes=(waiting + 1) * self.minutes_each)
        today = now.astimezone(ZONE).date()
        days_with_hours = []
        for start, end in self.windows(now):
            day = start.date()
            if day not in days_with_hours:
                days_with_hours.append(day)
            if end - start >= needed:
                if day == today:
                    return "today"
                return "next_day" if day == next(d for d in days_with_hours if d != today) else "later"
            needed -= end - start
        return "later"
