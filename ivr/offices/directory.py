"""The offices the line uses, as frozen values (OfficeInfo) read from the database.

`Directory(database).offices()` gives the active offices; it looks at most every
REFRESH_SECONDS whether staff changed any (one cheap query: how many offices, the
newest change) and reads them again only then, so a change in /admin/offices is on
the line within seconds on every host, without Redis.

What the line may say is decided here, once: `phone` is None unless the number is
verified (never dialled otherwise), and `say_hours` falls back to "never" when the
office has no hours to say, and from "verified" to "check" when its hours have no
verified date (never an unverified hour said as fact).
"""
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock

from ..store import db
from . import records
from .rules import DAYS

REFRESH_SECONDS = 5.0
EXTENSION = "ivr.offices"  # app.extensions[EXTENSION]: the app's Directory


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 Monday
    kind: str  # "spreekuur" or "juridisch"
    start: clock
    end: clock


@dataclass(frozen=True)
class Closure:
    starts: date
    ends: date  # included
    reason: str


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    name: str
    place: str
    street: str | None
    postcode: str
    lat: float
    lon: float
    phone: str | None  # E.164, only when verified
    hours_verified: bool
    say_hours: str  # "verified" | "check" | "never"
    languages: tuple = ()
    verified: tuple = ()  # ((field, date), ...), e.g. (("hours", date(2026, 11, 1)),)
    slug: str = ""
    kind: str = "council"
    hours: tuple = ()  # Slot, ...
    closures: tuple = ()  # Closure, ...
    sources: tuple = field(default=(), compare=False)  # ((field, source), ...)

    def verified_on(self, name):
        return dict(self.verified).get(name)


def info(office):
    """The OfficeInfo of a stored Office (or of a canonical dict with an `id`)."""
    data = office if isinstance(office, dict) else {**records.as_dict(office), "id": office.id}
    checks = data["checks"]
    hours = tuple(Slot(DAYS.index(h["day"]), h["kind"], h["opens"], h["closes"]) for h in data["hours"])
    hours_verified = "hours" in checks and bool(hours)
    say = data["say_hours"] if hours else "never"
    if say == "verified" and not hours_verified:
        say = "check"
    return OfficeInfo(
        id=data["id"], name=data["name"], place=data["place"], street=data["street"],
        postcode=data["postcode"], lat=data["lat"], lon=data["lon"],
        phone=data["phone"] if "phone" in checks else None, hours_verified=hours_verified, say_hours=say,
        languages=tuple(data["languages"]), verified=tuple((f, c["verified"]) for f, c in checks.items()),
        slug=data["slug"], kind=data["kind"], hours=hours,
        closures=tuple(Closure(c["starts"], c["ends"], c["reason"]) for c in data["closures"]),
        sources=tuple((f, c["source"]) for f, c in checks.items()),
    )


class Directory:
    """The active offices of one database, read again when they change."""

    def __init__(self, database, refresh_seconds=REFRESH_SECONDS, clock=time.monotonic):
        self.database = database
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._offices = ()
        self._version = None
        self._checked = None

    def offices(self):
        """A tuple of OfficeInfo: the same object until an office changes."""
        now = self._clock()
        if self._checked is not None and now - self._checked < self.refresh_seconds:
            return self._offices
        with self._lock:
            if self._checked is None or now - self._checked >= self.refresh_seconds:
                self._reload()
                self._checked = now
        return self._offices

    def refresh(self):
        """Look now (after a change made in this process)."""
        with self._lock:
            self._reload()
            self._checked = self._clock()
        return self._offices

    def _reload(self):
        with self.database.session() as session:
            version = records.version(session)
            if version != self._version:
                self._offices = tuple(info(o) for o in records.all_offices(session, active_only=True))
                self._version = version

    def get(self, office_id):
        return next((o for o in self.offices() if o.id == office_id), None)


def of(app):
    """The app's Directory (made on first use, over the app's database)."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions.setdefault(EXTENSION, Directory(db.of(app)))
    return found
