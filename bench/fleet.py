"""The fleet's figures (issue 15): one web host against two on this machine, how long a publish
takes to reach every host, and how long a new host with an empty disk takes to serve the current
version. Real model and index, on a fresh PostgreSQL database of its own (created and dropped)
and the machine's Redis under a prefix of its own (deleted after).

    python -m bench.fleet                        # 15 s a level at 1, 4 and 16 clients, 3 publishes
    python -m bench.fleet --seconds 10 --levels 4,16 --publishes 5

The two hosts share this machine's two cores (four gunicorn workers on two cores), so the
two-host figure shows what a second host costs, not what it adds on a second machine. Questions
are the distinct mix of bench/load.py (no answer is served from a cache)."""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

import psycopg
import requests

from bench.load import HEADER, distinct_questions, run_level
from chatbot.storage import registry
from chatbot.storage.corpus import CorpusStore
from chatbot.storage.database import Database
from scripts.fleet import DEFAULT_REDIS_URL, LocalFleet, serving_version
from tests.support.admin import DOC
from tests.support.live import free_port
from tests.support.services import DEFAULT_DATABASE_URL, delete_keys

WARM_UP = ["청년 면접정장 대여", "소상공인 대출 이자 지원", "서울형 강소기업 채용", "취업날개 나이 제한"]


def wait_for(predicate, timeout: float, what: str) -> float:
    """Seconds until ``predicate()`` holds (polled every 50 ms)."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise TimeoutError(what)
        time.sleep(0.05)
    return time.monotonic() - started


def throughput(fleet: LocalFleet, names: list[str], levels: list[int], seconds: float,
               next_question: Callable[[], str]) -> None:
    """``next_question`` is one stream for the whole run: no question is asked twice, so no answer
    comes from the shared cache."""
    urls = [fleet.hosts[name].url for name in names]
    for url in urls:                                  # every worker's model and index warm before timing
        for question in WARM_UP:
            requests.post(url + "/api/ask", json={"question": question}, timeout=60)
    print(f"\n{len(urls)} host(s), {fleet.web_workers} workers each, {seconds:g} s a level")
    print(HEADER)
    for clients in levels:
        print(run_level(urls, clients, seconds, next_question).row(), flush=True)


def second_version(fleet: LocalFleet, db: Database) -> str:
    """A staff edit of the corpus built (not published) by the build host: only changed passages embed."""
    with CorpusStore(db, fleet.root / "bench" / "snapshots").edit("bench") as edit:
        path = edit.dir / DOC
        path.write_text(path.read_text(encoding="utf-8") + "\n ㅇ 벤치마크용 추가 문장: 신청기간 연장\n", encoding="utf-8")
    before = {v.version for v in registry.versions(db)}
    started = time.monotonic()
    fleet.run("build-index", "--no-publish", "--quiet", name="builder")
    (version,) = {v.version for v in registry.versions(db) if v.uploaded} - before
    print(f"second version {version} built and uploaded in {time.monotonic() - started:.0f} s")
    return version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15, help="per level")
    parser.add_argument("--levels", default="1,4,16", help="clients per level, comma separated")
    parser.add_argument("--publishes", type=int, default=3, help="publishes timed (alternating two versions)")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]
    server = DEFAULT_DATABASE_URL
    name = f"chatbot_bench_{uuid.uuid4().hex[:8]}"
    url = f"{server.rsplit('/', 1)[0]}/{name}"
    prefix = f"chatbot-bench-{uuid.uuid4().hex[:8]}"
    fleet = LocalFleet(Path(tempfile.mkdtemp(prefix="bench-fleet-")), url, DEFAULT_REDIS_URL,
                       settings={"rate_limit": "off", "redis_prefix": prefix})
    db = Database(url)
    try:
        started = time.monotonic()
        fleet.prepare()                                      # creates the database, migrates, first build
        print(f"database {name} prepared and first version built in {time.monotonic() - started:.0f} s; "
              f"processes under {fleet.root}")
        fleet.start_host("host-a", free_port())
        fleet.wait_ready()
        questions = distinct_questions(set(WARM_UP))
        throughput(fleet, ["host-a"], levels, args.seconds, questions)
        fleet.start_host("host-b", free_port())
        fleet.wait_ready()
        throughput(fleet, ["host-a", "host-b"], levels, args.seconds, questions)

        versions = [registry.current(db), second_version(fleet, db)]
        hosts = list(fleet.hosts.values())
        delays = []
        for n in range(args.publishes):
            target = versions[(n + 1) % 2]
            fleet.run("publish", target, name="builder")     # returns once the transaction committed
            delays.append(wait_for(lambda: all(serving_version(h.url) == target for h in hosts), 120,
                                   f"publish of {target} not seen by every host"))
        print(f"\npublish -> every host serving it: {', '.join(f'{d:.2f}' for d in delays)} s "
              f"(median {statistics.median(delays):.2f} s)")

        current = registry.current(db)
        started = time.monotonic()
        joining = fleet.start_host("host-c", free_port())
        joined = wait_for(lambda: joining.running and serving_version(joining.url) == current, 300, joining.tail())
        print(f"new host with an empty cache: serving {current} {joined:.1f} s after it was started "
              f"(gunicorn, model, download, verify, load)")
    finally:
        fleet.stop()
        db.dispose()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        delete_keys(fleet.redis_url, prefix)


if __name__ == "__main__":
    main()
