"""The connection to the service's state: a SQLite file by default, PostgreSQL with ``DATABASE_URL``.

Everything that keeps state goes through :class:`Database`: ``write()`` for a transaction that
commits on success and rolls back on error, ``read()`` for the pages that only look. On SQLite a
write transaction starts with ``BEGIN IMMEDIATE`` (writers queue up front instead of failing
half-way, as the hand-written layer did) and a read never takes a write lock. On PostgreSQL the
pool is per process and is never inherited across ``fork``: gunicorn workers and build jobs each
open their own connections."""
from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from chatbot.config import Settings, private_file

SQLITE_BUSY_MS = 15000


def normalise_url(url: str) -> str:
    """``postgresql://`` (what operators and PaaS write) means psycopg 3, not SQLAlchemy's default
    psycopg2, which this service does not depend on."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def redacted(url: str) -> str:
    """The URL without its password, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


@dataclass
class Database:
    """One database, opened lazily in each process that uses it."""

    url: str
    _engines: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.url = normalise_url(self.url)
        os.register_at_fork(after_in_child=self._forget_engines)

    @classmethod
    def sqlite(cls, path: Path) -> "Database":
        return cls(sqlite_url(path))

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        return Path(make_url(self.url).database) if self.is_sqlite else None

    def _forget_engines(self) -> None:
        """A forked child must not use the parent's pooled sockets: it opens its own."""
        for engine in self._engines.values():
            engine.dispose(close=False)
        self._engines = {}
        self._lock = threading.Lock()

    def _engine(self, mode: str) -> Engine:
        engine = self._engines.get(mode)
        if engine is None:
            with self._lock:
                engine = self._engines.get(mode) or self._create(mode)
                self._engines[mode] = engine
        return engine

    def _create(self, mode: str) -> Engine:
        # hide_parameters: SQLAlchemy's logs and error messages never repeat a bound value (a
        # citizen's masked question, a password hash)
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=10,
                                 hide_parameters=True,
                                 connect_args={"connect_timeout": 5})
        path = self.sqlite_path
        if mode == "write":               # 0600 before SQLite writes a byte (its -wal/-shm inherit it),
            private_file(path)            # and tightened if an older release left it wider
        url = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true" if mode == "read" else self.url
        # Short-lived connections, as before: nothing is held by a forked or killed process.
        engine = create_engine(url, poolclass=NullPool, hide_parameters=True,
                               connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        _configure_sqlite(engine, immediate=mode == "write")
        return engine

    @property
    def engine(self) -> Engine:
        """The engine for writes and migrations."""
        return self._engine("write")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._engine("write").begin() as conn:
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading only; on SQLite it never waits for nor blocks a writer."""
        with self._engine("read" if self.is_sqlite else "write").connect() as conn:
            yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines = {}


def _configure_sqlite(engine: Engine, immediate: bool) -> None:
    """pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
    sent (the recipe in SQLAlchemy's SQLite dialect documentation), here ``BEGIN IMMEDIATE``."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        if immediate:
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_OPEN: dict[str, Database] = {}
_OPEN_LOCK = threading.Lock()


def database(url: str) -> Database:
    """This process's one :class:`Database` for ``url`` (one pool per process and address)."""
    url = normalise_url(url)
    with _OPEN_LOCK:
        if url not in _OPEN:
            _OPEN[url] = Database(url)
        return _OPEN[url]


def state_database(settings: Settings) -> Database:
    """Staff accounts, sessions, audit, jobs, the corpus as edited, index versions."""
    return database(settings.database_url or sqlite_url(settings.admin_db_path))


def feedback_database(settings: Settings) -> Database:
    """Citizens' ratings: the same database with ``DATABASE_URL``, else their own SQLite file."""
    return database(settings.database_url or sqlite_url(settings.feedback_db))
