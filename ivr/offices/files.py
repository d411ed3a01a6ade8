"""The offices file: TOML, one [[office]] table per office in the canonical form
(rules), times as "09:00", days as TOML dates. `read` gives raw dicts for rules.clean
(through records.import_offices); `write` makes a file `read` takes back unchanged,
so `ivr offices export` then `import` is a round trip.
"""
import datetime as dt
import tomllib
from pathlib import Path

import tomli_w

from ..config import ROOT

STARTING_SET = ROOT / "facts" / "offices.toml"
HEADER = """\
# Offices callers are sent to: the Dutch Council for Refugees (VluchtelingenWerk) and
# the reception locations. Exported by `ivr offices export`; loaded by `ivr offices
# import FILE` (and into an empty database on first start).
# A street, phone number or hour that no source gives is left out; `checks` says for
# each field when it was last verified and against what. The line never says an
# unverified hour as fact and never dials an unverified number.
"""


class FileError(ValueError):
    pass


def read(path):
    """The offices in a file, as raw dicts."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FileError(f"cannot read {path}: {exc}") from exc
    offices = data.get("office")
    if not isinstance(offices, list) or not all(isinstance(o, dict) for o in offices):
        raise FileError(f"{path}: no [[office]] tables")
    return offices


def _plain(value):
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def dumps(offices):
    return HEADER + "\n" + tomli_w.dumps({"office": [_plain(office) for office in offices]})


def write(offices, path):
    Path(path).write_text(dumps(offices), encoding="utf-8")
