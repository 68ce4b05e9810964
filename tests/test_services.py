"""The outside services tests find (tests/support/services.py): reachable ones are used, missing
ones skip with the address tried and the variable to set, and fail instead under
CHATBOT_TEST_SERVICES=required (as in .ci/run), so CI cannot pass by skipping them."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.support import services

NOBODY = "redis://127.0.0.1:1/0"        # nothing listens on port 1


def test_a_missing_service_skips_saying_what_to_set(monkeypatch):
    monkeypatch.setenv("TEST_REDIS_URL", NOBODY)
    monkeypatch.delenv("CHATBOT_TEST_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Redis not reachable at redis://127.0.0.1:1/0 .*set TEST_REDIS_URL"):
        services.redis_url()


def test_a_missing_service_fails_when_required(monkeypatch):
    monkeypatch.setenv("TEST_REDIS_URL", NOBODY)
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
    monkeypatch.setenv("CHATBOT_TEST_SERVICES", "required")
    with pytest.raises(pytest.fail.Exception, match="Redis not reachable"):
        services.redis_url()
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL not reachable.*TEST_DATABASE_URL"):
        services.database_url()


def test_the_database_answers(database_url):
    """Only that PostgreSQL accepts connections: psycopg is not a dependency yet."""
    parts = urlsplit(database_url)
    socket.create_connection((parts.hostname, parts.port or 5432), timeout=2).close()


def test_the_redis_prefix_is_the_tests_own_and_cleaned_up(redis_url):
    import redis
    store = redis.Redis.from_url(redis_url)
    prefix = services.unique_prefix()
    store.set(f"LIMITS:{prefix}:x", 1)
    neighbour = f"chatbot-neighbour-{services.unique_prefix()}"
    store.set(neighbour, 1)
    try:
        services.delete_keys(redis_url, prefix)
        assert store.get(f"LIMITS:{prefix}:x") is None
        assert store.get(neighbour) == b"1", "another owner's key was deleted"
    finally:
        store.delete(neighbour)
