"""The staff area's SQLite database: accounts, sessions, login attempts, the audit log and build jobs.

One file shared by every gunicorn worker and the build process; WAL mode lets them read while
one writes, and each connection is short-lived so a forked or killed process holds nothing."""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Iterator

from chatbot.config import private_file
from chatbot.storage.locks import schema_lock

SCHEMA_VERSION = 2
UNKNOWN_USER = "(unknown user)"    # what the audit log says for a sign-in name no account has (never the typed text)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_action ON audit (action, id);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    pid INTEGER,
    stage TEXT NOT NULL DEFAULT '',
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    version TEXT,
    result TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS evaluations (
    version TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    figures TEXT NOT NULL
);
"""


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits on success and rolls back on error."""
    path = Path(path)
    if not path.exists():
        private_file(path)
    conn = sqlite3.connect(path, timeout=15, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA busy_timeout = 15000")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()


@contextlib.contextmanager
def read(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection (``mode=ro``) for the pages that only look: no BEGIN IMMEDIATE, so
    under WAL it never waits for a writer (a build updating its job, a login) and never blocks one.
    Each statement reads one consistent snapshot."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=15, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA busy_timeout = 15000")
        yield conn
    finally:
        conn.close()


def _upgrade_to_2(conn: sqlite3.Connection) -> None:
    """Version 1 kept what was typed as a user name on failed sign-ins (it may be a password) in the
    audit log and in throttle keys: the audit rows now say :data:`UNKNOWN_USER` unless the name is
    an account's, and the old throttle rows (keyed by the raw name) are dropped. Sessions of
    version 1 (cookies without a server-side token) are no longer accepted, so everyone signs in
    once more. Freed space is overwritten (secure_delete) and the WAL emptied after the commit, so
    the old text does not linger in the file."""
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("UPDATE audit SET actor = ?, target = ? WHERE action IN ('login.failed', 'login.throttled') "
                 "AND target NOT IN (SELECT username FROM users)", (UNKNOWN_USER, UNKNOWN_USER))
    conn.execute("DELETE FROM login_failures")


def init_db(path: Path) -> None:
    """Create the tables (idempotent), bring an older file up to :data:`SCHEMA_VERSION` and switch
    it to WAL."""
    with schema_lock(path):
        _init_db(path)


def _init_db(path: Path) -> None:
    conn = sqlite3.connect(private_file(path), timeout=15)      # 0600 before SQLite writes a byte
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(_SCHEMA)
        upgrading = conn.execute("PRAGMA user_version").fetchone()[0] < 2
        if upgrading:
            _upgrade_to_2(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.commit()
        if upgrading:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
