"""Staff accounts as plain functions, without Flask: adding, logging in, the lock after
five wrong passwords (and its end, with a moved clock), disabling, roles, the phone
PIN, and the audit log of it all."""
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from ivr.staff import accounts, audit
from ivr.staff.accounts import Policy, StaffError
from ivr.store.db import utcnow
from ivr.store.models import AuditEntry, Staff

from support import STAFF_PASSWORD

POLICY = Policy(failures=5, minutes=15)


def log(session):
    return [(e.actor, e.action, e.target) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_new_account_keeps_only_a_hash_and_is_audited(db_session):
    member = accounts.create_staff(db_session, " Ada ", "editor", STAFF_PASSWORD)
    assert (member.name, member.role, member.disabled) == ("ada", "editor", False)
    stored = db_session.scalar(select(Staff.password_hash).where(Staff.name == "ada"))
    assert stored.startswith("$argon2id$") and STAFF_PASSWORD not in stored
    assert log(db_session) == [("cli", "staff.add", "ada")]
    assert db_session.scalar(select(AuditEntry.details)) == {"role": "editor"}


@pytest.mark.parametrize("name, role, password, message", [
    ("a", "editor", STAFF_PASSWORD, "A name is"),
    ("ada lovelace", "editor", STAFF_PASSWORD, "A name is"),
    ("-ada", "editor", STAFF_PASSWORD, "A name is"),
    ("x" * 33, "editor", STAFF_PASSWORD, "A name is"),
    ("ada", "boss", STAFF_PASSWORD, "role must be one of editor, agent, admin"),
    ("ada", "editor", "short", "10 to 256 characters"),
    ("ada", "editor", "x" * 257, "10 to 256 characters"),
    ("adalovelace", "editor", "AdaLovelace", "must not be the name"),
])
def test_bad_accounts_are_refused_with_a_reason(db_session, name, role, password, message):
    with pytest.raises(StaffError, match=message):
        accounts.create_staff(db_session, name, role, password)
    assert db_session.scalar(select(Staff)) is None and log(db_session) == []


def test_names_are_unique_whatever_their_case(db_session, staff):
    staff("ada", "editor")
    with pytest.raises(StaffError, match="already a staff member called 'ada'"):
        accounts.create_staff(db_session, "ADA", "admin", STAFF_PASSWORD)


def test_the_right_password_logs_in_and_a_wrong_one_does_not(db_session, staff):
    staff("ada", "editor")
    now = utcnow()
    assert accounts.authenticate(db_session, "ada", "wrong password", POLICY, now).status == "wrong"
    assert accounts.authenticate(db_session, "nobody", STAFF_PASSWORD, POLICY, now).status == "wrong"
    outcome = accounts.authenticate(db_session, "Ada", STAFF_PASSWORD, POLICY, now)
    assert outcome.ok and outcome.staff.name == "ada" and outcome.staff.last_login_at == now
    # A success starts the count of wrong passwords again.
    assert outcome.staff.failed_logins == 0
    assert ("ada", "staff.login", "ada") in log(db_session)


def test_five_wrong_passwords_lock_the_account_until_the_time_is_up(db_session, staff):
    staff("ada", "editor")
    start = utcnow()
    for attempt in range(4):
        assert accounts.authenticate(db_session, "ada", f"wrong {attempt}", POLICY, start).status == "wrong"
    fifth = accounts.authenticate(db_session, "ada", "wrong 5", POLICY, start)
    assert fifth.status == "locked" and fifth.locked_until == start + timedelta(minutes=15)
    assert fifth.minutes_left(start) == 15
    # Locked: even the right password is refused, and trying does not extend the lock.
    later = start + timedelta(minutes=14, seconds=59)
    locked = accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY, later)
    assert locked.status == "locked" and locked.locked_until == fifth.locked_until and locked.minutes_left(later) == 1
    # The time is up: the right password works again.
    after = start + timedelta(minutes=15, seconds=1)
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY, after).ok
    assert [a for _, a, _ in log(db_session)].count("staff.locked") == 1


