"""Sustained load on /api/ask: the Procfile's gunicorn (2 workers, loopback, the real model and
index, no rate limit), 1, 2, 4, 8 and 16 clients for a fixed time each; requests/s, latency
percentiles (client side) and errors per level.

    python -m bench.load                                  # repeated and distinct mixes, 20 s a level
    python -m bench.load --mix repeated --seconds 10 --levels 1,4,16
    python -m bench.load --worker-class sync              # the old sync workers, for comparison
    python -m bench.load --cache-size 0                   # no answer cache

Question mixes: ``repeated`` draws from 20 common questions (the first 20 of the evaluation set)
with Zipf weights 1/rank, as many citizens ask the same few things; ``distinct`` never asks the
same text twice in a run (the 4,000-odd unique questions of tests/data, shuffled), so every
answer is a cache miss. Each client is a thread with its own keep-alive connection that sends
its next question as soon as the last answer arrived (a closed loop).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import requests

from bench.eval_retrieval import DATA, load_questions
from bench.http_latency import percentile
from chatbot.config import Settings
from tests.support.live import running_server, worker_pids
from tests.support.metrics import total

COMMON_QUESTIONS = 20
METRICS_TOKEN = secrets.token_hex(16)        # lets this run read the server's /metrics


@dataclass(frozen=True)
class Level:
    clients: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def row(self) -> str:
        ms = self.latencies_ms or [float("nan")]
        return (f"{self.clients:>7} {len(self.latencies_ms) + self.errors:>8} {self.rps:>7.1f} "
                f"{percentile(ms, 50):>7.1f} {percentile(ms, 95):>7.1f} {percentile(ms, 99):>7.1f} {self.errors:>6}")


HEADER = f"{'clients':>7} {'requests':>8} {'rps':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"


def repeated_questions(seed: int = 0) -> Callable[[], str]:
    """Zipf over the first COMMON_QUESTIONS questions of the evaluation set."""
    common = [q["question"] for q in load_questions("all")][:COMMON_QUESTIONS]
    weights = [1 / rank for rank in range(1, len(common) + 1)]
    rng = random.Random(seed)
    lock = threading.Lock()

    def next_question() -> str:
        with lock:
            return rng.choices(common, weights)[0]
    return next_question


def distinct_questions(asked: set[str], seed: int = 0) -> Callable[[], str]:
    """Every unique question in tests/data not ``asked`` yet, once each, shuffled; wraps (and says
    so) when exhausted."""
    unique = sorted({row["question"] for path in DATA.glob("*.jsonl")
                     for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").splitlines()))
                     if row.get("question")} - asked)
    random.Random(seed).shuffle(unique)
    stream: Iterator[str] = itertools.cycle(unique)
    lock = threading.Lock()
    count = itertools.count(1)

    def next_question() -> str:
        with lock:
            if next(count) == len(unique) + 1:
                print(f"  (all {len(unique)} distinct questions asked: repeating from here)")
            return next(stream)
    return next_question


def run_level(url: str | list[str], clients: int, seconds: float, next_question: Callable[[], str]) -> Level:
    """``clients`` closed-loop clients for ``seconds``; an error is a non-200 answer or a failed
    request. Several ``url``s (hosts behind a balancer) share the clients round robin."""
    urls = [url] if isinstance(url, str) else url
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(base: str) -> None:
        nonlocal errors
        with requests.Session() as session:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    ok = session.post(base + "/api/ask", json={"question": next_question()}, timeout=60).status_code == 200
                except requests.RequestException:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(urls[i % len(urls)],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Level(clients, time.monotonic() - started, latencies, errors)


def cache_lookups(url: str) -> dict[str, float]:
    """The answer cache's hit and miss counts, summed over the workers, from /metrics (with the
    token :func:`server_env` gave the server; zeros when /metrics is off, nothing when unreachable)."""
    try:
        response = requests.get(url + "/metrics", timeout=10, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    except requests.RequestException:
        return {}
    text = response.text if response.status_code == 200 else ""
    return {result: total(text, "chatbot_answer_cache_lookups_total", result=result) for result in ("hit", "miss")}


def run_mix(url: str, mix: str, levels: list[int], seconds: float, asked: set[str] = frozenset()) -> list[Level]:
    """Every level of one mix; ``asked``: questions the server has seen already (the warm-up)."""
    next_question = repeated_questions() if mix == "repeated" else distinct_questions(set(asked))
    before = cache_lookups(url)
    print(f"\nmix {mix}, {seconds:g} s a level")
    print(HEADER)
    results = []
    for clients in levels:
        results.append(run_level(url, clients, seconds, next_question))
        print(results[-1].row(), flush=True)
    after = cache_lookups(url)
    hits, misses = (after.get(k, 0) - before.get(k, 0) for k in ("hit", "miss"))
    if hits + misses:
        print(f"answer cache: {hits:.0f} hits, {misses:.0f} misses ({hits / (hits + misses):.0%} hit ratio)")
    return results


def server_env(worker_class: str | None, threads: int | None, cache_size: int | None) -> dict[str, str]:
    """The server's environment: the real index, no rate limit, and the options asked for."""
    env = {"CHATBOT_INDEX_DIR": str(Settings().index_dir), "CHATBOT_RATE_LIMIT": "off",
           "CHATBOT_METRICS_TOKEN": METRICS_TOKEN}
    if worker_class:                 # gunicorn turns "sync" with more than one thread into gthread
        env["GUNICORN_CMD_ARGS"] = f"--worker-class {worker_class}" + (" --threads 1" if worker_class == "sync" else "")
    if threads is not None:
        env["CHATBOT_WEB_THREADS"] = str(threads)
    if cache_size is not None:
        env["CHATBOT_ANSWER_CACHE_SIZE"] = str(cache_size)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="per level")
    parser.add_argument("--levels", default="1,2,4,8,16", help="clients per level, comma separated")
    parser.add_argument("--mix", choices=["repeated", "distinct", "both"], default="both")
    parser.add_argument("--worker-class", default=None, help="override the Procfile's (gthread), e.g. sync")
    parser.add_argument("--threads", type=int, default=None, help="CHATBOT_WEB_THREADS for the server")
    parser.add_argument("--cache-size", type=int, default=None, help="CHATBOT_ANSWER_CACHE_SIZE for the server")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]
    env = server_env(args.worker_class, args.threads, args.cache_size)
    log = Path(tempfile.mkdtemp()) / "server.log"
    with running_server(env, log) as (url, process):
        settings = Settings.from_env(env)
        threads = 1 if args.worker_class == "sync" else settings.web_threads
        print(f"{len(worker_pids(process.pid))} workers, {args.worker_class or 'gthread'} × {threads} threads, "
              f"answer cache {settings.answer_cache_size}, server log {log}")
        warm = [q["question"] for q in load_questions("all")][-10:]
        for question in warm:                                 # load both workers' models and caches
            requests.post(url + "/api/ask", json={"question": question}, timeout=60)
        for mix in (["repeated", "distinct"] if args.mix == "both" else [args.mix]):
            run_mix(url, mix, levels, args.seconds, set(warm))


if __name__ == "__main__":
    main()
