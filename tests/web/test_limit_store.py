"""Rate limits on a shared store (REDIS_URL): one budget per client across every app (worker or
host) using the same Redis, and what happens while that Redis cannot be reached: served without
limits (CHATBOT_LIMITS_ON_STORE_DOWN=open, the default) or refused with 503 (closed), logged once
and counted in /metrics either way. Answers keep coming in both cases' open side."""
from __future__ import annotations

import logging
import time

import pytest

from tests.support.metrics import TOKEN, increase, scrape

ASK = {"question": "면접 정장 1년에 몇 번 빌릴 수 있어요?"}
DEAD_REDIS = "redis://127.0.0.1:1/0"        # nothing listens on port 1: refused at once


@pytest.fixture
def limited_on(make_app, fake_index_dir, tmp_path):
    def _make(redis_url: str, prefix: str = "chatbot-test", **overrides):
        config = {"rate_limit": "3 per minute", "redis_url": redis_url, "redis_prefix": prefix,
                  "feedback_db": tmp_path / "f.sqlite3", "metrics_token": TOKEN, **overrides}
        return make_app(fake_index_dir, **config).test_client()
    return _make


def test_a_client_has_one_budget_across_apps_sharing_redis(limited_on, redis_url, redis_prefix):
    hosts = [limited_on(redis_url, redis_prefix), limited_on(redis_url, redis_prefix)]
    statuses = [hosts[i % 2].get("/api/programs").status_code for i in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]
    # an explicit CHATBOT_RATE_LIMIT_STORAGE_URI wins over REDIS_URL: here, memory per app
    hosts = [limited_on(redis_url, redis_prefix, rate_limit_storage_uri="memory://") for _ in range(2)]
    assert [hosts[i % 2].get("/api/programs").status_code for i in range(6)] == [200] * 6


def test_unreachable_redis_serves_without_limits_and_counts_it(limited_on, caplog):
    client = limited_on(DEAD_REDIS)
    before = scrape(client)
    with caplog.at_level(logging.WARNING, logger="chatbot.observability.outages"):
        started = time.perf_counter()
        responses = [client.post("/api/ask", json=ASK) for _ in range(6)]
        elapsed = time.perf_counter() - started
    assert [r.status_code for r in responses] == [200] * 6, "fail open: twice the budget, all answered"
    assert all(r.json["answer"] for r in responses)
    assert "X-RateLimit-Remaining" not in responses[-1].headers
    after = scrape(client)
    assert increase(before, after, "chatbot_store_errors_total", store="redis", use="rate_limit") == 6
    assert increase(before, after, "chatbot_store_errors_total", store="redis", use="answer_cache") >= 1
    outages = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outages) == 2, f"one warning per store use, not per request: {outages}"
    assert elapsed < 6 * 0.5, f"a dead Redis slowed every request: {elapsed:.2f}s for 6"


def test_unreachable_redis_refuses_api_requests_when_closed(limited_on):
    client = limited_on(DEAD_REDIS, limits_on_store_down="closed")
    for _ in range(2):                       # the failing check, then the skipped one
        response = client.post("/api/ask", json=ASK)
        assert response.status_code == 503
        assert response.json == {"error": {"code": "limits_unavailable",
                                           "message": "The service cannot check its request limits right now; "
                                                      "please try again shortly.",
                                           "request_id": response.headers["X-Request-ID"]}}
        assert int(response.headers["Retry-After"]) >= 1
    assert client.get("/healthz").status_code == 200 and client.get("/").status_code == 200   # never limited
    before = scrape(client)
    client.get("/api/programs")
    assert increase(before, scrape(client), "chatbot_store_errors_total", store="redis", use="rate_limit") == 1


def test_limits_apply_again_once_redis_answers(limited_on, redis_url, redis_prefix):
    """The breaker lets a check through after its wait; here the store "comes back" by pointing the
    limiter's breaker at a working Redis: the outage ends and the budget counts again."""
    client = limited_on(redis_url, redis_prefix, rate_limit="2 per minute")
    limiter = client.application.extensions["chatbot_limiter"]
    limiter.outage.failed(ConnectionError("test: Redis went away"))
    assert [client.get("/api/programs").status_code for _ in range(3)] == [200] * 3   # open: unlimited
    limiter.outage.retry_seconds = 0
    assert [client.get("/api/programs").status_code for _ in range(3)] == [200, 200, 429]
    assert not limiter.outage.down
