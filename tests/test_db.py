"""The database: DATABASE_URL read right, the migrations from empty on SQLite and on
the machine's PostgreSQL (skipped when there is none), the migrations and the models
agreeing, records surviving a round trip, and the `ivr db` / `ivr staff` commands."""
from datetime import timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from ivr import create_app
from ivr.cli import main
from ivr.services import of as services_of
from ivr.staff import accounts, audit
from ivr.store import db
from ivr.store.models import AuditEntry, Staff

from support import STAFF_PASSWORD


# -- DATABASE_URL -----------------------------------------------------------------------------
def test_no_url_is_the_embedded_sqlite_under_instance():
    assert db.resolve_url("") == f"sqlite:///{db.EMBEDDED}"
    assert db.EMBEDDED.parent.name == "instance"


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
    ("postgresql://u@h/d?sslmode=require", "postgresql+psycopg://u@h/d?sslmode=require"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_urls_are_made_ready_for_sqlalchemy(given, expected):
    assert db.resolve_url(given) == expected


@pytest.mark.parametrize("url", ["mysql://h/d", "just words", "redis://h:6379/0"])
def test_other_urls_are_refused_at_start_with_a_reason(url):
    with pytest.raises(ValueError, match="DATABASE_URL must"):
        db.Database(url)


def test_passwords_are_kept_out_of_messages():
    assert "secret" not in db.describe(db.resolve_url("postgresql://ivr:secret@db.example:5432/ivr"))


def test_an_app_that_touches_no_record_opens_no_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'ivr.db'}"
    app = create_app({"TESTING": True, "AUDIO_ENABLED": False, "DATABASE_URL": url})
    assert app.test_client().post("/voice").status_code == 200
    assert db.of(app)._engine is None and not (tmp_path / "sub").exists()
    assert services_of(app) is not None


# -- the migrations, on SQLite and PostgreSQL --------------------------------------------------------
def schema_differences(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, db.Base.metadata)


def test_a_migration_from_empty_makes_exactly_the_models(empty_db_url):
    database = db.Database(empty_db_url)
    try:
        assert db.revisions(database)[0] is None
        db.upgrade(database)
        current, head = db.revisions(database)
        assert current == head and db.is_current(database)
        tables = set(inspect(database.engine).get_table_names())
        assert {"staff", "audit_log", "alembic_version"} <= tables
        assert schema_differences(database) == []
        db.upgrade(database)  # again: nothing to do, nothing breaks
        db.downgrade(database, "base")  # and all the way down and up again
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        db.upgrade(database)
        assert db.is_current(database)
    finally:
        database.dispose()


def test_records_make_the_round_trip(empty_db_url):
    database = db.Database(empty_db_url)
    try:
        db.upgrade(database)
        with database.session() as session:
            member = accounts.create_staff(session, "ada", "editor", STAFF_PASSWORD)
            locked = accounts.authenticate(session, "ada", "wrong", accounts.Policy(failures=1, minutes=5))
            assert locked.status == "locked"
            audit.record_audit(session, "ada", "recording.add", target="ti|welcome|",
                               details={"seconds": 3.5, "words": "ሰላም"})
            session.commit()
        with database.session() as session:
            stored = session.get(Staff, member.id)
            assert stored.locked_until.tzinfo is not None and stored.locked_until.utcoffset() == timedelta(0)
            assert stored.locked_until == locked.locked_until
            entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "recording.add"))
            assert entry.details == {"seconds": 3.5, "words": "ሰላም"} and entry.at.tzinfo == timezone.utc
    finally:
        database.dispose()


