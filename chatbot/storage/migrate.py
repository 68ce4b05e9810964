"""Bringing a database to the schema this code expects, with Alembic (``python -m chatbot db upgrade``).

Only one process migrates at a time: on SQLite a file lock beside the database (two gunicorn
workers starting on a new file would otherwise race, and SQLite refuses one of them at once), on
PostgreSQL an advisory lock held by the migrating transaction (every host may run ``db upgrade``
on deploy; the others wait, then find nothing to do). The embedded default migrates its SQLite
files by itself when the app starts; with ``DATABASE_URL`` the operator runs ``db upgrade`` and a
host whose database is behind refuses staff pages until then (see :func:`is_current`)."""
from __future__ import annotations

import contextlib
from importlib.resources import files
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from chatbot.config import Settings
from chatbot.storage.corpus import MANIFEST, corpus_store
from chatbot.storage.database import Database, feedback_database, redacted, state_database
from chatbot.storage.locks import schema_lock, transaction_lock



def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("chatbot.storage") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code ships."""
    return ScriptDirectory.from_config(_config()).get_current_head()


@contextlib.contextmanager
def _migrating(db: Database) -> Iterator[Connection]:
    if db.is_sqlite:
        with schema_lock(db.sqlite_path):
            raw = db.engine.raw_connection()           # WAL is the file's mode, not settable inside a transaction
            try:
                raw.driver_connection.execute("PRAGMA journal_mode = WAL")
            finally:
                raw.close()
            with db.write() as conn:
                yield conn
    else:
        with db.write() as conn:
            transaction_lock(conn, "migrations")
            yield conn


def upgrade(db: Database, revision: str = "head") -> None:
    with _migrating(db) as conn:
        command.upgrade(_config(conn), revision)


def downgrade(db: Database, revision: str) -> None:
    with _migrating(db) as conn:
        command.downgrade(_config(conn), revision)


def current(db: Database) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _sqlite_revision(db: Database) -> str | None:
    """A SQLite file's revision, read without taking its write lock (a process starting while a
    build or a sign-in writes does not wait for it); None while there is no file."""
    if not db.sqlite_path.exists():
        return None
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(db: Database) -> bool:
    return current(db) == head()


class SchemaBehind(RuntimeError):
    """The shared database is at an older revision than this code: ``python -m chatbot db upgrade``."""


def databases_in_use(settings: Settings) -> list[Database]:
    """The state database, then the feedback one when it is a different (SQLite) file."""
    state, feedback = state_database(settings), feedback_database(settings)
    return [state] if feedback is state else [state, feedback]


def upgrade_all(settings: Settings, revision: str = "head") -> list[Database]:
    databases = databases_in_use(settings)
    for db in databases:
        upgrade(db, revision)
    return databases


def ensure_ready(settings: Settings) -> None:
    """At start: the embedded SQLite files migrate themselves and get the shipped corpus if they
    hold none (nothing for anyone to run); a shared database is migrated and seeded by the operator
    (``db upgrade``), once, so a host finding it behind says so instead."""
    if not settings.database_url:
        for db in databases_in_use(settings):
            if _sqlite_revision(db) != head():
                upgrade(db)
        if (settings.corpus_dir / MANIFEST).is_file():     # the shipped corpus seeds it, once (a read after)
            corpus_store(settings).seed_once(settings.corpus_dir)
        return
    db = state_database(settings)
    found = current(db)
    if found != head():
        raise SchemaBehind(f"{redacted(db.url)} is at revision {found or 'none'}, this code needs {head()}: "
                           "run `python -m chatbot db upgrade`")
