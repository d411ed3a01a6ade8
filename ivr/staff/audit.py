"""The audit log, read: a page of entries, newest first. Entries are written by
ivr.store.audit (record_audit), which every room that changes records uses."""
from sqlalchemy import func, select

from ..store.audit import CLI, AuditError, record_audit  # noqa: F401 (where staff code has found them)
from ..store.models import AuditEntry

PAGE_SIZE = 50


def recent(session, page=1, size=PAGE_SIZE):
    """(entries of one page, newest first; the number of pages)."""
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    pages = max(1, -(-total // size))
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    entries = session.scalars(query.offset((page - 1) * size).limit(size)).all()
    return entries, pages