def test_after_a_lock_ends_there_are_five_fresh_tries(db_session, staff):
    staff("ada", "editor")
    start = utcnow()
    for attempt in range(5):
        accounts.authenticate(db_session, "ada", "wrong", POLICY, start)
    after = start + timedelta(minutes=16)
    outcomes = [accounts.authenticate(db_session, "ada", "wrong", POLICY, after).status for _ in range(5)]
    assert outcomes == ["wrong"] * 4 + ["locked"]


def test_the_lock_follows_the_settings(db_session, staff):
    staff("ada", "editor")
    policy = Policy.from_settings({"LOCK_AFTER_FAILURES": 2, "LOCK_MINUTES": 1})
    now = utcnow()
    statuses = [accounts.authenticate(db_session, "ada", "wrong", policy, now).status for _ in range(2)]
    assert statuses == ["wrong", "locked"]
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, policy, now + timedelta(seconds=61)).ok


def test_a_disabled_account_cannot_log_in(db_session, staff):
    staff("boss", "admin")
    staff("ada", "editor")
    accounts.disable(db_session, "ada", actor="boss")
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY).status == "disabled"
    # A wrong password on a disabled account says no more than any wrong password.
    assert accounts.authenticate(db_session, "ada", "wrong password", POLICY).status == "wrong"
    accounts.enable(db_session, "ada", actor="boss")
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY).ok
    assert ("boss", "staff.disable", "ada") in log(db_session) and ("boss", "staff.enable", "ada") in log(db_session)


def test_the_last_admin_cannot_be_disabled_or_demoted(db_session, staff):
    staff("boss", "admin")
    with pytest.raises(StaffError, match="At least one enabled admin"):
        accounts.disable(db_session, "boss")
    with pytest.raises(StaffError, match="At least one enabled admin"):
        accounts.set_role(db_session, "boss", "editor")
    staff("second", "admin")
    accounts.set_role(db_session, "boss", "editor", actor="second")
    assert accounts.get(db_session, "boss").role == "editor"
    assert db_session.scalar(select(AuditEntry.details).where(AuditEntry.action == "staff.role")) == {
        "from": "admin", "to": "editor"}


def test_roles_grant_what_the_issue_says():
    assert "recordings" in accounts.permissions("editor") and "staff" not in accounts.permissions("editor")
    assert "callbacks" in accounts.permissions("agent") and "recordings" not in accounts.permissions("agent")
    assert {"staff", "audit", "recordings", "callbacks", "phone"} <= accounts.permissions("admin")
    assert accounts.permissions("nobody") == frozenset()


def test_production_hashes_are_argon2id_at_the_librarys_cost_and_old_ones_are_upgraded(db_session, staff, monkeypatch):
    cheap = accounts.HASHER  # the tests' quick hasher (conftest)
    staff("ada", "editor")
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher())
    real = PasswordHasher()
    assert (real.time_cost, real.memory_cost) == (3, 65536)
    assert cheap.check_needs_rehash(accounts.HASHER.hash("x" * 12)) and real.check_needs_rehash(
        accounts.get(db_session, "ada").password_hash)
    # A hash made at a lower cost is made again at the current cost at the next log-in.
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY).ok
    upgraded = db_session.scalar(select(Staff.password_hash).where(Staff.name == "ada"))
    assert upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and not real.check_needs_rehash(upgraded)
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY).ok


def test_a_new_password_replaces_the_old_and_ends_a_lock(db_session, staff):
    staff("ada", "editor")
    now = utcnow()
    for _ in range(5):
        accounts.authenticate(db_session, "ada", "wrong", POLICY, now)
    accounts.set_password(db_session, "ada", "another long password")
    assert accounts.authenticate(db_session, "ada", "another long password", POLICY, now).ok
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY, now).status == "wrong"


