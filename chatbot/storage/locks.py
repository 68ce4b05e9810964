"""An exclusive ``flock`` on a file: the index directory's publish/prune lock (index/store.py), the
staff area's locks (admin/files.py) and the first-use schema lock of each SQLite file are all this
one function; :func:`transaction_lock` serialises one kind of read-then-write inside a database
transaction on every host."""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, text


@contextlib.contextmanager
def file_lock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """An exclusive ``flock`` on ``path`` (created if missing). Yields False when ``blocking`` is
    off and another process holds it. The kernel drops the lock when its holder dies, even by
    ``kill -9``, so a crashed build never leaves the site locked. Not re-entrant: a second
    ``file_lock`` on the same path in the same process waits for the first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def schema_lock(database: Path):
    """Held while a SQLite file gets its tables. Two workers starting together on a new file
    would otherwise both switch it to WAL while the other writes, and SQLite refuses one at once
    ("database is locked") instead of waiting, since waiting could deadlock."""
    database = Path(database)
    return file_lock(database.with_name(database.name + ".schema-lock"))


TRANSACTION_LOCKS = 7_150_002       # the advisory lock space (first key) of transaction_lock's names


def transaction_lock(conn: Connection, name: str) -> None:
    """Inside a write transaction: wait until no other transaction holds the lock ``name``, and
    hold it until this one ends. On PostgreSQL an advisory lock (``pg_advisory_xact_lock``), for
    a read-then-write whose rows may not exist yet (row locks cannot cover an insert); on SQLite
    nothing, since its write transactions (``BEGIN IMMEDIATE``) already run one at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:name))"),
                     {"space": TRANSACTION_LOCKS, "name": name})
