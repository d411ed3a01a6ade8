"""The office form of /admin/offices as plain data, so it is tested without Flask:
`values(office)` fills the form from a canonical office (rules), `parse(form)` turns
the posted fields back into a raw office for rules.clean.

Hours are typed per weekday, one box for spreekuur and one for juridisch spreekuur,
as ranges ("09:00-12:00, 13:30-16:00"); closures and verified dates are rows of
their own (a closure row left empty is ignored, a half-filled one is refused).
"""
import re

from ..store.models import CHECKED_FIELDS, HOURS_KINDS
from .rules import DAYS, OfficeError

SCALARS = ("name", "kind", "place", "street", "postcode", "lat", "lon", "phone", "say_hours", "notes")
RANGE = re.compile(r"^\s*(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})\s*$")
BLANK_CLOSURES = 2  # empty rows offered for new closures
MAX_CLOSURES = 50


def values(office):
    """{field name: value} for the form, from a canonical office."""
    out = {field: "" if office.get(field) is None else str(office[field]) for field in SCALARS}
    out["slug"] = office.get("slug", "")
    out["languages"] = ", ".join(office.get("languages", []))
    out["active"] = bool(office.get("active", True))
    for day in DAYS:
        for kind in HOURS_KINDS:
            out[f"hours_{day}_{kind}"] = ", ".join(
                f"{h['opens']:%H:%M}-{h['closes']:%H:%M}" for h in office.get("hours", [])
                if h["day"] == day and h["kind"] == kind)
    closures = office.get("closures", [])
    for i, closure in enumerate(closures + [{}] * BLANK_CLOSURES):
        out[f"closure_starts_{i}"] = str(closure.get("starts", ""))
        out[f"closure_ends_{i}"] = str(closure.get("ends", ""))
        out[f"closure_reason_{i}"] = closure.get("reason", "")
    out["closure_rows"] = len(closures) + BLANK_CLOSURES
    for field in CHECKED_FIELDS:
        check = office.get("checks", {}).get(field, {})
        out[f"verified_{field}"] = str(check.get("verified", ""))
        out[f"source_{field}"] = check.get("source", "")
    return out


def _ranges(text, day, kind):
    label = "juridisch spreekuur" if kind == "juridisch" else "spreekuur"
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = RANGE.match(part)
        if not match:
            raise OfficeError(f"{day.capitalize()} {label}: write the hours as 09:00-12:00 (several with commas), "
                              f"not {part[:30]!r}")
        yield {"day": day, "kind": kind, "opens": match.group(1), "closes": match.group(2)}


def parse(form, slug):
    """A raw office from the posted fields (a mapping of str to str)."""
    get = lambda name: (form.get(name) or "").strip()  # noqa: E731
    raw = {field: get(field) for field in SCALARS}
    raw["slug"] = slug
    raw["languages"] = get("languages")
    raw["active"] = form.get("active") in ("on", "1", "true")
    raw["hours"] = [row for day in DAYS for kind in HOURS_KINDS for row in _ranges(get(f"hours_{day}_{kind}"), day, kind)]
    raw["closures"] = []
    for i in range(MAX_CLOSURES):
        starts, ends, reason = get(f"closure_starts_{i}"), get(f"closure_ends_{i}"), get(f"closure_reason_{i}")
        if not (starts or ends or reason):
            continue
        if not (starts and reason):
            raise OfficeError(f"closure {i + 1}: give its first day and a reason (the last day if longer)")
        raw["closures"].append({"starts": starts, "ends": ends or starts, "reason": reason})
    raw["checks"] = {}
    for field in CHECKED_FIELDS:
        verified, source = get(f"verified_{field}"), get(f"source_{field}")
        if verified or source:
            if not (verified and source):
                raise OfficeError(f"verified {field}: give both the date and the source it was checked against")
            raw["checks"][field] = {"verified": verified, "source": source}
    return raw
