"""The line's records, as SQLAlchemy tables. A change here is a change of schema: it
comes with a migration in migrations/versions/ (tests/test_db.py checks that the
migrations make exactly these tables).

  Staff       a staff account: name, role, password and phone PIN (argon2 hashes),
              failure counters and locks, disabled flag
  AuditEntry  who changed what and when (never a phone number)
  Recording   a staff recording of one prompt in one language: the telephone audio
              itself (a platform's disk may be wiped), the text it says, who made it,
              and whether it is the current one (earlier ones are kept for undo)
  DailyStat   one day's count of one counter (ivr.stats), rolled up from Redis
  MonthlyStat one month's count of a counter that is not a sum of days (unique
              callers), rolled up from Redis
"""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, Float, Integer, LargeBinary, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime, utcnow

# What staff may be. The rights of each are in ivr.staff.accounts (PERMISSIONS).
ROLES = ("editor", "agent", "admin")
NAME_LENGTH = 32
HASH_LENGTH = 255


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint("role IN ('editor', 'agent', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    disabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Wrong passwords in a row; at the limit the account is locked until locked_until.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The phone PIN (for recording by phone): its own hash, counter and lock.
    pin_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    failed_pins: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    pin_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self):
        return f"<Staff {self.id} {self.name} {self.role}{' disabled' if self.disabled else ''}>"


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # A staff member's name, or "cli" for the command line: a name, not a key, so the
    # log outlives the account.
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))  # e.g. "staff.add", "recording.undo"
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self):
        return f"<AuditEntry {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target or ''}>"



ITEM_LENGTH = 200  # "ti|welcome|", "ti|country|nl": a registry item id


class Recording(Base):
    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str] = mapped_column(String(ITEM_LENGTH), index=True)
    # The text the prompt said when this was recorded: a different text now means stale.
    text: Mapped[str] = mapped_column(Text)
    audio: Mapped[bytes] = mapped_column(LargeBinary)  # telephone WAV (encoding.for_phone)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of audio
    seconds: Mapped[float] = mapped_column(Float)
    made_by: Mapped[str] = mapped_column(String(64))  # a staff name, or "cli"
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    current: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self):
        return f"<Recording {self.id} {self.item_id}{' current' if self.current else ''}>"


class DailyStat(Base):
    """A finished day's count of one counter ("calls", "lang:en", "reached:<node>"...),
    copied from Redis by `ivr stats rollup`. Counts only: never a number or a hash."""
    __tablename__ = "daily_stat"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)

    def __repr__(self):
        return f"<DailyStat {self.day} {self.name}={self.count}>"


class MonthlyStat(Base):
    """A month's count of a counter days cannot add up to: its unique callers (an
    estimate from the month's HyperLogLog), copied by `ivr stats rollup` each night,
    so the latest is the month so far. `month` is the month's first day."""
    __tablename__ = "monthly_stat"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)

    def __repr__(self):
        return f"<MonthlyStat {self.month:%Y-%m} {self.name}={self.count}>"
