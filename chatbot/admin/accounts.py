"""Staff accounts: hashed passwords, roles, and throttling of failed sign-ins.

Passwords are hashed with werkzeug's scrypt; there is no default account and no default
password: the first publisher is made with ``python -m chatbot create-admin``."""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from chatbot.admin.audit import utc_now
from chatbot.admin.db import connect, read

ROLES = ("editor", "publisher")
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MAX_FAILURES_PER_USER = 5       # failed sign-ins per account name within the window
MAX_FAILURES_PER_IP = 20        # failed sign-ins per address within the window
FAILURE_WINDOW = 15 * 60        # seconds
# checked when the account does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + "x" * 16)


class AccountError(ValueError):
    """A username, password or role that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    password_hash: str
    roles: frozenset[str]
    active: bool
    created_at: str
    password_changed_at: str

    def has(self, role: str) -> bool:
        return self.active and role in self.roles

    @property
    def session_stamp(self) -> str:
        """Changes with the password, so a password reset signs out every other session."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]


def _row_user(row) -> User:
    return User(row["id"], row["username"], row["password_hash"],
                frozenset(r for r in row["roles"].split(",") if r), bool(row["active"]),
                row["created_at"], row["password_changed_at"])


def check_password_rules(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if username and username.lower() in password.lower():
        raise AccountError("The password must not contain the username.")


def _check_roles(roles: set[str] | frozenset[str]) -> str:
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise AccountError(f"Roles must be one or more of {', '.join(ROLES)}.")
    return ",".join(r for r in ROLES if r in roles)


def create_user(db_path: Path, username: str, password: str, roles: set[str]) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("Usernames are 2-40 characters: lower-case letters, digits, '.', '_' or '-'.")
    check_password_rules(password, username)
    role_text = _check_roles(roles)
    now = utc_now()
    with connect(db_path) as conn:
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise AccountError(f"An account named {username!r} already exists.")
        conn.execute("INSERT INTO users (username, password_hash, roles, active, created_at, password_changed_at)"
                     " VALUES (?, ?, ?, 1, ?, ?)", (username, generate_password_hash(password), role_text, now, now))
    user = get_user(db_path, username=username)
    assert user is not None
    return user


def get_user(db_path: Path, user_id: int | None = None, username: str | None = None) -> User | None:
    with read(db_path) as conn:
        if user_id is not None:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        else:
            row = conn.execute("SELECT * FROM users WHERE username = ?", ((username or "").strip().lower(),)).fetchone()
    return _row_user(row) if row else None


def list_users(db_path: Path) -> list[User]:
    with read(db_path) as conn:
        return [_row_user(r) for r in conn.execute("SELECT * FROM users ORDER BY username").fetchall()]


def count_users(db_path: Path) -> int:
    with read(db_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]


def authenticate(db_path: Path, username: str, password: str) -> User | None:
    """The active user with this password, or None; always spends one hash check."""
    user = get_user(db_path, username=username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def set_password(db_path: Path, user_id: int, password: str) -> None:
    user = get_user(db_path, user_id=user_id)
    if user is None:
        raise AccountError("No such account.")
    check_password_rules(password, user.username)
    with connect(db_path) as conn:
        conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                     (generate_password_hash(password), utc_now(), user_id))


def update_user(db_path: Path, user_id: int, roles: set[str], active: bool) -> None:
    """Change roles or (de)activate, refusing a change that leaves no active publisher."""
    role_text = _check_roles(roles)
    with connect(db_path) as conn:
        conn.execute("UPDATE users SET roles = ?, active = ? WHERE id = ?", (role_text, int(active), user_id))
        publishers = conn.execute("SELECT COUNT(*) FROM users WHERE active = 1 AND ',' || roles || ',' LIKE "
                                  "'%,publisher,%'").fetchone()[0]
        if publishers == 0:
            raise AccountError("At least one active publisher must remain.")


# -- throttling --------------------------------------------------------------------------------
def _keys(username: str, ip: str) -> list[tuple[str, int]]:
    return [(f"user:{username.strip().lower()}", MAX_FAILURES_PER_USER), (f"ip:{ip}", MAX_FAILURES_PER_IP)]


def throttle_wait(db_path: Path, username: str, ip: str, now: float | None = None) -> int:
    """Seconds until another sign-in may be tried for this name or address (0 = now)."""
    now = time.time() if now is None else now
    wait = 0.0
    with connect(db_path) as conn:
        conn.execute("DELETE FROM login_failures WHERE at < ?", (now - FAILURE_WINDOW,))
        for key, limit in _keys(username, ip):
            rows = conn.execute("SELECT at FROM login_failures WHERE key = ? ORDER BY at DESC LIMIT ?",
                                (key, limit)).fetchall()
            if len(rows) >= limit:
                wait = max(wait, rows[-1]["at"] + FAILURE_WINDOW - now)
    return int(wait) + (1 if wait > int(wait) else 0)


def record_failure(db_path: Path, username: str, ip: str) -> None:
    now = time.time()
    with connect(db_path) as conn:
        conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                         [(key, now) for key, _ in _keys(username, ip)])


def clear_failures(db_path: Path, username: str) -> None:
    with connect(db_path) as conn:
        conn.execute("DELETE FROM login_failures WHERE key = ?", (f"user:{username.strip().lower()}",))
