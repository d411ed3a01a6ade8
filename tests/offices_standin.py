"""A small stand-in for the offices API (ivr/offices: Postcodes, Directory, nearest,
hours.status) with exactly the contract's names and fields, so the phone is tested
before the records exist. Its hours are a plain weekly table, Europe/Amsterdam."""
import datetime as dt
import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    name: str
    place: str
    street: str = ""
    postcode: str = ""
    lat: float = 0.0
    lon: float = 0.0
    phone: str | None = None
    hours_verified: bool = True
    say_hours: str = "verified"
    languages: tuple = ()
    verified: tuple = ()


@dataclass(frozen=True)
class OpenNow:
    until: dt.time
    kind: str = "spreekuur"


@dataclass(frozen=True)
class NextHours:
    day: dt.date
    start: dt.time
    end: dt.time
    kind: str = "spreekuur"


@dataclass(frozen=True)
class Unknown:
    pass


class Postcodes:
    def __init__(self, codes):
        self.codes = codes  # pc4 -> (lat, lon, province)

    def centroid(self, pc4):
        found = self.codes.get(pc4)
        return found[:2] if found else None

    def closest_code(self, pc4):
        return min(self.codes, key=lambda code: abs(int(code) - int(pc4)))

    def province(self, pc4):
        return self.codes[pc4][2] if pc4 in self.codes else None

    def provinces(self):
        return sorted({p for _, _, p in self.codes.values()})


@dataclass
class Directory:
    items: list = field(default_factory=list)

    def offices(self):
        return list(self.items)


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def nearest(offices, lat, lon, at=None):
    return min(((o, km(lat, lon, o.lat, o.lon)) for o in offices), key=lambda pair: pair[1])


class Hours:
    """status(office, at) from {office id: {weekday: [(start, end, kind)]}}."""

    def __init__(self, table):
        self.table = table

    def status(self, office, at):
        week = self.table.get(office.id)
        if not week:
            return Unknown()
        for start, end, kind in week.get(at.weekday(), []):
            if start <= at.time() < end:
                return OpenNow(end, kind)
        for ahead in range(0, 15):
            day = at.date() + dt.timedelta(days=ahead)
            for start, end, kind in sorted(week.get(day.weekday(), [])):
                if ahead or start > at.time():
                    return NextHours(day, start, end, kind)
        return Unknown()


# Real postcodes' centroids (GeoNames), trimmed: enough for routing tests.
CODES = {
    "1011": (52.3731, 4.9003, "North Holland"), "1012": (52.3738, 4.8910, "North Holland"),
    "1017": (52.3631, 4.8933, "North Holland"), "3011": (51.9199, 4.4867, "South Holland"),
    "9401": (52.9939, 6.5625, "Drenthe"), "9501": (52.9988, 6.9512, "Drenthe"),
}
AMSTERDAM = OfficeInfo(1, "VluchtelingenWerk Amsterdam", "Amsterdam", "Voorbeeldstraat 1", "1017", 52.3631, 4.8933,
                       phone="+31201234567")
ROTTERDAM = OfficeInfo(2, "VluchtelingenWerk Rotterdam", "Rotterdam", "", "3011", 51.9199, 4.4867,
                       hours_verified=False, say_hours="check")
ASSEN = OfficeInfo(3, "AZC Assen", "Assen", "", "9401", 52.9939, 6.5625, hours_verified=False, say_hours="never")
WEEK = {d: [(dt.time(9), dt.time(12), "spreekuur"), (dt.time(13), dt.time(16), "spreekuur")] for d in range(5)}
TABLE = {1: WEEK, 2: {1: [(dt.time(9, 30), dt.time(12), "juridisch")]}, 3: WEEK}


def lookup():
    from ivr.call.office_lookup import OfficeLookup

    return OfficeLookup(Postcodes(CODES), Directory([AMSTERDAM, ROTTERDAM, ASSEN]), nearest, Hours(TABLE).status)
