"""What jobs need, made once per worker process from the settings and only when first
used: the database, the line's services (content, audio, speech), Twilio's REST client,
the sealer that opens kept numbers, and a Redis connection."""
from functools import cached_property

from .. import config
from ..services import Services
from ..store import db, redis as redis_store
from ..store.breaker import Breaker
from ..store.sealed import Sealer
from . import twilio_rest

_current = None


class Context:
    def __init__(self, settings):
        self.settings = settings

    @cached_property
    def database(self):
        return db.Database(self.settings["DATABASE_URL"])

    @cached_property
    def services(self):
        return Services(self.settings)

    @cached_property
    def twilio(self):
        return twilio_rest.client(self.settings)

    @cached_property
    def sealer(self):
        return Sealer(self.settings["NUMBER_KEYS"])

    @cached_property
    def redis(self):
        return redis_store.connect(self.settings["REDIS_URL"], socket_timeout=redis_store.SOCKET_TIMEOUT * 10)

    @cached_property
    def breaker(self):
        """Redis through the circuit breaker, as the web uses it (stats, audio)."""
        return Breaker(self.redis)


def install(settings):
    """Makes `settings` the context of the jobs this process runs (the worker, a test)."""
    global _current
    _current = Context(settings)
    return _current


def current():
    """The installed context; a process that installed none reads the environment."""
    return _current or install(config.from_environment())
