"""Publish and roll back under load against the real gunicorn (the Procfile command, 2 workers,
loopback): not one failed request, and every answer names the old or the new version."""
from __future__ import annotations

import re
import threading
import time

import pytest
import requests

from chatbot.index.builder import build_index
from chatbot.index.store import read_current
from tests.support.admin import PASSWORD, change_corpus
from tests.support.live import running_server
from tests.support.wait import wait_until

_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
MAX_REQUESTS = 1500          # bounded load: stops at this count or the deadline, whichever first
DEADLINE = 90                # seconds


@pytest.fixture
def server(admin_env, fake_embedder):
    """gunicorn as the Procfile starts it, on loopback, with the fake embedder; two versions built."""
    from chatbot.config import Settings

    live = read_current(admin_env.index_dir)
    change_corpus(admin_env)
    settings = Settings().with_overrides({"index_dir": admin_env.index_dir, "corpus_dir": admin_env.corpus_dir,
                                          "var_dir": admin_env.var_dir, "embed_backend": "fake", "embed_model": "64"})
    new = build_index(settings, embedder=fake_embedder, publish=False).version
    env = settings.with_overrides({"var_dir": admin_env.var_dir, "feedback_db": admin_env.var_dir / "fb.sqlite3",
                                   "reload_seconds": 0.2, "rate_limit": "off",
                                   "cookie_secure": "never"}).to_env()
    with running_server(env, admin_env.root / "gunicorn.log", timeout=60) as (base, _process):
        yield base, live, new


def _staff_session(base: str, username: str) -> requests.Session:
    session = requests.Session()
    token = _CSRF.search(session.get(base + "/admin/login", timeout=10).text).group(1)
    response = session.post(base + "/admin/login", data={"csrf_token": token, "username": username,
                                                         "password": PASSWORD}, timeout=10, allow_redirects=False)
    assert response.status_code == 302
    return session


def _publish(session: requests.Session, base: str, version: str) -> None:
    token = _CSRF.search(session.get(base + "/admin/builds", timeout=10).text).group(1)
    response = session.post(f"{base}/admin/versions/{version}/publish", data={"csrf_token": token, "confirm": "yes"}, timeout=30,
                            allow_redirects=False)
    assert response.status_code == 302


@pytest.mark.integration
def test_publish_and_rollback_under_load_fail_no_request(server, admin_env):
    base, old, new = server
    results: list[tuple[float, int, str | None]] = []
    stop = threading.Event()
    lock = threading.Lock()
    questions = ["청년취업사관학교 대상은?", "면접정장 대여 몇 번?", "How do I apply for the youth academy?",
                 "서울형 R&D 지원 내용"]

    def load(worker: int) -> None:
        session = requests.Session()
        i = 0
        while not stop.is_set():
            with lock:
                if len(results) >= MAX_REQUESTS:
                    return
            try:
                response = session.post(base + "/api/ask", json={"question": questions[(worker + i) % 4]}, timeout=30)
                version = response.json().get("index_version") if response.status_code == 200 else None
                entry = (time.monotonic(), response.status_code, version)
            except requests.RequestException as exc:
                entry = (time.monotonic(), 0, repr(exc))
            with lock:
                results.append(entry)
            i += 1

    threads = [threading.Thread(target=load, args=(n,), daemon=True) for n in range(4)]
    started = time.monotonic()
    for t in threads:
        t.start()

    def serving(version: str) -> float | None:
        """When the last 8 answers (from both workers, 4 clients) all named ``version``."""
        with lock:
            recent = [r for r in results[-8:] if r[2] == version]
        return time.monotonic() if len(recent) == 8 else None

    def answered(count: int, since: float, version: str) -> bool:
        with lock:
            return sum(1 for r in results if r[0] > since and r[2] == version) >= count

    staff = _staff_session(base, "publisher")
    wait_until(lambda: answered(24, started, old), 30, "the load did not get going on the live version")
    _publish(staff, base, new)
    published = time.monotonic()
    switched = wait_until(lambda: serving(new), 20, f"the workers did not switch to {new}")
    # the load runs on the new version for a while (its answers after ``switched + 0.5`` are checked below)
    wait_until(lambda: answered(24, switched + 0.5, new), 30, f"too few answers from {new} after the switch")
    _publish(staff, base, old)                                     # roll back in one click
    rolled_back = time.monotonic()
    rolled = wait_until(lambda: serving(old), 20, f"the workers did not switch back to {old}")
    wait_until(lambda: answered(16, rolled, old), 30, f"too few answers from {old} after the rollback")
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert time.monotonic() - started < DEADLINE

    failures = [r for r in results if r[1] != 200]
    assert not failures, failures[:5]
    assert {r[2] for r in results} == {old, new}
    assert len(results) >= 50
    # once both workers had switched, none went back to the old version until the rollback
    assert all(r[2] == new for r in results if switched + 0.5 < r[0] < rolled_back)
    assert switched - published < 5
    assert read_current(admin_env.index_dir) == old
