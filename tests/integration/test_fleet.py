"""The fleet of issue 15 as an operator runs it (scripts/fleet.py's LocalFleet): two web hosts
(the Procfile's gunicorn, each with its own local index cache and var/) on one PostgreSQL database
and one Redis, with the fake embedder. PostgreSQL is reached through a proxy the test can cut and
Redis is a server of the module's own, so the outage test never touches the machine's services.

The tests run in file order on one fleet: publish under load, limits and shared state, kill -9 of
a host, then the outages (last: they stop Redis)."""
from __future__ import annotations

import random
import re
import shutil
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
import requests

from chatbot.storage import registry
from chatbot.storage.corpus import CorpusStore
from chatbot.storage.database import Database
from scripts.fleet import LocalFleet, serving_version
from tests.support import services
from tests.support.admin import DOC, NEW_LINE, PASSWORD
from tests.support.live import free_port
from tests.support.tcp_proxy import tcp_proxy
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
EXPORT_TOKEN = "fleet-export-token"
LIMIT = 5                          # requests per minute per client, shared by both hosts through Redis
QUESTIONS = ["청년 면접정장 대여", "소상공인 대출 이자 지원", "서울형 강소기업 채용", "취업날개 나이 제한"]


class Load:
    """Bounded load on every host: a few client threads, each request from its own address (the
    hosts trust one proxy hop), so the per-client limit never refuses it. Counts what failed and
    which index version each host answered from."""

    def __init__(self, urls: list[str], clients: int = 4):
        self.urls, self.clients = urls, clients
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.versions: dict[str, Counter] = {url: Counter() for url in urls}
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(clients)]

    def _client(self, number: int) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            url = self.urls[number % len(self.urls)] if number < len(self.urls) else random.choice(self.urls)
            address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
            try:
                response = session.post(url + "/api/ask", json={"question": random.choice(QUESTIONS)},
                                        headers={"X-Forwarded-For": address}, timeout=30)
                if response.status_code != 200:
                    self.failures.append(f"{url}: {response.status_code} {response.text[:200]}")
                else:
                    self.versions[url][response.json()["index_version"]] += 1
            except requests.RequestException as error:
                self.failures.append(f"{url}: {error}")

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def staff_session(url: str, username: str = "chief") -> requests.Session:
    clerk = requests.Session()
    token = _CSRF.search(clerk.get(url + "/admin/login", timeout=10).text).group(1)
    response = clerk.post(url + "/admin/login", data={"csrf_token": token, "username": username, "password": PASSWORD},
                          allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return clerk


def csrf(clerk: requests.Session, url: str) -> str:
    return _CSRF.search(clerk.get(url + "/admin/", timeout=10).text).group(1)


@pytest.fixture(scope="module")
def fleet(database_url, redis_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("fleet")
    server = urlsplit(database_url)
    with services.fresh_database(database_url) as direct, \
            tcp_proxy(server.hostname or "127.0.0.1", server.port or 5432) as proxy, \
            services.own_redis_server(root / "redis.log") as (redis, redis_process):
        proxied = urlsplit(direct)._replace(netloc=f"{server.username or 'postgres'}@127.0.0.1:{proxy.port}").geturl()
        fleet = LocalFleet(root, proxied, redis, web_workers=1, settings={
            "embed_backend": "fake", "embed_model": "64", "min_confidence": 1e-6, "reload_seconds": 1,
            "rate_limit": f"{LIMIT} per minute", "proxy_hops": 1, "feedback_export_token": EXPORT_TOKEN,
            "redis_prefix": services.unique_prefix()})
        fleet.direct_url, fleet.proxy, fleet.redis_process = direct, proxy, redis_process
        fleet.prepare()
        fleet.run("create-admin", "chief", "--roles", "editor,publisher", "--password-stdin", stdin=PASSWORD + "\n")
        for name, port in (("host-a", free_port()), ("host-b", free_port())):
            fleet.start_host(name, port)
        try:
            fleet.wait_ready(120)
            yield fleet
        finally:
            fleet.stop()


def _build_new_version(fleet: LocalFleet) -> str:
    """A staff edit of the corpus, built (and uploaded) by a build host, not published."""
    db = Database(fleet.direct_url)
    try:
        with CorpusStore(db, fleet.root / "tester" / "snapshots").edit("test") as edit:
            path = edit.dir / DOC
            path.write_text(path.read_text(encoding="utf-8") + NEW_LINE, encoding="utf-8")
        before = {v.version for v in registry.versions(db)}
        fleet.run("build-index", "--no-publish", "--quiet", name="builder")
        (version,) = {v.version for v in registry.versions(db) if v.uploaded} - before
        return version
    finally:
        db.dispose()


def test_a_publish_on_host_a_under_load_reaches_host_b_within_5_s_without_a_failed_request(fleet):
    a, b = fleet.hosts["host-a"].url, fleet.hosts["host-b"].url
    first = serving_version(a)
    assert first is not None and serving_version(b) == first
    new = _build_new_version(fleet)
    clerk = staff_session(a)
    with Load([a, b]) as load:
        wait_until(lambda: sum(load.versions[b].values()) > 5, 30, "no answers under load")
        published = clerk.post(f"{a}/admin/versions/{new}/publish", data={"csrf_token": csrf(clerk, a), "confirm": "yes"},
                               allow_redirects=False, timeout=30)
        assert published.status_code == 302
        started = time.monotonic()
        wait_until(lambda: serving_version(b) == new, 5, lambda: f"host B still on {serving_version(b)}", interval=0.05)
        propagation = time.monotonic() - started
        wait_until(lambda: load.versions[b][new] > 0 and load.versions[a][new] > 0, 10, "answers not from the new version")
    print(f"publish on A -> B ready on {new} in {propagation:.2f} s")
    assert load.failures == []
    assert serving_version(a) == serving_version(b) == new
    fleet.published = (first, new)


def test_a_client_limit_holds_across_both_hosts(fleet):
    a, b = fleet.hosts["host-a"].url, fleet.hosts["host-b"].url
    address = {"X-Forwarded-For": f"203.0.113.{random.randrange(1, 255)}"}
    statuses = [requests.get((a, b)[i % 2] + "/api/programs", headers=address, timeout=10).status_code
                for i in range(LIMIT)]
    assert statuses == [200] * LIMIT
    assert requests.get(a + "/api/programs", headers=address, timeout=10).status_code == 429
    assert requests.get(b + "/api/programs", headers=address, timeout=10).status_code == 429


def test_feedback_sent_to_b_is_in_the_export_of_a_and_the_audit_of_a_is_shown_on_b(fleet):
    a, b = fleet.hosts["host-a"].url, fleet.hosts["host-b"].url
    answer = requests.post(a + "/api/ask", json={"question": QUESTIONS[0]}, timeout=30,
                           headers={"X-Forwarded-For": "198.51.100.20"}).json()
    rated = requests.post(b + "/api/feedback", json={"answer_id": answer["answer_id"], "rating": "down",
                                                     "comment": "fleet comment 7731"},
                          headers={"X-Forwarded-For": "198.51.100.20"}, timeout=10)
    assert rated.status_code in (200, 201), rated.text
    export = requests.get(a + "/api/feedback/export", headers={"Authorization": f"Bearer {EXPORT_TOKEN}"}, timeout=10)
    assert export.status_code == 200 and "fleet comment 7731" in export.text
    published = getattr(fleet, "published", None)
    if published is None:
        pytest.skip("the publish test did not run")
    audit = staff_session(b).get(b + "/admin/audit", timeout=10)
    assert audit.status_code == 200 and published[1] in audit.text


def test_kill_9_of_host_a_under_load_leaves_b_answering_and_a_new_a_fetches_the_current_version(fleet):
    a_host, b = fleet.hosts["host-a"], fleet.hosts["host-b"].url
    first, _new = getattr(fleet, "published", (None, None))
    if first is None:
        pytest.skip("the publish test did not run")
    with Load([b]) as load:
        wait_until(lambda: sum(load.versions[b].values()) > 3, 30, "no answers under load")
        a_host.kill()
        fleet.run("publish", first)          # a rollback while A is down: A must find it by itself
        wait_until(lambda: serving_version(b) == first, 10, "B did not roll back")
        served = sum(load.versions[b].values())
        wait_until(lambda: sum(load.versions[b].values()) > served + 5, 30, "B stopped answering")
    assert load.failures == []
    shutil.rmtree(fleet.root / "host-a" / "index")          # a new machine: nothing cached
    started = time.monotonic()
    restarted = fleet.start_host("host-a", a_host.port)
    wait_until(lambda: serving_version(restarted.url) == first, 60, lambda: restarted.tail())
    print(f"new host A ready on {first} in {time.monotonic() - started:.1f} s")


def test_with_redis_stopped_then_postgresql_unreachable_answers_go_on_and_the_staff_area_says_why(fleet):
    a, b = fleet.hosts["host-a"].url, fleet.hosts["host-b"].url
    clerk = staff_session(a)
    fleet.redis_process.kill()
    fleet.redis_process.wait()
    ask = {"question": QUESTIONS[1]}
    for url in (a, b):
        assert requests.post(url + "/api/ask", json=ask, timeout=30,
                             headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    fleet.proxy.cut()
    try:
        for url in (a, b):
            answered = requests.post(url + "/api/ask", json=ask, timeout=30, headers={"X-Forwarded-For": "192.0.2.2"})
            assert answered.status_code == 200
        as_json = clerk.get(a + "/admin/", headers={"Accept": "application/json"}, timeout=30)
        assert as_json.status_code == 503
        assert as_json.json()["error"]["code"] == "staff_database_unreachable"
        as_page = clerk.get(a + "/admin/", timeout=30)
        assert as_page.status_code == 503 and "text/html" in as_page.headers["Content-Type"]
        assert "database" in as_page.text.lower() or "데이터베이스" in as_page.text
        refused = requests.post(b + "/api/feedback", json={"answer_id": "a2.x", "rating": "up"}, timeout=30)
        assert refused.status_code in (400, 503)
    finally:
        fleet.proxy.restore()
    wait_until(lambda: clerk.get(a + "/admin/", timeout=10).status_code == 200, 30, "staff area did not reopen")
    export = requests.get(b + "/api/feedback/export", headers={"Authorization": f"Bearer {EXPORT_TOKEN}"}, timeout=10)
    assert export.status_code == 200 and "fleet comment 7731" in export.text      # nothing lost
