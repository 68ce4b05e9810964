"""The Procfile's server for real: gunicorn, two workers, the shipped model, loopback only."""
from __future__ import annotations

import pytest
import requests

from tests.support.live import running_server, worker_pids

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(real_index_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {"CHATBOT_INDEX_DIR": str(real_index_dir), "CHATBOT_RATE_LIMIT": "off"}
    with running_server(env, log) as (url, process):
        yield url, process, log


def test_two_workers_answer_korean_and_english(server):
    url, process, log = server
    assert len(worker_pids(process.pid)) == 2
    korean = requests.post(url + "/api/ask", json={"question": "30대 후반인데 청년취업사관학교 들을 수 있어?"}, timeout=30)
    english = requests.post(url + "/api/ask", json={"question": "How many times a year can I borrow an interview suit?"},
                            timeout=30)
    assert korean.status_code == english.status_code == 200
    ko, en = korean.json(), english.json()
    assert ko["language"] == "ko" and ko["programs"][0]["id"] == "youth-academy"
    assert en["language"] == "en" and "10회" in " ".join(c["text"] for c in en["citations"])
    assert ko["index_version"] == en["index_version"]


def test_every_worker_serves_without_hanging(server):
    """Many requests land on both workers: none hangs (threads limited, no fork after loading)."""
    url, _, log = server
    for n in range(12):
        response = requests.post(url + "/api/ask", json={"question": f"기술교육원 {n}"}, timeout=30)
        assert response.status_code == 200
    assert "WORKER TIMEOUT" not in log.read_text()


def test_errors_over_http_are_json(server):
    url, _, _ = server
    response = requests.post(url + "/api/ask", data="x" * 20000, headers={"Content-Type": "application/json"},
                             timeout=30)
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"
