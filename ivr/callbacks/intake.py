"""Taking a request, whichever way it comes (the phone menu, a missed call): the
number sealed beside its keyed hash, one open per number and a daily limit, the
worker's first try set when the line calls by itself, and the wait to tell."""
import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from ..store.callers import caller_hash
from ..store.sealed import NoKeys
from . import requests
from .schedule import Schedule

log = logging.getLogger("ivr.callbacks")


@dataclass(frozen=True)
class Taken:
    outcome: str  # "queued", "open", "limit", "unavailable"
    expected: str = ""  # for "queued": "today", "next_day" or "later"
    request_id: int | None = None


class Intake:
    def __init__(self, settings, sealer, hours=None):
        """`hours` is the office-hours seam (see schedule.Schedule)."""
        self.settings = settings
        self.sealer = sealer
        self.schedule = Schedule(settings, hours)

    @property
    def enabled(self):
        """A request needs a sealing key and a hashing key, or no number can be kept."""
        return self.sealer.enabled and bool(self.settings["CALLER_HASH_KEY"])

    @property
    def worker_calls(self):
        """Whether the worker places the calls (it has somewhere to bridge them to)."""
        return bool(self.settings["CALLBACK_CONNECT_NUMBER"])

    def hash(self, number):
        return caller_hash(self.settings["CALLER_HASH_KEY"], number)

    def take(self, session, number, lang, topic, source, now, office_id=None):
        """A request for `number` (E.164), or why not. Never raises for the caller's sake:
        a database or key problem is "unavailable" (and logged, without the number)."""
        hashed = self.hash(number) if self.enabled else None
        if not hashed:
            return Taken("unavailable")
        try:
            sealed = self.sealer.seal(number)
            first = self.schedule.allowed(now) if self.worker_calls else None
            waiting = requests.waiting(session)
            request = requests.ask(session, hashed=hashed, sealed=sealed, lang=lang, topic=topic, source=source,
                                   now=now, daily_limit=self.settings["CALLBACK_DAILY_LIMIT"],
                                   next_attempt_at=first, office_id=office_id)
        except requests.Refused as refused:
            log.info("callback refused (%s) source=%s", refused.reason, source)
            return Taken(refused.reason)
        except (SQLAlchemyError, NoKeys) as exc:
            session.rollback()
            log.warning("callback could not be taken: %s", type(exc).__name__)
            return Taken("unavailable")
        log.info("callback %s queued source=%s lang=%s topic=%s", request.id, source, lang or "-", topic)
        return Taken("queued", self.schedule.expected(now, waiting), request.id)
