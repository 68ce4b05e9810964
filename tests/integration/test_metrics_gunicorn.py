"""/metrics of the real server (the Procfile's gunicorn, two workers, loopback, the fake
embedder): the request counter sums both workers, each worker reports the version it serves, and
every line the server writes is JSON without the citizen's words."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.multiprocess import MultiProcessCollector

from tests.support.live import running_server, worker_pids
from tests.support.metrics import AUTH, TOKEN, sum_of, total
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
ROUTE = {"route": "/api/programs", "method": "GET", "status": "200"}
QUESTION = "Snorkelbatch 청년취업사관학교 대상은?"


@pytest.fixture(scope="module")
def server(fake_index_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("metrics-server")
    metrics_dir = root / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"a counter file left by an earlier run")
    env = {"CHATBOT_INDEX_DIR": str(fake_index_dir), "CHATBOT_EMBED_BACKEND": "fake", "CHATBOT_EMBED_MODEL": "64",
           "CHATBOT_RATE_LIMIT": "off", "CHATBOT_METRICS_TOKEN": TOKEN, "CHATBOT_VAR_DIR": str(root / "var"),
           "CHATBOT_FEEDBACK_DB": str(root / "var" / "feedback.sqlite3"), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with running_server(env, root / "server.log", timeout=60) as (url, process):
        yield url, process, metrics_dir, root / "server.log"


def counted_by(metrics_dir, pid: int) -> float:
    """The route's requests one worker counted: its own file in the multiprocess directory."""
    path = metrics_dir / f"counter_{pid}.db"
    if not path.exists():
        return 0
    found = [s for metric in MultiProcessCollector.merge([str(path)]) for s in metric.samples]
    return sum_of(found, "chatbot_http_requests_total", **ROUTE)


def test_the_request_counter_sums_both_workers(server):
    url, process, metrics_dir, _ = server
    assert not (metrics_dir / "counter_1.db").exists()                  # emptied at start
    workers = worker_pids(process.pid)
    assert len(workers) == 2

    def get(_):
        return requests.get(url + "/api/programs", timeout=10).status_code      # a new connection each

    sent = 0
    with ThreadPoolExecutor(8) as pool:
        def round_of(n: int) -> bool:
            nonlocal sent
            assert set(pool.map(get, range(n))) == {200}
            sent += n
            return all(counted_by(metrics_dir, pid) > 0 for pid in workers)
        round_of(40)
        wait_until(lambda: round_of(8), 20, "one worker never answered /api/programs")

    scraped = requests.get(url + "/metrics", headers=AUTH, timeout=10)
    assert scraped.status_code == 200
    assert total(scraped.text, "chatbot_http_requests_total", **ROUTE) == sent
    assert sum(counted_by(metrics_dir, pid) for pid in workers) == sent


def test_each_worker_reports_the_version_it_serves(server):
    url, process, _, _ = server
    version = requests.get(url + "/readyz", timeout=10).json()["index_version"]
    text = requests.get(url + "/metrics", headers=AUTH, timeout=10).text
    for pid in worker_pids(process.pid):
        assert total(text, "chatbot_index_version_info", version=version, pid=str(pid)) == 1


def test_every_server_log_line_is_json_with_the_request_id_and_no_question(server):
    url, _, _, log = server
    asked = requests.post(url + "/api/ask", json={"question": QUESTION}, headers={"X-Request-ID": "it-ask-1"},
                          timeout=30)
    missing = requests.get(url + "/no/such/page", timeout=10)
    assert asked.headers["X-Request-ID"] == "it-ask-1" and missing.status_code == 404
    request_id = missing.headers["X-Request-ID"]
    assert missing.json()["error"]["request_id"] == request_id

    def logged() -> list[dict]:
        records = [json.loads(line) for line in log.read_text().splitlines()]       # every line is JSON
        ids = [(r["logger"], r.get("request_id")) for r in records]
        return records if {("chatbot.request", "it-ask-1"), ("gunicorn.access", "it-ask-1"),
                           ("chatbot.request", request_id), ("gunicorn.access", request_id)} <= set(ids) else []

    records = wait_until(logged, 10, lambda: f"request lines missing: {log.read_text()[-2000:]}")
    assert "Snorkelbatch" not in log.read_text() and "Snorkelbatch" not in json.dumps(records, ensure_ascii=False)
    [access] = [r for r in records if r["logger"] == "gunicorn.access" and r["request_id"] == request_id]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/no/such/page", 404)