def test_the_database_itself_refuses_bad_records(empty_db_url):
    database = db.Database(empty_db_url)
    try:
        db.upgrade(database)
        with database.session() as session:
            accounts.create_staff(session, "ada", "editor", STAFF_PASSWORD)
        for bad in ({"name": "ada", "role": "editor"}, {"name": "bob", "role": "boss"}):
            with database.session() as session:
                session.add(Staff(password_hash="x", **bad))
                with pytest.raises(IntegrityError):
                    session.commit()
        with database.session() as session:
            # The server's defaults: a row added without them is enabled, with no failures.
            session.execute(Staff.__table__.insert().values(name="raw", role="agent", password_hash="x",
                                                            created_at=db.utcnow()))
            session.commit()
            raw = accounts.get(session, "raw")
            assert (raw.disabled, raw.failed_logins, raw.failed_pins) == (False, 0, 0)
    finally:
        database.dispose()


# -- the commands ------------------------------------------------------------------------------------
def run(env, *args, stdin=None):
    return CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=False)


def test_ivr_db_upgrade_makes_an_empty_database_current(empty_db_url):
    env = {"DATABASE_URL": empty_db_url}
    first = run(env, "db", "upgrade")
    assert first.exit_code == 0 and "upgraded from empty to revision" in first.output
    assert "already at revision" in run(env, "db", "upgrade").output
    database = db.Database(empty_db_url)
    assert db.is_current(database)
    database.dispose()


def test_ivr_db_upgrade_says_clearly_when_it_cannot_reach_the_database():
    result = run({"DATABASE_URL": "postgresql://nobody:hidden@127.0.0.1:1/none"}, "db", "upgrade")
    assert result.exit_code == 1 and "cannot upgrade" in result.output and "hidden" not in result.output


def test_staff_commands_work_on_a_migrated_database_and_are_audited(db_url):
    env = {"DATABASE_URL": db_url}
    added = run(env, "staff", "add", "Ada", "--role", "admin", "--password-stdin", stdin=STAFF_PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "Added ada (admin), staff number 1." in added.output
    assert run(env, "staff", "add", "bob", "--role", "editor", stdin=STAFF_PASSWORD + "\n").exit_code == 0
    assert run(env, "staff", "pin", "bob", stdin="4071\n").exit_code == 0
    assert run(env, "staff", "disable", "bob").exit_code == 0
    listed = run(env, "staff", "list").output.splitlines()
    assert listed[1].split() == ["1", "ada", "admin", "active", "-"]
    assert listed[2].split() == ["2", "bob", "editor", "disabled", "set"]
    assert run(env, "staff", "enable", "bob").exit_code == 0
    database = db.Database(db_url)
    with database.session() as session:
        assert accounts.authenticate(session, "ada", STAFF_PASSWORD).ok
        assert accounts.check_pin(session, 2, "4071").ok
        actions = session.execute(select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.id)).all()
    database.dispose()
    assert [a for a in actions if a[0] == "cli"] == [
        ("cli", "staff.add"), ("cli", "staff.add"), ("cli", "staff.pin"), ("cli", "staff.disable"), ("cli", "staff.enable")]


@pytest.mark.parametrize("args, stdin, message", [
    (["staff", "add", "ada", "--role", "admin"], "short\n", "10 to 256 characters"),
    (["staff", "add", "a b", "--role", "admin"], STAFF_PASSWORD + "\n", "A name is"),
    (["staff", "add", "ada", "--role", "boss"], STAFF_PASSWORD + "\n", "'boss' is not one of"),
    (["staff", "pin", "nobody"], "4071\n", "no staff member called 'nobody'"),
    (["staff", "pin", "ada"], "12\n", "A PIN is 4 to 8 digits"),
    (["staff", "disable", "ada"], None, "At least one enabled admin must remain"),
])
def test_staff_commands_refuse_bad_input_with_a_reason(db_url, args, stdin, message):
    env = {"DATABASE_URL": db_url}
    if args[1] != "add":
        run(env, "staff", "add", "ada", "--role", "admin", stdin=STAFF_PASSWORD + "\n")
    result = run(env, *args, stdin=stdin)
    assert result.exit_code != 0 and message in result.output, result.output


def test_staff_commands_ask_for_an_upgrade_of_a_configured_database(tmp_path):
    result = run({"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}, "staff", "list")
    assert result.exit_code == 1 and "run `ivr db upgrade` first" in result.output
