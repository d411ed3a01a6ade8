"""Offices in the database, as plain functions over a session: read one as its
canonical dict (rules), save one (add or change; every change audited with the
fields it touched, never a phone number), import a whole file, export them all, and
load the starting set into an empty table. The caller commits.
"""
from sqlalchemy import func, select

from ..store.audit import record_audit
from ..store.db import utcnow
from ..store.models import Office, OfficeCheck, OfficeClosure, OfficeHours
from . import files, rules
from .rules import DAYS, OfficeError

SCALARS = ("name", "kind", "place", "street", "postcode", "lat", "lon", "phone", "languages", "say_hours",
           "active", "notes")


def all_offices(session, active_only=False):
    query = select(Office).order_by(Office.name, Office.id)
    if active_only:
        query = query.where(Office.active)
    return session.scalars(query).all()


def find(session, key):
    """An office by its slug or its number; OfficeError when there is none."""
    key = str(key).strip()
    office = session.get(Office, int(key)) if key.isdigit() else None
    office = office or session.scalar(select(Office).where(Office.slug == key.lower()))
    if office is None:
        raise OfficeError(f"there is no office {key!r} (`ivr offices list` shows them)")
    return office


def exists(session, slug):
    return session.scalar(select(Office.id).where(Office.slug == slug)) is not None


def as_dict(office):
    """The canonical dict of a stored office (what rules.clean makes)."""
    out = {"slug": office.slug, **{field: getattr(office, field) for field in SCALARS}}
    out["languages"] = list(office.languages or [])
    out["hours"] = [{"day": DAYS[h.weekday], "kind": h.kind, "opens": h.opens, "closes": h.closes}
                    for h in sorted(office.hours, key=lambda h: (h.weekday, h.opens))]
    out["closures"] = [{"starts": c.starts, "ends": c.ends, "reason": c.reason}
                       for c in sorted(office.closures, key=lambda c: c.starts)]
    out["checks"] = {c.field: {"verified": c.verified, "source": c.source}
                     for c in sorted(office.checks, key=lambda c: c.field)}
    return out


def _changed(before, after):
    return sorted(field for field in after if before.get(field) != after[field])


def save(session, raw, actor, today=None):
    """Add the office `raw` describes, or change the one with its slug. Returns
    (office, changed field names); nothing changed, nothing audited."""
    cleaned = rules.clean(raw, today)
    office = session.scalar(select(Office).where(Office.slug == cleaned["slug"]))
    before = as_dict(office) if office is not None else {}
    changed = _changed(before, cleaned)
    if not changed:
        return office, []
    if office is None:
        office = Office(slug=cleaned["slug"])
        session.add(office)
    for field in SCALARS:
        setattr(office, field, cleaned[field])
    if "hours" in changed:
        office.hours = [OfficeHours(weekday=DAYS.index(h["day"]), kind=h["kind"], opens=h["opens"], closes=h["closes"])
                        for h in cleaned["hours"]]
    if "closures" in changed:
        office.closures = [OfficeClosure(**c) for c in cleaned["closures"]]
    if "checks" in changed:
        office.checks = [OfficeCheck(field=f, **c) for f, c in cleaned["checks"].items()]
    office.updated_at = utcnow()  # the directory notices this (a child row alone would not tell it)
    session.flush()
    # The fields' names, not their values: a phone number never reaches the log.
    record_audit(session, actor, "office.add" if not before else "office.change", cleaned["slug"],
                 {"fields": changed})
    return office, changed


def import_offices(session, offices, actor, today=None):
    """Save each office of a file (by slug; offices not in it are left as they are).
    All or nothing: the first refused office raises OfficeError naming it."""
    report = {"added": [], "changed": [], "same": []}
    for raw in offices:
        slug = str(raw.get("slug", "?"))
        existed = exists(session, slug.strip().lower())
        try:
            _, changed = save(session, raw, actor, today)
        except OfficeError as exc:
            raise OfficeError(f"office {slug}: {exc}") from exc
        report["same" if not changed else "changed" if existed else "added"].append(slug)
    return report


def export_offices(session):
    return [as_dict(office) for office in all_offices(session)]


def is_empty(session):
    return not session.scalar(select(func.count()).select_from(Office))


def seed_if_empty(session, path=None, actor="starting-set"):
    """Load the starting set (facts/offices.toml) into an empty table: a first start.
    Returns how many were loaded (0 when there were offices already)."""
    if not is_empty(session):
        return 0
    return len(import_offices(session, files.read(path or files.STARTING_SET), actor)["added"])


def version(session):
    """What changes whenever staff change an office: (count, newest change)."""
    return tuple(session.execute(select(func.count(Office.id), func.max(Office.updated_at))).one())
