"""The Procfile's gunicorn under stress (2 gthread workers, 4 threads each, loopback, the fake
embedder): slow clients do not hold the workers, and ``kill -9`` of a worker under load loses only
the requests that worker was serving, while the master starts a new one."""
from __future__ import annotations

import os
import re
import signal
import socket
import threading
import time

import pytest
import requests

from bench import load
from chatbot.config import Settings
from tests.support.live import running_server, worker_pids
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

THREADS = 4
# A request line and some headers, never finished: the client stalls in the middle of its request.
INDEX_LOADED = re.compile(r"index version \w+ loaded")        # the service's log line at each swap (no publish here)
PARTIAL_REQUEST = b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def server(fake_index_dir, tmp_path_factory):
    state = tmp_path_factory.mktemp("gthread")
    env = Settings().with_overrides({
        "index_dir": fake_index_dir, "embed_backend": "fake", "embed_model": "64", "min_confidence": 1e-6,
        "var_dir": state, "feedback_db": state / "feedback.sqlite3", "rate_limit": "off", "web_threads": THREADS,
        "metrics_token": load.METRICS_TOKEN,
    }).to_env()
    with running_server(env, state / "gunicorn.log", timeout=60) as (url, process):
        yield url, process, state / "gunicorn.log"


def _still_open(sock: socket.socket) -> bool:
    """The server has neither answered nor closed this connection: it is still waiting for it."""
    sock.setblocking(False)
    try:
        sock.recv(1)                 # an answer, or b"" for a closed connection
        return False
    except BlockingIOError:          # nothing to read: the server is still waiting for the rest
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def test_slow_clients_do_not_hold_the_workers(server):
    """Three clients send half a request and stall; /healthz is still answered at once.

    Each stalled connection holds one gthread thread for as long as it stalls. Three is the most
    that leaves a free thread in both workers however the kernel spreads the connections (all
    three on one worker still leave it one of its four). With ``worker_class = "sync"`` this test
    fails: the first two stalled clients hold both workers, the third and the health check wait
    in the listen queue behind them, and nothing is answered until the 60 s worker timeout kills a
    worker (checked by running this file with ``GUNICORN_CMD_ARGS="--worker-class sync --threads 1"``:
    the health check timed out after 5 s; gunicorn turns sync workers with threads into gthread)."""
    url, _, _ = server
    port = int(url.rsplit(":", 1)[1])
    stalled = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(THREADS - 1)]
    try:
        for sock in stalled:
            sock.sendall(PARTIAL_REQUEST)
        for _ in range(6):                    # new connections each time: both workers get some
            started = time.monotonic()
            response = requests.get(url + "/healthz", timeout=5, headers={"Connection": "close"})
            assert response.status_code == 200 and time.monotonic() - started < 2
        assert all(_still_open(sock) for sock in stalled), "the server dropped a stalled client"
    finally:
        for sock in stalled:
            sock.close()


MAX_REQUESTS = 3000       # bounded load: stops at this count or when the test has seen what it needs
CLIENTS = THREADS         # each client has one request outstanding: at most THREADS in flight anywhere


def test_kill_9_of_a_worker_loses_only_its_requests_in_flight(server):
    """"In flight" is measured by the clients: a request sent before the kill and not answered when
    it landed. Every request opens its own connection, so none can be lost on a kept-alive
    connection to the dead worker after the kill; connections still in the listen queue are
    accepted by the other worker. So the failures must be connection errors of requests in flight at
    the kill, at most one per client (CLIENTS = threads per worker), and everything after it
    succeeds, on the surviving worker and then on the one the master starts."""
    url, master, log = server

    def every_worker_loaded() -> bool:
        """Every worker gunicorn booted has loaded the index (and so takes requests)."""
        text = log.read_text()
        return len(INDEX_LOADED.findall(text)) == text.count("Booting worker")

    results: list[tuple[float, float, str]] = []        # (sent, done, "ok" | status | error)
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set() and len(results) < MAX_REQUESTS:
            sent = time.monotonic()
            try:
                response = requests.post(url + "/api/ask", json={"question": f"청년 일자리 {n} {i % 7}"},
                                         headers={"Connection": "close"}, timeout=30)
                outcome = "ok" if response.status_code == 200 else str(response.status_code)
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            with lock:
                results.append((sent, time.monotonic(), outcome))
            i += 1

    def answered_since(moment: float) -> int:
        with lock:
            return sum(1 for sent, _, outcome in results if sent > moment and outcome == "ok")

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    before = worker_pids(master.pid)
    assert len(before) == 2
    wait_until(lambda: answered_since(0) >= 40 and every_worker_loaded(), 30, "the load did not get going")
    victim = before[0]
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    replaced = wait_until(lambda: (lambda pids: pids if len(pids) == 2 and victim not in pids else None)(
        worker_pids(master.pid)), 30, "the master did not start a new worker")
    newcomer = (set(replaced) - set(before)).pop()
    # it takes requests once post_worker_init has loaded its index (and says so in the log)
    wait_until(lambda: f"Booting worker with pid: {newcomer}" in log.read_text() and every_worker_loaded(), 60,
               "the new worker never loaded the index")
    restarted_at = time.monotonic()
    wait_until(lambda: answered_since(restarted_at) >= 60, 60, "too few answers after the restart")
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    failures = [r for r in results if r[2] != "ok"]
    in_flight = [r for r in results if r[0] < killed_at < r[1]]
    assert len(failures) <= CLIENTS == THREADS, failures
    assert all(r in in_flight for r in failures), f"a request sent after the kill failed: {failures}"
    assert all(r[2] in ("ConnectionError", "ChunkedEncodingError") for r in failures), failures
    assert answered_since(killed_at) >= 60
    assert newcomer in worker_pids(master.pid)
    # the master forked the new worker: it never loads the app, so the index watcher and the
    # request threads exist only in the workers, started after the fork (the one thread gunicorn's
    # master runs, its control socket, stops itself around every fork)
    assert "swigfaiss" in open(f"/proc/{newcomer}/maps").read()
    assert "swigfaiss" not in open(f"/proc/{master.pid}/maps").read()


def test_the_load_bench_runs_a_level_and_reads_the_cache_counts(server):
    """bench/load.py in miniature (one level, two clients, two seconds): answers, no errors, and the
    repeated mix's hits counted in /metrics, summed over both workers."""
    url, _, _ = server
    before = load.cache_lookups(url)
    level = load.run_level(url, 2, 2.0, load.repeated_questions())
    after = load.cache_lookups(url)
    assert level.errors == 0 and level.rps > 0 and len(level.row().split()) == 7
    asked = len(level.latencies_ms)
    hits, misses = (after.get(k, 0) - before.get(k, 0) for k in ("hit", "miss"))
    # an impersonal question misses once per worker (twice if two threads of a worker ask it at once),
    # then hits; one stating the asker's age or district misses every time (never cached)
    assert hits + misses == asked and hits > misses
    distinct = load.distinct_questions(set())
    assert len({distinct() for _ in range(500)}) == 500
