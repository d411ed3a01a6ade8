"""Staff accounts as plain functions over a database session (no Flask): the admin, the
`ivr staff` commands and the tests all call these.

Each function that changes something is one transaction: it checks its input (a
StaffError with a message for a person otherwise), makes the change, adds an audit
entry and commits. Passwords and phone PINs are kept only as argon2 hashes. Five wrong
passwords in a row (LOCK_AFTER_FAILURES) lock the account for LOCK_MINUTES; the PIN
has its own counter and lock, so a caller guessing PINs cannot lock anyone out of the
admin. `now` is a parameter everywhere so tests can move the clock.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update

from ..store.db import utcnow
from ..store.models import Staff
from .audit import CLI, record_audit
from .rules import StaffError, check_password, check_pin_rules, check_role, normal_name  # noqa: F401 (StaffError: the API)

# What each role may do; the admin shows and checks these. Admins may do everything.
PERMISSIONS = {
    "editor": frozenset({"phone", "recordings", "stats", "offices"}),
    "agent": frozenset({"phone", "callbacks"}),
    "admin": frozenset({"phone", "recordings", "callbacks", "staff", "audit", "stats", "offices"}),
}
DUTIES = {
    "editor": "Editors change prompts and recordings.",
    "agent": "Agents work callback requests.",
    "admin": "Admins manage staff and read the audit log, and may do what editors and agents do.",
}
HASHER = PasswordHasher()


@dataclass(frozen=True)
class Policy:
    failures: int = 5
    minutes: int = 15

    @classmethod
    def from_settings(cls, settings):
        return cls(int(settings["LOCK_AFTER_FAILURES"]), int(settings["LOCK_MINUTES"]))


@dataclass(frozen=True)
class Outcome:
    """What a password or PIN check found: "ok", "wrong", "locked" or "disabled"."""

    status: str
    staff: Staff | None = None
    locked_until: datetime | None = None

    @property
    def ok(self):
        return self.status == "ok"

    def minutes_left(self, now=None):
        if self.locked_until is None:
            return 0
        return max(1, math.ceil((self.locked_until - (now or utcnow())).total_seconds() / 60))


@dataclass(frozen=True)
class _Secret:
    """Where a password or a PIN keeps its hash, its failure counter and its lock."""

    hash: str
    failures: str
    until: str
    locked_action: str


PASSWORD = _Secret("password_hash", "failed_logins", "locked_until", "staff.locked")
PIN = _Secret("pin_hash", "failed_pins", "pin_locked_until", "staff.pin_locked")


def permissions(role):
    return PERMISSIONS.get(role, frozenset())


# -- looking up -------------------------------------------------------------------------------
def find(session, name):
    return session.scalar(select(Staff).where(Staff.name == (name or "").strip().lower()))


def get(session, name):
    staff = find(session, name)
    if staff is None:
        raise StaffError(f"There is no staff member called {name!r}.")
    return staff


def list_staff(session):
    return session.scalars(select(Staff).order_by(Staff.name)).all()


def is_locked(staff, now=None, secret=PASSWORD):
    until = getattr(staff, secret.until)
    return until is not None and until > (now or utcnow())


def _enabled_admins(session):
    return session.scalar(select(func.count()).select_from(Staff).where(Staff.role == "admin", Staff.disabled.is_(False)))


def _keep_an_admin(session, staff):
    """Refuse a change that would leave no enabled admin to manage staff."""
    if staff.role == "admin" and not staff.disabled and _enabled_admins(session) <= 1:
        raise StaffError("At least one enabled admin must remain: make another admin first.")


# -- changes ----------------------------------------------------------------------------------
def create_staff(session, name, role, password, actor=CLI, now=None):
    name = normal_name(name)
    check_role(role)
    check_password(password, name)
    if find(session, name) is not None:
        raise StaffError(f"There is already a staff member called {name!r}.")
    now = now or utcnow()
    staff = Staff(name=name, role=role, password_hash=HASHER.hash(password), created_at=now)
    session.add(staff)
    record_audit(session, actor, "staff.add", target=name, details={"role": role}, now=now)
    session.commit()
    return staff


def set_password(session, name, password, actor=CLI, now=None):
    staff = get(session, name)
    staff.password_hash = HASHER.hash(check_password(password, staff.name))
    staff.failed_logins, staff.locked_until = 0, None
    record_audit(session, actor, "staff.password", target=staff.name, now=now)
    session.commit()
    return staff


def set_role(session, name, role, actor=CLI, now=None):
    staff = get(session, name)
    check_role(role)
    if role == staff.role:
        return staff
    if role != "admin":
        _keep_an_admin(session, staff)
    before, staff.role = staff.role, role
    record_audit(session, actor, "staff.role", target=staff.name, details={"from": before, "to": role}, now=now)
    session.commit()
    return staff


def disable(session, name, actor=CLI, now=None):
    staff = get(session, name)
    if staff.disabled:
        return staff
    _keep_an_admin(session, staff)
    staff.disabled = True
    record_audit(session, actor, "staff.disable", target=staff.name, now=now)
    session.commit()
    return staff


def enable(session, name, actor=CLI, now=None):
    staff = get(session, name)
    if not staff.disabled:
        return staff
    staff.disabled = False
    staff.failed_logins, staff.locked_until = 0, None
    record_audit(session, actor, "staff.enable", target=staff.name, now=now)
    session.commit()
    return staff


def set_pin(session, name, pin, actor=CLI, now=None):
    staff = get(session, name)
    staff.pin_hash = HASHER.hash(check_pin_rules(pin))
    staff.failed_pins, staff.pin_locked_until = 0, None
    record_audit(session, actor, "staff.pin", target=staff.name, now=now)
    session.commit()
    return staff


# -- checks ---------------------------------------------------------------------------------------
_DUMMY = []


def _verify(stored, given):
    try:
        return HASHER.verify(stored, given)
    except (VerificationError, InvalidHashError):
        return False


def _spend_time_as_if_checking(given):
    """An unknown name takes as long as a wrong password, so timing does not tell names."""
    if not _DUMMY:
        _DUMMY.append(HASHER.hash("not anybody's password"))
    _verify(_DUMMY[0], given)


def _check(session, staff, secret, given, policy, now):
    until = getattr(staff, secret.until)
    if until is not None and until > now:
        return Outcome("locked", staff, until)  # not even checked: a lock is a lock
    stored = getattr(staff, secret.hash)
    if stored and isinstance(given, str) and _verify(stored, given):
        setattr(staff, secret.failures, 0)
        setattr(staff, secret.until, None)
        if HASHER.check_needs_rehash(stored):
            setattr(staff, secret.hash, HASHER.hash(given))
        if staff.disabled:
            session.commit()
            return Outcome("disabled", staff)
        return Outcome("ok", staff)  # the caller records what the check was for, and commits
    # Counted in the database itself, so two wrong guesses at once both count.
    column = getattr(Staff, secret.failures)
    session.execute(update(Staff).where(Staff.id == staff.id).values({column: column + 1}))
    session.refresh(staff)
    if getattr(staff, secret.failures) < policy.failures:
        session.commit()
        return Outcome("wrong", staff)
    until = now + timedelta(minutes=policy.minutes)
    setattr(staff, secret.failures, 0)
    setattr(staff, secret.until, until)
    record_audit(session, staff.name, secret.locked_action, target=staff.name,
                 details={"failures": policy.failures, "minutes": policy.minutes}, now=now)
    session.commit()
    return Outcome("locked", staff, until)


def authenticate(session, name, password, policy=Policy(), now=None):
    """Check a name and password (the admin's log-in)."""
    now = now or utcnow()
    staff = find(session, name)
    if staff is None:
        _spend_time_as_if_checking(password if isinstance(password, str) else "")
        return Outcome("wrong")
    outcome = _check(session, staff, PASSWORD, password, policy, now)
    if outcome.ok:
        staff.last_login_at = now
        record_audit(session, staff.name, "staff.login", target=staff.name, now=now)
        session.commit()
    return outcome


def check_pin(session, staff_id, pin, policy=Policy(), now=None):
    """Check a staff member's phone PIN, the staff member given by their number (the id
    `ivr staff list` and /admin/staff show), as the recording-by-phone flow asks."""
    now = now or utcnow()
    staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
    if staff is None or staff.pin_hash is None:
        _spend_time_as_if_checking(pin if isinstance(pin, str) else "")
        return Outcome("wrong")
    outcome = _check(session, staff, PIN, pin, policy, now)
    if outcome.ok:
        session.commit()
    return outcome
