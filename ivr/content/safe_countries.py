"""The Dutch list of safe countries of origin, from facts/safe_countries.toml.

What the line says about one country is a list of utterances, built here from the data
so that staff changing the list change the answer.
"""
import datetime as dt
from dataclasses import dataclass, field

from .facts import FactError, load_table
from .utterance import Utterance

FILE = "safe_countries.toml"
STATUSES = ("listed", "suspended", "uncertain")
# Everything `answer` can say, besides one safe_group_<name> per exception group.
RESULT_PROMPTS = (
    "country_name", "safe_eu", "safe_not_listed", "safe_exceptions_intro",
    "safe_exceptions_advice", "safe_checked_on", *(f"safe_{s}" for s in STATUSES),
)


@dataclass(frozen=True)
class Designation:
    region: str
    status: str
    exceptions: tuple = ()
    verified: dt.date | None = None


@dataclass
class SafeList:
    verified: dt.date
    countries: dict = field(default_factory=dict)  # region -> Designation
    eu_members: frozenset = frozenset()

    def answer(self, region):
        """What the line says about `region`, as utterances."""
        said = [Utterance("country_name", (("country", region),))]
        designation = self.countries.get(region)
        if designation is None:
            said.append(Utterance("safe_eu" if region in self.eu_members else "safe_not_listed"))
        else:
            said.append(Utterance(f"safe_{designation.status}"))
            if designation.exceptions:
                said.append(Utterance("safe_exceptions_intro"))
                said.extend(Utterance(f"safe_group_{group}") for group in designation.exceptions)
                said.append(Utterance("safe_exceptions_advice"))
        checked = designation.verified if designation and designation.verified else self.verified
        said.append(Utterance("safe_checked_on", (("date", checked),)))
        return said

    def groups(self):
        return sorted({g for d in self.countries.values() for g in d.exceptions})


def load_safe_list(directory):
    raw = load_table(directory, FILE)
    verified = raw.get("verified")
    if not isinstance(verified, dt.date):
        raise FactError(f"facts/{FILE}: needs a verified date")
    countries = {}
    for region, spec in (raw.get("countries") or {}).items():
        status = spec.get("status", "listed")
        if status not in STATUSES:
            raise FactError(f"facts/{FILE}: {region} status must be one of {STATUSES}")
        countries[region] = Designation(
            region, status, tuple(spec.get("exceptions") or ()), spec.get("verified")
        )
    return SafeList(verified, countries, frozenset(raw.get("eu_members") or ()))
