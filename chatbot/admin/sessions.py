"""Staff sessions held on the server.

The staff cookie (Flask's signed session) carries only a random token; the staff database keeps
its SHA-256 with the account and the time of sign-in. A signed cookie alone proves nothing: signing
out deletes the row, so a copied cookie is worthless afterwards; a password change or deactivation
deletes every row of the account (chatbot/admin/accounts.py); and a session ends
CHATBOT_SESSION_MAX_HOURS after sign-in however active it is, whatever the cookie says. Every host
of a fleet reads the same rows (DATABASE_URL), so signing out on one ends the session on all."""
from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import delete, insert, select

from chatbot.admin.accounts import User, lock_if_unchanged, row_user
from chatbot.storage.database import Database
from chatbot.storage.tables import sessions, users


def _digest(token: str) -> str:
    """What the database holds: reading it does not give anyone a session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(db: Database, user: User, max_age: float) -> str | None:
    """A new session for ``user`` (as authenticated): its token, for the cookie; None if the
    account was deactivated or its password changed since (the password check is not a licence
    to outlive the change). Sessions past ``max_age`` seconds (anyone's) are deleted on the way,
    so the table holds only live ones."""
    token, now = secrets.token_urlsafe(32), time.time()
    with db.write() as conn:
        if not lock_if_unchanged(conn, user):
            return None
        conn.execute(delete(sessions).where(sessions.c.created_at < now - max_age))
        conn.execute(insert(sessions).values(token_hash=_digest(token), user_id=user.id, created_at=now))
    return token


def user_for(db: Database, token: str, max_age: float) -> User | None:
    """The active account whose session ``token`` is, if the session was not ended and is younger
    than ``max_age`` seconds."""
    query = (select(users).join(sessions, users.c.id == sessions.c.user_id)
             .where(sessions.c.token_hash == _digest(token), sessions.c.created_at >= time.time() - max_age,
                    users.c.active == 1))
    with db.read() as conn:
        row = conn.execute(query).first()
    return row_user(row) if row else None


def end(db: Database, token: str) -> None:
    with db.write() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))
