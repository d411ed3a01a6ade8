"""The seam between the phone and the offices as records (ivr/offices): which office a
postcode or a province leads to, and its hours at a moment.

`OfficeLookup` takes the offices API's pieces as they are (Postcodes, a Directory,
`nearest`, `hours.status`) and asks nothing else of them, so the phone can be tested
with a stand-in of the same names. `load` puts the real ones together; without the
offices package it gives None and the line says where to ask in person instead.
"""
import importlib
import importlib.util
import logging

log = logging.getLogger(__name__)
MAX_CODE_STEP = 9  # a code not in the data takes the closest one only this near (a typo, a PO box)


class OfficeLookup:
    def __init__(self, postcodes, directory, nearest, status):
        self.postcodes = postcodes  # .centroid(pc4), .closest_code(pc4), .province(pc4)
        self.directory = directory  # .offices() -> [OfficeInfo]
        self._nearest = nearest  # nearest(offices, lat, lon, at=None) -> (OfficeInfo, km)
        self._status = status  # status(office, at) -> OpenNow | NextHours | Unknown
        self._province_points = None

    def offices(self):
        """The directory's offices; none while the database cannot be read (the caller
        hears that no office can be found now, never an error)."""
        try:
            return self.directory.offices()
        except Exception as exc:  # noqa: BLE001 - a database down must not drop a call
            log.warning("offices: the directory cannot be read: %s", type(exc).__name__)
            return ()

    def known(self, code):
        return self.postcodes.centroid(code) is not None

    def closest(self, code):
        """The existing code nearest a code not in the data, when it is near enough
        to be meant (same region), else None: the caller is asked again."""
        found = self.postcodes.closest_code(code)
        if found and self.known(found) and abs(int(found) - int(code)) <= MAX_CODE_STEP:
            return found
        return None

    def province(self, code):
        return self.postcodes.province(code)

    def find(self, code, at=None):
        """(office, km) nearest postcode `code`, or None (no offices, unknown code)."""
        point, offices = self.postcodes.centroid(code), self.offices()
        if point is None or not offices:
            return None
        return self._nearest(offices, point[0], point[1], at=at)

    def _points(self):
        """Each province's centre: the mean of its postcodes' centroids (worked out once)."""
        if self._province_points is None:
            sums = {}
            for number in range(1000, 10000):
                code = str(number)
                point = self.postcodes.centroid(code)
                if point is not None:
                    entry = sums.setdefault(self.postcodes.province(code), [0.0, 0.0, 0])
                    entry[0] += point[0]
                    entry[1] += point[1]
                    entry[2] += 1
            self._province_points = {name: (lat / n, lon / n) for name, (lat, lon, n) in sums.items()}
        return self._province_points

    def for_province(self, province_id, at=None):
        """(office, km): of the offices in the province, the one nearest its centre (any
        office when it has none); None when there is none at all."""
        point, offices = self._points().get(province_id), self.offices()
        if point is None or not offices:
            return None
        inside = [o for o in offices if o.postcode and self.known(o.postcode)
                  and self.postcodes.province(o.postcode) == province_id]
        return self._nearest(inside or offices, point[0], point[1], at=at)

    def status(self, office, at):
        return self._status(office, at)


def available():
    return importlib.util.find_spec("ivr.offices") is not None


def load(settings, database=None):
    """The lookup over ivr/offices, or None when this build has no offices package."""
    try:
        postcodes = importlib.import_module("ivr.offices.postcodes")
    except ModuleNotFoundError:
        return None
    directory = importlib.import_module("ivr.offices.directory")
    nearest = importlib.import_module("ivr.offices.nearest")
    hours = importlib.import_module("ivr.offices.hours")
    return OfficeLookup(postcodes.Postcodes.load(), directory.Directory(database), nearest.nearest, hours.status)
