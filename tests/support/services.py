"""The outside services some tests need (Redis and PostgreSQL), found through
``TEST_REDIS_URL`` / ``TEST_DATABASE_URL`` with the local defaults below. On a machine without
them those tests skip, saying which address was tried and which variable to set; with
``CHATBOT_TEST_SERVICES=required`` (``.ci/run`` sets it) they fail instead, so CI cannot pass by
skipping them. Each test gets its own Redis key prefix and removes its keys afterwards: the
machine's Redis may hold other things, so nothing here ever flushes it. Likewise each PostgreSQL
test gets a database of its own (:func:`fresh_database`), created and dropped around it."""
from __future__ import annotations

import os
import socket
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.live import free_port
from tests.support.wait import wait_until

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


def unavailable(reason: str) -> None:
    """Skip, or fail when the services are required."""
    if os.environ.get("CHATBOT_TEST_SERVICES") == "required":
        pytest.fail(f"{reason} (CHATBOT_TEST_SERVICES=required)", pytrace=False)
    pytest.skip(reason)


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS_URL
    try:
        import redis
    except ImportError:
        unavailable("the redis package is not installed: pip install -c constraints.txt -e '.[test]'")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        unavailable(f"Redis not reachable at {url} ({error}): set TEST_REDIS_URL")
    return url


def database_url() -> str:
    """The server's address (TEST_DATABASE_URL) once a query answers there."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        import psycopg
    except ImportError:
        unavailable("the psycopg package is not installed: pip install -c constraints.txt -e '.[test]'")
    try:
        with psycopg.connect(_libpq(url), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        unavailable(f"PostgreSQL not reachable at {url} ({' '.join(str(error).split())}): set TEST_DATABASE_URL")
    return url


def _libpq(url: str) -> str:
    """psycopg takes plain ``postgresql://``; SQLAlchemy's ``+psycopg`` form is accepted too."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def fresh_database(server_url: str):
    """A new, empty database on the test server for one test (or module), dropped afterwards even
    if connections are still open; yields its URL. Nothing of the server's own databases is touched."""
    import psycopg
    name = f"chatbot_test_{uuid.uuid4().hex[:12]}"
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sessions_waiting_for_a_lock(db) -> int:
    """How many sessions of ``db``'s PostgreSQL database wait for a lock now (a test's proof that
    a second host really waited for the first, rather than happening to come after it)."""
    from sqlalchemy import text
    with db.read() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND wait_event_type = 'Lock'")).scalar()


def delete_keys(url: str, prefix: str) -> None:
    """Remove every key holding ``prefix`` (the limiter puts its own prefix before ours)."""
    import redis
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*{prefix}*", count=500):
        client.delete(key)


def unique_prefix() -> str:
    return f"chatbot-test-{uuid.uuid4().hex[:12]}"


@contextmanager
def own_redis_server(log_path: Path, port: int | None = None):
    """A ``redis-server`` of the test's own on a free loopback port (nothing saved to disk), for
    tests that kill it; yields (url, process). Skips (or fails) when the binary is missing."""
    port = port or free_port()
    try:
        with open(log_path, "a") as log:
            process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
    except FileNotFoundError:
        unavailable("redis-server is not installed: the Redis outage tests start their own")
    url = f"redis://127.0.0.1:{port}/0"

    def answering() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited: {log_path.read_text()[-2000:]}")
        import redis
        try:
            return bool(redis.Redis.from_url(url, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    try:
        wait_until(answering, 10, "redis-server did not start", interval=0.05)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
