"""Alembic's entry point for the line's migrations (run by ivr.store.db.upgrade, which
hands over its engine in config.attributes["engine"])."""
from alembic import context
from sqlalchemy import create_engine

from ivr.store import models  # noqa: F401 (registers the tables on Base.metadata)
from ivr.store.db import Base

config = context.config
target = Base.metadata


def run_offline():
    """`alembic upgrade --sql`: the SQL, for a database administrator to run."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        context.configure(connection=connection, target_metadata=target, compare_type=True,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
