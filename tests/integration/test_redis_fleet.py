"""Hosts on one Redis (REDIS_URL) that dies, for real: gunicorn servers on loopback ports, one
worker each, the fake embedder. When Redis dies, answers keep coming (open) or /api/* says 503
(closed), and once Redis is back the limits apply again. A limit held across hosts is shown on the
whole fleet (tests/integration/test_fleet.py)."""
from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
import requests

from chatbot.config import Settings
from tests.support.live import free_port, running_server
from tests.support.metrics import AUTH, TOKEN, total
from tests.support.services import own_redis_server
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
ASK = {"question": "면접 정장 1년에 몇 번 빌릴 수 있어요?"}


def host_env(index_dir: Path, state: Path, **overrides) -> dict:
    settings = Settings().with_overrides({
        "index_dir": index_dir, "embed_backend": "fake", "embed_model": "64", "min_confidence": 1e-6,
        "var_dir": state, "feedback_db": state / "feedback.sqlite3", "rate_limit": "5 per minute",
        "web_threads": 2, "metrics_token": TOKEN, "redis_url": "", **overrides})
    return {**settings.to_env(), "WEB_CONCURRENCY": "1"}


@contextlib.contextmanager
def hosts(index_dir: Path, root: Path, *overrides: dict):
    """One server per ``overrides``; yields their URLs."""
    with contextlib.ExitStack() as stack:
        urls = []
        for n, extra in enumerate(overrides):
            state = root / f"host{n}"
            state.mkdir()
            url, _ = stack.enter_context(running_server(host_env(index_dir, state, **extra), state / "gunicorn.log",
                                                        timeout=60))
            urls.append(url)
        yield urls


def store_errors(url: str) -> float:
    text = requests.get(url + "/metrics", headers=AUTH, timeout=10).text
    return total(text, "chatbot_store_errors_total", store="redis", use="rate_limit")


def test_answers_outlive_redis_and_limits_return_with_it(fake_index_dir, tmp_path):
    port = free_port()
    with contextlib.ExitStack() as stack:
        redis_url, redis_process = stack.enter_context(own_redis_server(tmp_path / "redis.log", port))
        open_url, closed_url = stack.enter_context(hosts(
            fake_index_dir, tmp_path, {"redis_url": redis_url},
            {"redis_url": redis_url, "limits_on_store_down": "closed"}))
        for url in (open_url, closed_url):
            assert requests.post(url + "/api/ask", json=ASK, timeout=10).status_code == 200

        redis_process.kill()                      # kill -9: no goodbye to the clients
        redis_process.wait()
        took = []
        for _ in range(8):                        # more than the budget of 5
            started = time.perf_counter()
            response = requests.post(open_url + "/api/ask", json=ASK, timeout=10)
            took.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.json()["answer"]
        assert max(took) < 1.0, f"/api/ask with Redis dead took {max(took):.3f}s at worst"
        assert store_errors(open_url) >= 8
        refused = requests.post(closed_url + "/api/ask", json=ASK, timeout=10)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "limits_unavailable"
        assert int(refused.headers["Retry-After"]) >= 1
        assert requests.get(closed_url + "/healthz", timeout=10).status_code == 200

        stack.enter_context(own_redis_server(tmp_path / "redis.log", port))     # back, empty, same address
        # within the breaker's wait (5 s) the hosts try Redis again: then the budget counts again
        wait_until(lambda: requests.get(open_url + "/api/programs", timeout=10).status_code == 429, 20,
                   "the open host never limited again after Redis came back", interval=0.2)
        # the closed host serves again, on the same shared budget the open host has just spent
        status = wait_until(lambda: (code := requests.get(closed_url + "/api/programs", timeout=10).status_code) != 503
                            and code, 20, "the closed host kept refusing after Redis came back", interval=0.2)
        assert status == 429
