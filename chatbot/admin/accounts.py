"""Staff accounts: hashed passwords, roles, and growing delays after failed sign-ins.

Passwords are hashed with werkzeug's scrypt; there is no default account and no default
password: the first publisher is made with ``python -m chatbot create-admin``. A password change
or deactivation ends the account's sessions (chatbot/admin/sessions.py) in the same transaction."""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from chatbot.admin.audit import utc_now
from chatbot.admin.db import UNKNOWN_USER, connect, read

ROLES = ("editor", "publisher")
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
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


def row_user(row) -> User:
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
    return row_user(row) if row else None


def list_users(db_path: Path) -> list[User]:
    with read(db_path) as conn:
        return [row_user(r) for r in conn.execute("SELECT * FROM users ORDER BY username").fetchall()]


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
        conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))


def update_user(db_path: Path, user_id: int, roles: set[str], active: bool) -> None:
    """Change roles or (de)activate, refusing a change that leaves no active publisher."""
    role_text = _check_roles(roles)
    with connect(db_path) as conn:
        conn.execute("UPDATE users SET roles = ?, active = ? WHERE id = ?", (role_text, int(active), user_id))
        if not active:
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        publishers = conn.execute("SELECT COUNT(*) FROM users WHERE active = 1 AND ',' || roles || ',' LIKE "
                                  "'%,publisher,%'").fetchone()[0]
        if publishers == 0:
            raise AccountError("At least one active publisher must remain.")


# -- throttling --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins counted under one key: the first ``free`` cost nothing, then each one doubles
    the wait before the next attempt is even checked (1, 2, 4 … seconds), up to ``cap``."""

    scope: str
    free: int
    cap: int

    def wait_after(self, failures: int) -> float:
        return 0.0 if failures < self.free else float(min(self.cap, 2 ** (failures - self.free)))


# A name tried from one client, one client trying any names, and one name tried from anywhere.
# The first two grow to 15 minutes: only the client that keeps failing waits. The last stays at
# 30 seconds: anyone can type a clerk's name from any address, so a growing per-name delay would
# let a stranger lock that clerk out; capped, it still holds guessing one password from many
# addresses to about two checks a minute, and never stops the clerk for longer than that.
THROTTLES = (Throttle("name+client", 3, 15 * 60), Throttle("client", 10, 15 * 60), Throttle("name", 5, 30))
FAILURE_WINDOW = 60 * 60        # seconds a failure counts
_UNKNOWN_PREFIX = "?"


def login_name(db_path: Path, typed: str, secret: bytes) -> str:
    """What a sign-in attempt is throttled and audited under: the account's name if one has it,
    else ``?`` and a keyed digest of what was typed (a clerk may type the password in the name box,
    so the text itself is never stored; the digest still groups attempts on one mistyped name)."""
    name = typed.strip().lower()
    if name and get_user(db_path, username=name) is not None:
        return name
    digest = hmac.new(secret, b"login-name\0" + name.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
    return _UNKNOWN_PREFIX + digest


def audit_target(name: str) -> tuple[str, dict]:
    """The audit log's target and detail for a :func:`login_name`."""
    if name.startswith(_UNKNOWN_PREFIX):
        return UNKNOWN_USER, {"typed_name_digest": name[len(_UNKNOWN_PREFIX):]}
    return name, {}


def _keys(name: str, ip: str) -> list[str]:
    return [f"name+client:{name}|{ip}", f"client:{ip}", f"name:{name}"]


def throttle_wait(db_path: Path, name: str, ip: str, now: float | None = None) -> int:
    """Seconds until a sign-in as :func:`login_name` ``name`` from ``ip`` may be checked (0 = now)."""
    now = time.time() if now is None else now
    wait = 0.0
    with connect(db_path) as conn:
        conn.execute("DELETE FROM login_failures WHERE at < ?", (now - FAILURE_WINDOW,))
        for throttle, key in zip(THROTTLES, _keys(name, ip)):
            failures, last = conn.execute("SELECT COUNT(*), MAX(at) FROM login_failures WHERE key = ?",
                                          (key,)).fetchone()
            if failures:
                wait = max(wait, last + throttle.wait_after(failures) - now)
    return math.ceil(wait)


def record_failure(db_path: Path, name: str, ip: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    with connect(db_path) as conn:
        conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(key, now) for key in _keys(name, ip)])


def clear_failures(db_path: Path, name: str, ip: str) -> None:
    """After a successful sign-in: the name's counts start again, the client's do not (signing in
    to one's own account must not reset the count of names that client failed on)."""
    name_client, _client, name_only = _keys(name, ip)
    with connect(db_path) as conn:
        conn.execute("DELETE FROM login_failures WHERE key IN (?, ?)", (name_client, name_only))
