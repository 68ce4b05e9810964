"""The schema is Alembic's: one command migrates either engine up and back down, a database built
by the migrations is exactly what chatbot/storage/tables.py describes, files of the hand-written
SQLite layer are adopted with their rows, and hosts migrating together wait for each other."""
from __future__ import annotations

import multiprocessing
import sqlite3
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from chatbot.cli import main
from chatbot.storage import migrate, tables
from chatbot.storage.database import Database, sqlite_url


def _schema_differences(db: Database) -> list:
    with db.engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")      # SQLite cannot reflect the lower(username) index; PostgreSQL checks it
        return compare_metadata(MigrationContext.configure(conn), tables.metadata)


def test_a_migrated_database_is_what_the_tables_module_describes(state_db):
    assert migrate.current(state_db) == migrate.head()
    assert _schema_differences(state_db) == []


def test_down_to_nothing_and_up_again(state_db):
    with state_db.write() as conn:
        conn.execute(tables.audit.insert().values(at="2026-11-30", actor="a", action="x"))
    migrate.downgrade(state_db, "base")
    assert migrate.current(state_db) is None
    assert set(inspect(state_db.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(state_db)
    assert _schema_differences(state_db) == []
    with state_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(tables.audit)).scalar() == 0


def test_user_names_are_unique_whatever_their_case(state_db):
    row = dict(password_hash="h", roles="editor", created_at="t", password_changed_at="t")
    with state_db.write() as conn:
        conn.execute(tables.users.insert().values(username="Kim", **row))
    with pytest.raises(Exception, match="(?i)unique"):
        with state_db.write() as conn:
            conn.execute(tables.users.insert().values(username="kIM", **row))


def _legacy_admin_file(path, user_version: int) -> None:
    """A staff database as the hand-written layer (schema versions 1 and 2) left it."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL, roles TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL, password_changed_at TEXT NOT NULL);
        CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
        CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, created_by TEXT NOT NULL,
            created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, pid INTEGER, stage TEXT NOT NULL DEFAULT '',
            done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0, version TEXT,
            result TEXT NOT NULL DEFAULT '{}', error TEXT NOT NULL DEFAULT '');
        INSERT INTO jobs (kind, state, created_by, created_at) VALUES ('build', 'succeeded', 'kim', 't');
        CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '{}', ip TEXT NOT NULL DEFAULT '');
        INSERT INTO users (username, password_hash, roles, created_at, password_changed_at)
            VALUES ('kim', 'h', 'editor', 't', 't');
        INSERT INTO audit (at, actor, action, target) VALUES ('t', 'kim', 'login.failed', 'kim');
        INSERT INTO audit (at, actor, action, target) VALUES ('t', 'hunter2', 'login.failed', 'hunter2');
        INSERT INTO login_failures VALUES ('hunter2|1.2.3.4', 1.0);
    """)
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("user_version", [1, 2])
def test_a_file_of_the_hand_written_layer_is_adopted_with_its_rows(tmp_path, user_version):
    path = tmp_path / "admin.sqlite3"
    _legacy_admin_file(path, user_version)
    db = Database(sqlite_url(path))
    migrate.upgrade(db)
    with db.read() as conn:
        assert conn.execute(select(tables.users.c.username)).scalars().all() == ["kim"]
        targets = conn.execute(select(tables.audit.c.target).order_by(tables.audit.c.id)).scalars().all()
        failures = conn.execute(select(func.count()).select_from(tables.login_failures)).scalar()
        assert conn.execute(select(tables.jobs.c.state, tables.jobs.c.heartbeat_at)).all() == [("succeeded", None)]
    if user_version == 1:      # version 2's clean-up: a typed name that is no account's may be a password
        assert targets == ["kim", "(unknown user)"] and failures == 0
    else:
        assert targets == ["kim", "hunter2"] and failures == 1
    # No table, column or index is missing; what may differ is spelling the same SQLite affinity
    # (REAL for Float) and the nullability of an INTEGER PRIMARY KEY, which never holds NULL.
    assert [d for d in _schema_differences(db) if not (isinstance(d, list) and d[0][0].startswith("modify_"))] == []


def _upgrade_in_child(barrier, url, errors):
    barrier.wait()
    try:
        migrate.upgrade(Database(url))
    except Exception as error:           # noqa: BLE001 - reported to the parent
        errors.put(repr(error))


def test_hosts_upgrading_one_database_together_wait_for_each_other(state_db):
    migrate.downgrade(state_db, "base")
    context = multiprocessing.get_context("spawn")
    barrier, errors = context.Barrier(3), context.Queue()
    children = [context.Process(target=_upgrade_in_child, args=(barrier, state_db.url, errors)) for _ in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    assert errors.empty(), errors.get()
    assert migrate.current(state_db) == migrate.head()


def test_the_db_command_migrates_and_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHATBOT_ADMIN_DB", str(tmp_path / "admin.sqlite3"))
    monkeypatch.setenv("CHATBOT_FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["db", "current"]) == 0
    assert "base (never migrated)" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert out.count(f"at {migrate.head()}") == 2 and "feedback.sqlite3" in out
    assert main(["db", "downgrade"]) == 2
    assert main(["db", "downgrade", "base"]) == 0
    assert out.count("admin.sqlite3") == 1
