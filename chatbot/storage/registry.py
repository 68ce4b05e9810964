"""The fleet's index versions: which are uploaded, which one every host serves, and the
notification that tells the hosts a new one was published.

Publishing is one transaction: the version must be uploaded completely, ``index_current`` moves,
and on PostgreSQL a ``NOTIFY`` on :data:`CHANNEL` is queued, which PostgreSQL delivers only when
that transaction commits (a publish that fails notifies nobody, and nobody is told before the new
row is visible). LISTEN/NOTIFY rather than Redis pub/sub: the notification is part of the same
transaction as the change it announces, and it needs no second service. A host that misses one
(reconnecting, database down) still finds the change by polling :func:`current`."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import make_url

from chatbot.storage.database import Database
from chatbot.storage.locks import transaction_lock
from chatbot.storage.tables import index_current, index_versions

log = logging.getLogger(__name__)
CHANNEL = "chatbot_index_published"


class NotUploaded(LookupError):
    """The version is not (completely) in the artifact store: no host could fetch it."""


@dataclass(frozen=True)
class RegisteredVersion:
    version: str
    created_at: str
    manifest: str                   # the version's manifest.json as stored
    total_bytes: int
    uploaded: bool


def current(db: Database) -> str | None:
    """The version every host should serve (None before the first publish)."""
    with db.read() as conn:
        return conn.execute(select(index_current.c.version).where(index_current.c.id == 1)).scalar()


def versions(db: Database) -> list[RegisteredVersion]:
    """Every registered version, oldest first."""
    with db.read() as conn:
        rows = conn.execute(select(index_versions.c.version, index_versions.c.created_at, index_versions.c.manifest,
                                   index_versions.c.total_bytes, index_versions.c.uploaded)
                            .order_by(index_versions.c.created_at, index_versions.c.version)).all()
    return [RegisteredVersion(r.version, r.created_at, r.manifest, r.total_bytes, bool(r.uploaded)) for r in rows]


def _locked_current(conn) -> str | None:
    """The current version, read under the lock every publish and forget takes until commit: two
    publishers queue instead of both reading the old one (the first publish, with no row to lock
    yet, included)."""
    transaction_lock(conn, "index_current")
    return conn.execute(select(index_current.c.version).where(index_current.c.id == 1)).scalar()


def publish(db: Database, version: str, by: str) -> str | None:
    """Make ``version`` the fleet's current one; returns the one it replaced."""
    published_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with db.write() as conn:
        uploaded = conn.execute(select(index_versions.c.uploaded)
                                .where(index_versions.c.version == version)).scalar()
        if not uploaded:
            raise NotUploaded(f"index version {version} is not uploaded to the artifact store")
        previous = _locked_current(conn)
        values = {"version": version, "published_at": published_at, "published_by": by}
        if previous is None:
            conn.execute(insert(index_current).values(id=1, **values))
        else:
            conn.execute(update(index_current).where(index_current.c.id == 1).values(**values))
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_notify(:channel, :version)"), {"channel": CHANNEL, "version": version})
    return previous


def forget(db: Database, version: str) -> bool:
    """Remove a version from the registry, unless it is the current one (read under the same row
    lock a publish takes); its files are deleted from the artifact store afterwards."""
    with db.write() as conn:
        if _locked_current(conn) == version:
            return False
        conn.execute(delete(index_versions).where(index_versions.c.version == version))
    return True


class PublishListener:
    """A ``LISTEN`` connection of its own (one per watcher thread) on PostgreSQL. :meth:`wait`
    returns when a publish is announced or after ``timeout`` seconds; on SQLite it only waits.
    A lost connection raises the driver's error once and is reopened by the next wait."""

    def __init__(self, db: Database):
        self.db = db
        self._conn = None

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """What a lost or refused connection raises (psycopg wraps socket errors in its own)."""
        if self.db.is_sqlite:
            return ()
        import psycopg

        return (psycopg.Error,)

    def listen(self) -> None:
        """Connect and LISTEN now (nothing if already listening), so that a publish from this moment
        on is delivered to the next :meth:`wait`."""
        if self.db.is_sqlite or (self._conn is not None and not self._conn.closed):
            return
        import psycopg

        url = make_url(self.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        conn.execute(f"LISTEN {CHANNEL}")
        self._conn = conn

    def wait(self, timeout: float) -> bool:
        """True when woken by a notification, False when the time ran out."""
        if self.db.is_sqlite:
            time.sleep(timeout)
            return False
        self.listen()
        try:
            woken = any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))
        except Exception:
            self.close()
            raise
        return woken

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:          # already broken: nothing more to release
                pass
            self._conn = None
