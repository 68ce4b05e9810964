"""The outside services tests find (tests/support/services.py): reachable ones are used, missing
ones skip with the address tried and the variable to set, and fail instead under
CHATBOT_TEST_SERVICES=required (as in .ci/run), so CI cannot pass by skipping them."""
from __future__ import annotations


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


def test_each_test_gets_a_database_of_its_own_that_is_dropped(database_url):
    import psycopg
    with services.fresh_database(database_url) as url:
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE t (x int)")
            name = conn.execute("SELECT current_database()").fetchone()[0]
        assert name.startswith("chatbot_test_")
    with psycopg.connect(services._libpq(database_url)) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 0


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
