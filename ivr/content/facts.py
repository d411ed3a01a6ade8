"""Facts: every figure the line speaks (amounts, dates, lists), kept in facts/*.toml
with the date it was last verified, so staff update them without touching code.

Scalar facts are the tables of facts/figures.toml; a prompt names one as a
{placeholder}. The other files hold lists (organisations, safe countries, ...), read
by the module that owns them through `load_table`.
"""
import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from babel.numbers import format_decimal

FIGURES_FILE = "figures.toml"
KINDS = ("money", "number", "date")


class FactError(ValueError):
    pass


@dataclass(frozen=True)
class Fact:
    name: str
    value: object
    kind: str
    verified: dt.date
    source: str = ""

    def spoken(self, catalogue):
        """The value written for the ear of the language, before any engine reads it:
        dates in the catalogue's words, numbers as plain digits. A group separator
        ("1 800" with a non-breaking space in French and Russian) makes engines read
        "one eight hundred", so there is none."""
        if self.kind == "date":
            return catalogue.spoken_date(self.value)
        number = format_decimal(self.value, locale=catalogue.language.locale, group_separator=False)
        if self.kind == "money":
            return catalogue.formats.get("money", "{amount} euro").format(amount=number)
        return number


def load_table(directory, filename):
    path = Path(directory) / filename
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FactError(f"facts/{filename} is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise FactError(f"facts/{filename}: not valid TOML: {exc}") from exc


def load_figures(directory):
    facts = {}
    for name, table in load_table(directory, FIGURES_FILE).items():
        if not isinstance(table, dict) or "value" not in table:
            raise FactError(f"facts/{FIGURES_FILE}: [{name}] needs a value")
        kind = table.get("kind", "number")
        if kind not in KINDS:
            raise FactError(f"facts/{FIGURES_FILE}: [{name}] kind must be one of {KINDS}")
        verified = table.get("verified")
        if not isinstance(verified, dt.date):
            raise FactError(f"facts/{FIGURES_FILE}: [{name}] needs a verified date (YYYY-MM-DD)")
        value = table["value"]
        if kind == "date" and not isinstance(value, dt.date):
            raise FactError(f"facts/{FIGURES_FILE}: [{name}] is a date: write it as YYYY-MM-DD")
        if kind != "date" and not isinstance(value, (int, float)):
            raise FactError(f"facts/{FIGURES_FILE}: [{name}] needs a number")
        facts[name] = Fact(name, value, kind, verified, table.get("source", ""))
    return facts


def verified_dates(directory):
    """(file, item, date) for every table in facts/ that carries a verified date."""
    found = []
    for path in sorted(Path(directory).glob("*.toml")):
        def walk(node, trail):
            if isinstance(node, dict):
                if isinstance(node.get("verified"), dt.date):
                    found.append((path.name, ".".join(trail) or "(file)", node["verified"]))
                for key, child in node.items():
                    walk(child, trail + [key])
            elif isinstance(node, list):
                for i, child in enumerate(node):
                    walk(child, trail + [str(i)])
        walk(load_table(directory, path.name), [])
    return found
