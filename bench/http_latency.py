"""Latency and memory of /api/ask over HTTP against the real gunicorn server (the Procfile
command, 2 workers, loopback), plus the index build time.

    python -m bench.http_latency                 # uses the published index in ./index
    python -m bench.http_latency --concurrency 2 --rounds 2

Prints p50/p95/p99 latency (ms, client side), requests/s, and the RSS of the master and its
workers after the run.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from chatbot.config import Settings
from bench.eval_retrieval import load_questions
from tests.support.live import running_server, worker_pids


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the evaluation questions")
    args = parser.parse_args()
    questions = [q["question"] for q in load_questions("all")] * args.rounds
    env = {"CHATBOT_INDEX_DIR": str(Settings().index_dir), "CHATBOT_RATE_LIMIT": "off"}
    log = Path(tempfile.mkdtemp()) / "server.log"
    with running_server(env, log) as (url, process), requests.Session() as session:
        def ask(question: str) -> float:
            started = time.perf_counter()
            response = session.post(url + "/api/ask", json={"question": question}, timeout=60)
            response.raise_for_status()
            return (time.perf_counter() - started) * 1000

        for question in questions[:10]:                  # warm both workers
            ask(question)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            latencies = list(pool.map(ask, questions))
        seconds = time.perf_counter() - started
        workers = worker_pids(process.pid)
        memory = rss_mb(process.pid) + sum(rss_mb(pid) for pid in workers)
    print(f"{len(latencies)} requests, concurrency {args.concurrency}, {len(workers)} workers")
    print(f"latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
          f"p99 {percentile(latencies, 99):.1f}  mean {statistics.mean(latencies):.1f}")
    print(f"throughput: {len(latencies) / seconds:.1f} requests/s")
    print(f"RSS master + workers: {memory:.0f} MB")


if __name__ == "__main__":
    main()
