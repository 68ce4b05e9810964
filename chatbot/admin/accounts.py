"""Staff accounts: hashed passwords, roles, and growing delays after failed sign-ins.

Passwords are hashed with werkzeug's scrypt; there is no default account and no default
password: the first publisher is made with ``python -m chatbot create-admin``. A password change
or deactivation ends the account's sessions (chatbot/admin/sessions.py) in the same transaction.
Names are compared case-insensitively (``lower(username)``, which a unique index also covers).

Everything is SQLAlchemy Core on chatbot/storage/tables.py, so it holds on SQLite (where a write
transaction is ``BEGIN IMMEDIATE``, one writer at a time) and on PostgreSQL, where the sequences
that read before they write lock the rows they depend on (``FOR UPDATE``; ignored on SQLite)."""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import time
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, exc, func, insert, literal, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from chatbot.admin.audit import utc_now
from chatbot.storage.database import Database
from chatbot.storage.tables import login_failures, sessions, users

ROLES = ("editor", "publisher")
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
UNKNOWN_USER = "(unknown user)"    # what the audit log says for a sign-in name no account has (never the typed text)
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
    row = row._mapping
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


def _named(username: str):
    return func.lower(users.c.username) == username.strip().lower()


def create_user(db: Database, username: str, password: str, roles: set[str]) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("Usernames are 2-40 characters: lower-case letters, digits, '.', '_' or '-'.")
    check_password_rules(password, username)
    role_text = _check_roles(roles)
    password_hash, now = generate_password_hash(password), utc_now()     # hashed before the transaction
    taken = AccountError(f"An account named {username!r} already exists.")
    try:
        with db.write() as conn:
            if conn.execute(select(users.c.id).where(_named(username))).first():
                raise taken
            conn.execute(insert(users).values(username=username, password_hash=password_hash, roles=role_text,
                                              active=1, created_at=now, password_changed_at=now))
            return row_user(conn.execute(select(users).where(_named(username))).one())
    except exc.IntegrityError:          # created at the same moment by another host (the unique index)
        raise taken from None


def get_user(db: Database, user_id: int | None = None, username: str | None = None) -> User | None:
    with db.read() as conn:
        where = users.c.id == user_id if user_id is not None else _named(username or "")
        row = conn.execute(select(users).where(where)).first()
    return row_user(row) if row else None


def list_users(db: Database) -> list[User]:
    with db.read() as conn:
        return [row_user(r) for r in conn.execute(select(users).order_by(func.lower(users.c.username)))]


def count_users(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(users)).scalar_one()


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The active user with this password, or None; always spends one hash check."""
    user = get_user(db, username=username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def set_password(db: Database, user_id: int, password: str) -> User:
    """The new password, every session of the account ended, in one transaction; the account as
    it is now (a session started for it afterwards must name the new password: sessions.start)."""
    user = get_user(db, user_id=user_id)
    if user is None:
        raise AccountError("No such account.")
    check_password_rules(password, user.username)
    password_hash = generate_password_hash(password)
    with db.write() as conn:
        conn.execute(update(users).where(users.c.id == user_id)
                     .values(password_hash=password_hash, password_changed_at=utc_now()))
        conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
        return row_user(conn.execute(select(users).where(users.c.id == user_id)).one())


_PUBLISHER = (literal(",") + users.c.roles + literal(",")).like("%,publisher,%")


def update_user(db: Database, user_id: int, roles: set[str], active: bool) -> None:
    """Change roles or (de)activate, refusing a change that leaves no active publisher. The active
    publishers' rows are locked first, so two publishers demoting each other at once on
    PostgreSQL cannot both see the other one still there."""
    role_text = _check_roles(roles)
    with db.write() as conn:
        conn.execute(select(users.c.id).where(users.c.active == 1, _PUBLISHER).with_for_update()).all()
        conn.execute(update(users).where(users.c.id == user_id).values(roles=role_text, active=int(active)))
        if not active:
            conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
        publishers = conn.execute(select(func.count()).select_from(users)
                                  .where(users.c.active == 1, _PUBLISHER)).scalar_one()
        if publishers == 0:
            raise AccountError("At least one active publisher must remain.")     # rolls the change back


def lock_if_unchanged(conn: Connection, user: User) -> bool:
    """Inside a write transaction: whether ``user`` is still active with the password it was
    authenticated with, holding its row (``FOR SHARE``) so that a password change or
    deactivation committing meanwhile waits for this transaction, whose sessions it then ends."""
    row = conn.execute(select(users.c.id).where(and_(users.c.id == user.id, users.c.active == 1,
                                                     users.c.password_hash == user.password_hash))
                       .with_for_update(read=True)).first()
    return row is not None


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


def login_name(db: Database, typed: str, secret: bytes) -> str:
    """What a sign-in attempt is throttled and audited under: the account's name if one has it,
    else ``?`` and a keyed digest of what was typed (a clerk may type the password in the name box,
    so the text itself is never stored; the digest still groups attempts on one mistyped name)."""
    name = typed.strip().lower()
    if name and get_user(db, username=name) is not None:
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


def throttle_wait(db: Database, name: str, ip: str, now: float | None = None) -> int:
    """Seconds until a sign-in as :func:`login_name` ``name`` from ``ip`` may be checked (0 = now).
    Only reads: failures older than FAILURE_WINDOW are not counted (record_failure deletes them)."""
    now = time.time() if now is None else now
    wait = 0.0
    counted = (select(login_failures.c.key, func.count(), func.max(login_failures.c.at))
               .where(login_failures.c.key.in_(_keys(name, ip)), login_failures.c.at >= now - FAILURE_WINDOW)
               .group_by(login_failures.c.key))
    with db.read() as conn:
        found = {key: (failures, last) for key, failures, last in conn.execute(counted)}
    for throttle, key in zip(THROTTLES, _keys(name, ip)):
        if key in found:
            failures, last = found[key]
            wait = max(wait, last + throttle.wait_after(failures) - now)
    return math.ceil(wait)


def record_failure(db: Database, name: str, ip: str, now: float | None = None) -> None:
    """One more failure under each key (inserts only: failures counted at once on several hosts
    all count), and the failures past FAILURE_WINDOW deleted."""
    now = time.time() if now is None else now
    with db.write() as conn:
        conn.execute(delete(login_failures).where(login_failures.c.at < now - FAILURE_WINDOW))
        conn.execute(insert(login_failures), [{"key": key, "at": now} for key in _keys(name, ip)])


def clear_failures(db: Database, name: str, ip: str) -> None:
    """After a successful sign-in: the name's counts start again, the client's do not (signing in
    to one's own account must not reset the count of names that client failed on)."""
    name_client, _client, name_only = _keys(name, ip)
    with db.write() as conn:
        conn.execute(delete(login_failures).where(login_failures.c.key.in_([name_client, name_only])))
