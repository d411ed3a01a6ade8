"""The relational database: staff accounts and the audit log now, recordings, offices
and callback requests later. Records, not caches: Redis keeps the audio and the
expiring keys, this keeps what must outlive a deploy.

DATABASE_URL forms:
  (empty)                               SQLite in instance/ivr.db under the project root
  sqlite:////absolute/path/ivr.db       a SQLite file (its folder is created)
  postgresql://user:pass@host:5432/db   PostgreSQL through psycopg 3 (postgres:// too)

The tables are in `models`; the schema is made and changed only by the Alembic
migrations in `migrations/` (`upgrade`, or `ivr db upgrade`). A `Database` opens its
engine on first use, so an app that never touches a record never opens a database.
In the web app, `request_session()` is one session per request, closed at its end.
"""
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

from ..config import ROOT

EMBEDDED = ROOT / "instance" / "ivr.db"
MIGRATIONS = Path(__file__).resolve().with_name("migrations")
EXTENSION = "ivr.db"  # app.extensions[EXTENSION] is the app's Database
SQLITE_BUSY_SECONDS = 15  # a second writer waits for the first instead of failing

# Constraint names that are the same on every database, so migrations can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A moment in UTC, aware in Python on every database (SQLite would hand back a
    naive datetime and PostgreSQL one in the session's zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a moment for the database must be timezone-aware")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def resolve_url(url):
    """The SQLAlchemy URL for a DATABASE_URL (see the module doc)."""
    url = (url or "").strip()
    if not url:
        return f"sqlite:///{EMBEDDED}"
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("DATABASE_URL must look like postgresql://user:password@host:5432/name or sqlite:////path/ivr.db")
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg://" + rest
    if scheme not in ("sqlite", "postgresql+psycopg"):
        raise ValueError(f"DATABASE_URL must be PostgreSQL (postgresql://) or SQLite (sqlite:///), not {scheme}://")
    return url


def describe(url):
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(connection, _record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    def __init__(self, url=""):
        self.url = resolve_url(url)
        make_url(self.url)  # a malformed URL fails at start-up, not on a request
        self._engine = None
        self._sessions = None
        self._lock = threading.Lock()

    @property
    def engine(self):
        with self._lock:
            if self._engine is None:
                self._engine = self._make_engine()
                self._sessions = sessionmaker(self._engine, expire_on_commit=False)
            return self._engine

    def _make_engine(self):
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            if url.database and url.database != ":memory:":
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        # A connection the server dropped (restart, idle timeout) is replaced, not used.
        return create_engine(url, pool_pre_ping=True)

    def session(self):
        """A new Session; the caller closes it (or use `transaction`)."""
        self.engine  # noqa: B018 (makes the sessionmaker)
        return self._sessions()

    @contextmanager
    def transaction(self):
        """A session that commits at the end of the block, or rolls back on an error."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self):
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None


# -- migrations -------------------------------------------------------------------------
def _alembic_config(database):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["engine"] = database.engine
    return config


def upgrade(database, revision="head"):
    """Bring the database's schema to `revision` (the newest by default)."""
    from alembic import command

    command.upgrade(_alembic_config(database), revision)


def downgrade(database, revision):
    """Take the schema back to `revision` ("base": empty). For tests and emergencies."""
    from alembic import command

    command.downgrade(_alembic_config(database), revision)


def revisions(database):
    """(the revision the database is at, the newest there is); None for an empty one."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(database)).get_current_head()
    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def is_current(database):
    current, head = revisions(database)
    return current == head


class NotUpgraded(RuntimeError):
    pass


def current_session(url, first_start=None):
    """A session on a database at the newest schema, for the `ivr` commands. A local
    run's embedded SQLite (no DATABASE_URL) is brought up to date here, then
    `first_start(session)` fills it (committed); a configured database must be
    upgraded by `ivr db upgrade` first (NotUpgraded)."""
    database = Database(url)
    if not is_current(database):
        if url:
            raise NotUpgraded("The database is not at the newest schema: run `ivr db upgrade` first.")
        upgrade(database)
        if first_start is not None:
            with database.transaction() as session:
                first_start(session)
    return database.session()


def command_session(url, first_start=None):
    """`current_session` for an `ivr` command: a database that is not upgraded or cannot
    be opened is a one-line error (click's), never a traceback."""
    import click

    try:
        return current_session(url, first_start)
    except NotUpgraded as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise click.ClickException(f"cannot open {describe(resolve_url(url))}: {exc}") from exc


# -- the web app --------------------------------------------------------------------------
def init_app(app):
    """One Database per app (from DATABASE_URL), one session per request."""
    app.extensions[EXTENSION] = Database(app.config.get("DATABASE_URL", ""))
    app.teardown_appcontext(_close_request_session)


def of(app):
    return app.extensions[EXTENSION]


def request_session():
    """This request's session, made on first use and closed when the request ends."""
    from flask import current_app, g

    if "ivr_db_session" not in g:
        g.ivr_db_session = of(current_app).session()
    return g.ivr_db_session


def _close_request_session(error):
    from flask import g

    session = g.pop("ivr_db_session", None)
    if session is not None:
        if error is not None:
            session.rollback()
        session.close()