# -- the phone PIN -----------------------------------------------------------------------------
@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "1111", "1234", "9876", "12 34"])
def test_bad_pins_are_refused(db_session, staff, pin):
    staff("ada", "editor")
    with pytest.raises(StaffError):
        accounts.set_pin(db_session, "ada", pin)
    assert accounts.get(db_session, "ada").pin_hash is None


def test_the_pin_is_hashed_and_checked_by_staff_number(db_session, staff):
    member = staff("ada", "editor", pin="4071")
    stored = accounts.get(db_session, "ada").pin_hash
    assert stored.startswith("$argon2id$") and "4071" not in stored
    assert accounts.check_pin(db_session, member.id, "4071", POLICY).ok
    assert accounts.check_pin(db_session, member.id, "4072", POLICY).status == "wrong"
    assert accounts.check_pin(db_session, member.id + 1, "4071", POLICY).status == "wrong"
    assert accounts.check_pin(db_session, str(member.id), "4071", POLICY).status == "wrong"
    assert ("test", "staff.pin", "ada") in log(db_session)


def test_five_wrong_pins_lock_the_pin_but_not_the_admin(db_session, staff):
    member = staff("ada", "editor", pin="4071")
    now = utcnow()
    statuses = [accounts.check_pin(db_session, member.id, "0000", POLICY, now).status for _ in range(5)]
    assert statuses == ["wrong"] * 4 + ["locked"]
    assert accounts.check_pin(db_session, member.id, "4071", POLICY, now).status == "locked"
    assert accounts.authenticate(db_session, "ada", STAFF_PASSWORD, POLICY, now).ok  # the password still works
    assert accounts.check_pin(db_session, member.id, "4071", POLICY, now + timedelta(minutes=15, seconds=1)).ok
    assert ("ada", "staff.pin_locked", "ada") in log(db_session)


def test_a_disabled_account_has_no_pin_either(db_session, staff):
    staff("boss", "admin")
    member = staff("ada", "editor", pin="4071")
    accounts.disable(db_session, "ada")
    assert accounts.check_pin(db_session, member.id, "4071", POLICY).status == "disabled"


# -- the audit log ------------------------------------------------------------------------------
@pytest.mark.parametrize("details", [
    {"from": "+31612345678"}, {"note": "called 06 1234 5678 today"}, {"n": ["0612345678"]},
    {"caller": "(020) 626-4137"}, {"nested": {"to": "+44 20 7946 0958"}}, {"0031612345678": "key"},
])
def test_the_audit_log_refuses_phone_numbers(db_session, details):
    with pytest.raises(audit.AuditError, match="phone number"):
        audit.record_audit(db_session, "ada", "callback.done", details=details)
    with pytest.raises(audit.AuditError):
        audit.record_audit(db_session, "ada", "callback.done", target="+31 6 1234 5678")


def test_the_audit_log_keeps_what_only_looks_like_numbers(db_session):
    details = {"seconds": 12.5, "bytes": 123456789, "day": "2026-11-23", "at": "2026-11-23T11:40:00+00:00",
               "recording": "RE0123456789abcdef0123456789abcdef", "digest": "7de590a2a993a65c335bc2ae0b19d797",
               "prompt": "country_name@country=MA", "staff number": "1234567"}
    audit.record_audit(db_session, "ada", "recording.add", target="ti|welcome|", details=details)
    db_session.commit()
    assert log(db_session) == [("ada", "recording.add", "ti|welcome|")]


def test_the_audit_log_reads_newest_first_in_pages(db_session):
    start = utcnow()
    for n in range(7):
        audit.record_audit(db_session, "cli", "staff.add", target=f"s{n}", now=start + timedelta(seconds=n))
    db_session.commit()
    first, pages = audit.recent(db_session, page=1, size=3)
    assert pages == 3 and [e.target for e in first] == ["s6", "s5", "s4"]
    assert [e.target for e in audit.recent(db_session, page=3, size=3)[0]] == ["s0"]
    assert all(e.at.tzinfo is not None for e in first)
