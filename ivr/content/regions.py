"""Provinces and landline area codes (menus/offices.toml): the short list a caller who
does not know their postcode picks from, and the province a landline's area code
offers first. Mobile numbers (06) name no place, so they are offered nothing first."""
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

OFFICES_FILE = "offices.toml"
NL_PREFIX = "+31"
MOBILE = "6"  # 06 numbers: mobiles, anywhere in the country


@dataclass(frozen=True)
class Province:
    id: str  # as the postcode data names it
    name: str  # its Dutch name, as the line says it


@dataclass
class Regions:
    provinces: list = field(default_factory=list)
    area_codes: dict = field(default_factory=dict)  # "020" -> province id

    def get(self, province_id):
        return next((p for p in self.provinces if p.id == province_id), None)

    def of_caller(self, number):
        """The province of a Dutch landline's area code (longest code first), else None."""
        number = (number or "").strip()
        if not number.startswith(NL_PREFIX) or number[len(NL_PREFIX):].startswith(MOBILE):
            return None
        national = "0" + number[len(NL_PREFIX):]
        for length in (5, 4, 3):
            found = self.area_codes.get(national[:length])
            if found:
                return self.get(found)
        return None

    def ordered(self, first=None):
        """The provinces to list, the caller's own first."""
        return ([first] if first else []) + [p for p in self.provinces if p != first]


def load_regions(directory):
    path = Path(directory) / OFFICES_FILE
    if not path.exists():
        return Regions()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    provinces = [Province(str(p["id"]), str(p["name"])) for p in raw.get("provinces") or []]
    return Regions(provinces, {str(k): str(v) for k, v in (raw.get("area_codes") or {}).items()})
