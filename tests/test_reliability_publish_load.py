"""Publish and roll back under load against the real gunicorn (the Procfile command, 2 workers,
loopback): not one failed request, and every answer names the old or the new version."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from chatbot.cli import procfile_command
from chatbot.index.builder import build_index
from chatbot.config import PROJECT_ROOT
from chatbot.index.store import read_current
from test_admin_support import PASSWORD, admin_env  # noqa: F401
from test_admin_builds import change_corpus

_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
MAX_REQUESTS = 1500          # bounded load: stops at this count or the deadline, whichever first
DEADLINE = 90                # seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(admin_env, fake_embedder):
    """gunicorn as the Procfile starts it, on loopback, with the fake embedder; two versions built."""
    from chatbot.config import Settings

    live = read_current(admin_env.index_dir)
    change_corpus(admin_env)
    settings = Settings().with_overrides({"index_dir": admin_env.index_dir, "corpus_dir": admin_env.corpus_dir,
                                          "embed_backend": "fake", "embed_model": "64"})
    new = build_index(settings, embedder=fake_embedder, publish=False).version
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2",
           "CHATBOT_INDEX_DIR": str(admin_env.index_dir), "CHATBOT_CORPUS_DIR": str(admin_env.corpus_dir),
           "CHATBOT_VAR_DIR": str(admin_env.var_dir), "CHATBOT_FEEDBACK_DB": str(admin_env.var_dir / "fb.sqlite3"),
           "CHATBOT_EMBED_BACKEND": "fake", "CHATBOT_EMBED_MODEL": "64", "CHATBOT_RELOAD_SECONDS": "0.2",
           "CHATBOT_RATE_LIMIT": "off"}
    command = procfile_command()
    executable = Path(os.sys.executable).with_name(command[0])
    log = open(admin_env.root / "gunicorn.log", "wb")
    process = subprocess.Popen([str(executable), *command[1:]], cwd=PROJECT_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/readyz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, (admin_env.root / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.3)
        else:
            raise AssertionError("gunicorn did not become ready")
        yield base, live, new
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


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

    def wait_until_serving(version: str) -> float:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                recent = [r for r in results[-8:] if r[2] == version]
            if len(recent) == 8:
                return time.monotonic()
            time.sleep(0.1)
        raise AssertionError(f"the workers did not switch to {version}")

    staff = _staff_session(base, "publisher")
    time.sleep(1.0)
    _publish(staff, base, new)
    published = time.monotonic()
    switched = wait_until_serving(new)
    time.sleep(1.0)
    _publish(staff, base, old)                                     # roll back in one click
    rolled_back = time.monotonic()
    wait_until_serving(old)
    time.sleep(0.5)
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
