"""Dutch 4-digit postcodes (PC4) and where they are: the centroid of each code, its
place and province, shipped in data/pc4-nl.tsv (made from GeoNames, CC BY 4.0, by
`python -m ivr.offices.postcodes SOURCE.tsv`: several rows per code averaged).

PO-box-only codes (1000, 1100, ...) are not in the data: `closest_code` gives the
nearest existing code by number, which in the Dutch system is nearby on the map.
"""
import bisect
import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().with_name("data") / "pc4-nl.tsv"
CREDIT = "GeoNames (geonames.org), CC BY 4.0"
# The source names provinces in English; the line and the admin may want Dutch.
DUTCH = {"Drenthe": "Drenthe", "Flevoland": "Flevoland", "Friesland": "Fryslân", "Groningen": "Groningen",
         "Guelders": "Gelderland", "Limburg": "Limburg", "North Brabant": "Noord-Brabant",
         "North Holland": "Noord-Holland", "Overijssel": "Overijssel", "South Holland": "Zuid-Holland",
         "Utrecht": "Utrecht", "Zeeland": "Zeeland"}


@dataclass(frozen=True)
class Postcode:
    code: str
    lat: float
    lon: float
    place: str
    province: str


def is_pc4(text):
    return isinstance(text, str) and len(text) == 4 and text.isdigit() and text[0] != "0"


class Postcodes:
    """Every PC4 in the data. Codes are 4-digit strings ("9561")."""

    def __init__(self, rows):
        self.by_code = {row.code: row for row in rows}
        self.codes = sorted(self.by_code)
        self._numbers = [int(code) for code in self.codes]

    @classmethod
    def load(cls, path=None):
        """The shipped file (read once per process for the default path)."""
        return _shipped() if path is None else cls(_read(Path(path)))

    def __len__(self):
        return len(self.codes)

    def __contains__(self, code):
        return code in self.by_code

    def get(self, code):
        return self.by_code.get(code)

    def centroid(self, code):
        row = self.by_code.get(code)
        return (row.lat, row.lon) if row else None

    def closest_code(self, code):
        """`code` when it is in the data, else the existing code nearest by number
        (the lower on a tie). ValueError for anything that is not four digits."""
        if not is_pc4(code):
            raise ValueError(f"a Dutch postcode has four digits, not {code!r}")
        if code in self.by_code:
            return code
        number = int(code)
        at = bisect.bisect_left(self._numbers, number)
        around = self._numbers[max(0, at - 1):at + 1]  # the codes just below and above
        return str(min(around, key=lambda n: (abs(n - number), n)))

    def province(self, code):
        row = self.by_code.get(self.closest_code(code))
        return row.province

    def provinces(self):
        return sorted({row.province for row in self.by_code.values()})

    def province_centroid(self, province):
        """The mean of a province's code centroids: where a caller who knows only
        their province is searched from."""
        rows = [row for row in self.by_code.values() if row.province == province]
        if not rows:
            raise KeyError(province)
        return sum(r.lat for r in rows) / len(rows), sum(r.lon for r in rows) / len(rows)


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return [Postcode(r["pc4"], float(r["lat"]), float(r["lon"]), r["place"], r["province"])
                for r in csv.DictReader(lines, delimiter="\t")]


@lru_cache(maxsize=1)
def _shipped():
    return Postcodes(_read(DATA))


# -- making the shipped file from the GeoNames export ------------------------------------------
def from_geonames(source):
    """Postcode rows from GeoNames' NL export: rows of one code averaged, its most
    named place kept; a code without a province takes the one most of its 2-digit
    neighbours (same region) have (the export lacks it for ~20 rows of Voorne)."""
    grouped = defaultdict(list)
    with Path(source).open(encoding="utf-8", newline="") as handle:
        for cols in csv.reader(handle, delimiter="\t"):
            if len(cols) >= 11 and is_pc4(cols[1]):
                grouped[cols[1]].append((cols[2], cols[3], float(cols[9]), float(cols[10])))
    regions = defaultdict(Counter)
    for code, rows in grouped.items():
        regions[code[:2]].update(province for _, province, _, _ in rows if province)
    out = []
    for code, rows in sorted(grouped.items()):
        provinces = Counter(province for _, province, _, _ in rows if province) or regions[code[:2]]
        place = Counter(place for place, _, _, _ in rows).most_common(1)[0][0]
        out.append(Postcode(code, round(sum(r[2] for r in rows) / len(rows), 5),
                            round(sum(r[3] for r in rows) / len(rows), 5), place,
                            provinces.most_common(1)[0][0]))
    return out


def write(rows, target):
    with Path(target).open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# Dutch 4-digit postcode centroids. Data: {CREDIT} "
                     "(https://creativecommons.org/licenses/by/4.0/), NL postal code export of 2024-04-12;\n"
                     "# rows of one code averaged, PO-box-only codes absent. Made by `python -m ivr.offices.postcodes`.\n")
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["pc4", "lat", "lon", "place", "province"])
        writer.writerows([r.code, r.lat, r.lon, r.place, r.province] for r in rows)


if __name__ == "__main__":
    made = from_geonames(sys.argv[1])
    write(made, sys.argv[2] if len(sys.argv) > 2 else DATA)
    print(f"{len(made)} postcodes written")
