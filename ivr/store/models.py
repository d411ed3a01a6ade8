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
  Office      a place callers are sent to (a Council office, a reception location):
              address, postcode, coordinates, phone, desk languages, what the line
              may say of its hours, active; with OfficeHours (consulting hours per
              weekday, spreekuur and juridisch spreekuur apart), OfficeClosure (closed
              dates with a reason) and OfficeCheck (when each field was last verified,
              against which source). Kept by ivr.offices.records.
  MonthlyStat one month's count of a counter that is not a sum of days (unique
              callers), rolled up from Redis
"""
from datetime import date, datetime, time

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Date, Float, ForeignKey, Integer, LargeBinary, String, Text,
                        Time, false, text, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


# -- offices (ivr.offices) -------------------------------------------------------------------
SAY_HOURS = ("verified", "check", "never")  # what the line may say of an office's hours
HOURS_KINDS = ("spreekuur", "juridisch")  # consulting hours; juridisch spreekuur kept apart
CHECKED_FIELDS = ("name", "address", "location", "phone", "hours", "languages")


class Office(Base):
    __tablename__ = "offices"
    __table_args__ = (
        CheckConstraint("say_hours IN ('verified', 'check', 'never')", name="say_hours"),
        CheckConstraint("kind IN ('council', 'reception')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)  # stable name for files and the CLI
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # council (an office) or reception (a location)
    place: Mapped[str] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(200))  # empty unless a source gives it
    postcode: Mapped[str] = mapped_column(String(7))  # "9561" or "9561 AB"
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164; an office's public number
    languages: Mapped[list] = mapped_column(JSON, default=list)  # codes spoken at the desk
    say_hours: Mapped[str] = mapped_column(String(16), default="never", server_default="never")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    hours: Mapped[list["OfficeHours"]] = relationship(
        back_populates="office", cascade="all, delete-orphan", order_by="(OfficeHours.weekday, OfficeHours.opens)")
    closures: Mapped[list["OfficeClosure"]] = relationship(
        back_populates="office", cascade="all, delete-orphan", order_by="OfficeClosure.starts")
    checks: Mapped[list["OfficeCheck"]] = relationship(
        back_populates="office", cascade="all, delete-orphan", order_by="OfficeCheck.field")

    def __repr__(self):
        return f"<Office {self.id} {self.slug}{'' if self.active else ' inactive'}>"


class OfficeHours(Base):
    """One consulting session: a weekday (0 Monday) from `opens` to `closes`, local time."""
    __tablename__ = "office_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("kind IN ('spreekuur', 'juridisch')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    office: Mapped[Office] = relationship(back_populates="hours")


class OfficeClosure(Base):
    """Closed from `starts` to `ends` (both days included), e.g. a holiday or a move."""
    __tablename__ = "office_closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    office: Mapped[Office] = relationship(back_populates="closures")


class OfficeCheck(Base):
    """When one field of an office was last verified, and against what."""
    __tablename__ = "office_checks"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)  # one of CHECKED_FIELDS
    verified: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    office: Mapped[Office] = relationship(back_populates="checks")

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
