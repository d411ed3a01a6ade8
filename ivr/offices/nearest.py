"""The nearest office by great-circle distance (haversine on a sphere of the Earth's
mean radius: within 0.5 % of the ellipsoid, far finer than "nearest" needs).

`nearest(offices, lat, lon, at=None)`: when `at` is given, an office open then is
preferred over a closed one that is about as near (within NEAR_KM or NEAR_SHARE
of the nearest). An Index is made once per tuple of offices (the Directory hands out
the same tuple until an office changes) and answers with numpy over all offices at
once; `table(postcodes)` answers every postcode ahead. `brute_force` is the plain
loop the tests and the bench check them against.
"""
import math
import threading

import numpy as np

from . import hours

EARTH_KM = 6371.0088
NEAR_KM = 2.0  # "about as near": within 2 km ...
NEAR_SHARE = 0.10  # ... or 10 % of the nearest distance, whichever is more
NUMPY_FROM = 48  # offices from which numpy is faster than a plain loop (its call costs ~20 µs)


def distance_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _about_as_near(best):
    return best + max(NEAR_KM, NEAR_SHARE * best)


def brute_force(offices, lat, lon, at=None):
    """(office, km) by looking at every office in turn; the reference."""
    if not offices:
        return None
    scored = sorted(((distance_km(lat, lon, o.lat, o.lon), o.id, o) for o in offices), key=lambda t: t[:2])
    if at is not None:
        limit = _about_as_near(scored[0][0])
        for km, _, office in scored:
            if km > limit:
                break
            if hours.is_open(office, at):
                return office, km
    return scored[0][2], scored[0][0]


class Index:
    """The offices' coordinates in radians, made once: distances to all of them in a
    plain loop for a few offices, with numpy for many; every postcode's nearest
    office worked out ahead on first use (`for_postcode`)."""

    def __init__(self, offices, postcodes=None):
        self.offices = tuple(sorted(offices, key=lambda o: o.id))  # ties go to the lower id, as brute_force
        self._lat = np.radians([o.lat for o in self.offices])
        self._lon = np.radians([o.lon for o in self.offices])
        self._cos = np.cos(self._lat)
        self._points = list(zip(self._lat.tolist(), self._lon.tolist(), self._cos.tolist()))
        self._table = None
        self._table_lock = threading.Lock()

    def distances(self, lat, lon):
        p, l = math.radians(lat), math.radians(lon)
        if len(self._points) < NUMPY_FROM:
            cos_p, sin, asin, sqrt = math.cos(p), math.sin, math.asin, math.sqrt
            return [2 * EARTH_KM * asin(min(1.0, sqrt(sin((a - p) / 2) ** 2 + cos_p * c * sin((b - l) / 2) ** 2)))
                    for a, b, c in self._points]
        a = np.sin((self._lat - p) / 2) ** 2 + math.cos(p) * self._cos * np.sin((self._lon - l) / 2) ** 2
        return (2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))).tolist()

    def nearest(self, lat, lon, at=None):
        if not self.offices:
            return None
        km = self.distances(lat, lon)
        best = min(range(len(km)), key=km.__getitem__)  # the first of equals: the lower id
        if at is not None:
            return self._open_first(km, best, at)
        return self.offices[best], km[best]

    def _open_first(self, km, best, at):
        limit = _about_as_near(km[best])
        for i in sorted((i for i in range(len(km)) if km[i] <= limit), key=lambda i: (km[i], i)):
            if hours.is_open(self.offices[i], at):
                return self.offices[i], km[i]
        return self.offices[best], km[best]

    def table(self, postcodes):
        """{postcode: (office, km)} for every code, in one numpy pass (no clock)."""
        if not self.offices:
            return {}
        codes = postcodes.codes
        lat = np.radians([postcodes.by_code[c].lat for c in codes])[:, None]
        lon = np.radians([postcodes.by_code[c].lon for c in codes])[:, None]
        a = np.sin((self._lat - lat) / 2) ** 2 + np.cos(lat) * self._cos * np.sin((self._lon - lon) / 2) ** 2
        km = 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
        best = km.argmin(axis=1)
        return {code: (self.offices[b], float(km[i, b])) for i, (code, b) in enumerate(zip(codes, best))}

    def for_postcode(self, postcodes, code, at=None):
        """(office, km) for a postcode in the data: from the table made ahead, or,
        with `at`, the table's answer unless an open office is about as near."""
        if self._table is None:
            with self._table_lock:
                if self._table is None:
                    self._table = self.table(postcodes)
        found = self._table.get(code)
        if found is None or at is None or hours.is_open(found[0], at):
            return found
        row = postcodes.by_code[code]
        return self.nearest(row.lat, row.lon, at)


_cache = {}
_lock = threading.Lock()


def index(offices):
    """The Index of this tuple of offices (kept while the tuple is the current one)."""
    key = id(offices)
    found = _cache.get(key)
    if found is None or found[0] is not offices:
        with _lock:
            _cache.clear()  # one directory, one current tuple: the old index is done
            found = _cache[key] = (offices, Index(offices))
    return found[1]


def nearest(offices, lat, lon, at=None):
    """(OfficeInfo, km) of the nearest office (see the module doc); None without offices."""
    return index(offices).nearest(lat, lon, at)


def nearest_to_postcode(offices, postcodes, code, at=None):
    """(OfficeInfo, km) for a postcode in `postcodes` (closest_code first for others)."""
    return index(offices).for_postcode(postcodes, code, at)
