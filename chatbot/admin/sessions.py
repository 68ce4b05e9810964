"""Staff sessions held on the server.

The staff cookie (Flask's signed session) carries only a random token; the staff database keeps
its SHA-256 with the account and the time of sign-in. A signed cookie alone proves nothing: signing
out deletes the row, so a copied cookie is worthless afterwards; a password change or deactivation
deletes every row of the account (chatbot/admin/accounts.py); and a session ends
CHATBOT_SESSION_MAX_HOURS after sign-in however active it is, whatever the cookie says."""
from __future__ import annotations

import hashlib
import secrets
import time
from pathlib import Path

from chatbot.admin.accounts import User, row_user
from chatbot.admin.db import connect, read


def _digest(token: str) -> str:
    """What the database holds: reading it does not give anyone a session."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(db_path: Path, user_id: int, max_age: float) -> str:
    """A new session for ``user_id``: its token, for the cookie. Sessions past ``max_age`` seconds
    (anyone's) are deleted on the way, so the table holds only live ones."""
    token, now = secrets.token_urlsafe(32), time.time()
    with connect(db_path) as conn:
        conn.execute("DELETE FROM sessions WHERE created_at < ?", (now - max_age,))
        conn.execute("INSERT INTO sessions (token_hash, user_id, created_at) VALUES (?, ?, ?)",
                     (_digest(token), user_id, now))
    return token


def user_for(db_path: Path, token: str, max_age: float) -> User | None:
    """The active account whose session ``token`` is, if the session was not ended and is younger
    than ``max_age`` seconds."""
    with read(db_path) as conn:
        row = conn.execute("SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id "
                           "WHERE sessions.token_hash = ? AND sessions.created_at >= ? AND users.active = 1",
                           (_digest(token), time.time() - max_age)).fetchone()
    return row_user(row) if row else None


def end(db_path: Path, token: str) -> None:
    with connect(db_path) as conn:
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))
