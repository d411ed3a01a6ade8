"""Writing the audit log: who changed what, and when. Every change staff make (and
every change made with the `ivr` command, actor "cli") is one entry. Details are a
small JSON object; a phone number never goes in, so the log can be read and kept
freely. Here, below every room that changes records (staff, offices); reading the
log is ivr.staff.audit's."""
import re

from .db import utcnow
from .models import AuditEntry

CLI = "cli"  # the actor for changes made with the `ivr` command
# A run of digits (spaces, dashes, dots, brackets between them) standing alone, not
# inside a word such as a hex id: with nine digits or more, a phone number. Dates
# (2026-11-23: eight) and ids (RE0123456789abcdef) pass.
NUMBER = re.compile(r"(?<!\w)\+?\d[\d\s().-]*\d(?!\w)")
PHONE_DIGITS = 9


class AuditError(ValueError):
    pass


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _strings(inner)


def _phone_number(text):
    return any(sum(c.isdigit() for c in found.group()) >= PHONE_DIGITS for found in NUMBER.finditer(text))


def record_audit(session, actor, action, target=None, details=None, now=None):
    """Add one entry to the log (committed with the caller's change)."""
    details = dict(details or {})
    if any(_phone_number(text) for text in _strings([target or "", details])):
        raise AuditError("an audit entry must not contain a phone number")
    entry = AuditEntry(at=now or utcnow(), actor=actor, action=action, target=target, details=details)
    session.add(entry)
    return entry
