"""Feedback in a fleet: two apps (two hosts: separate local directories) on one PostgreSQL
database. An answer_id issued by host A is rated through host B and shows in A's export, because
the generated answer secret (and the staff session key) live in the shared database, not in
each host's files. With the database cut (a TCP proxy in front of it), /api/ask keeps answering
and POST /api/feedback and the export answer 503 with Retry-After, then work again."""
from __future__ import annotations

import contextlib
import csv
import io
import shutil
from typing import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from chatbot.observability.outages import StoreOutage
from chatbot.storage import migrate
from chatbot.storage.database import database
from chatbot.storage.tables import secrets
from tests.support.tcp_proxy import TcpProxy, tcp_proxy
from tests.support.wait import wait_until

TOKEN = "fleet-export-token"
QUESTION = "청년 월세 지원은 누가 받을 수 있나요? 제 번호는 010-1234-5678"
EXPORT = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def shared_url(pg_url):
    db = database(pg_url)
    migrate.upgrade(db)          # `python -m chatbot db upgrade`, as an operator runs it on deploy
    yield pg_url
    db.dispose()


@contextlib.contextmanager
def proxied(url: str) -> Iterator[tuple[TcpProxy, str]]:
    """A proxy in front of the database at ``url``, and the URL that goes through it."""
    address = make_url(url)
    with tcp_proxy(address.host, address.port) as proxy:
        yield proxy, address.set(port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture
def host(make_app, fake_index_dir, tmp_path):
    """A host of the fleet: its own index copy, feedback file location and var/ (so nothing is
    shared through the local disk), on ``url``."""
    def _host(name: str, url: str):
        root = tmp_path / name
        shutil.copytree(fake_index_dir, root / "index")
        app = make_app(root / "index", database_url=url, feedback_db=root / "feedback.sqlite3",
                       var_dir=root / "var", feedback_export_token=TOKEN)
        # a short circuit-breaker pause, so a test sees the database come back within a second
        app.extensions["feedback_database_outage"] = StoreOutage("database", "feedback", retry_seconds=0.2)
        return app
    return _host


def ask(client) -> str:
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200, response.json
    return response.json["answer_id"]


def rate(client, answer_id: str, rating: str = "down"):
    return client.post("/api/feedback", json={"answer_id": answer_id, "rating": rating, "question": QUESTION})


def exported(client) -> list[dict]:
    response = client.get("/api/feedback/export", headers=EXPORT)
    assert response.status_code == 200, response.data[:300]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8")[1:])))


def test_feedback_sent_to_host_b_is_in_host_a_export(host, shared_url, tmp_path):
    a, b = host("a", shared_url), host("b", shared_url)
    answer_id = ask(a.test_client())
    response = rate(b.test_client(), answer_id)
    assert response.status_code == 200, response.json
    [row] = exported(a.test_client())
    assert row["rating"] == "down" and "[전화번호]" in row["question"] and "010-1234-5678" not in row["question"]
    assert not list(tmp_path.glob("*/answer-secret")) and not list(tmp_path.glob("*/var/secret_key"))


def test_hosts_share_the_staff_session_key(host, shared_url):
    """A staff cookie signed on host A is read on host B."""
    a, b = host("a", shared_url), host("b", shared_url)
    for app in (a, b):
        app.test_client().get("/admin/login")           # the staff area loads its key on first use
    cookie = a.session_interface.get_signing_serializer(a).dumps({"user": "clerk"})
    assert b.session_interface.get_signing_serializer(b).loads(cookie) == {"user": "clerk"}
    with database(shared_url).read() as conn:
        names = set(conn.execute(select(secrets.c.name)).scalars())
    assert names == {"answer_secret", "secret_key"}


def test_cut_database_answers_keep_coming_ratings_get_503_then_work_again(host, shared_url):
    with proxied(shared_url) as (proxy, url):
        app = host("a", url)
        client = app.test_client()
        assert rate(client, ask(client)).status_code == 200          # the store is open, the secret loaded
        proxy.cut()
        answer_id = ask(client)                                     # answers need no database
        refused = rate(client, answer_id)
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
        assert refused.json["error"]["code"] == "feedback_unavailable" and refused.json["error"]["request_id"]
        export = client.get("/api/feedback/export", headers=EXPORT)
        assert export.status_code == 503 and export.json["error"]["code"] == "feedback_unavailable"
        assert rate(client, answer_id).status_code == 503           # still down: a quick refusal again
        proxy.restore()
        wait_until(lambda: rate(client, answer_id).status_code == 200, 10, "feedback after the database came back")
        assert len(exported(client)) == 2


def test_a_host_started_while_the_database_is_cut_still_answers(host, shared_url):
    """The shared answer secret could not be read at start: answers carry a stand-in key (their
    ratings are refused), and once the database is back the shared secret is used."""
    other = host("b", shared_url)
    with proxied(shared_url) as (proxy, url):
        proxy.cut()
        app = host("a", url)
        client = app.test_client()
        stand_in = ask(client)
        assert rate(client, stand_in).status_code == 503
        proxy.restore()
        def shared_answer() -> str | None:
            answer_id = ask(client)         # the shared secret is tried again (the pause has passed) before signing
            return answer_id if "answer_signer" in app.extensions else None
        shared = wait_until(shared_answer, 10, "an answer signed with the shared secret")
        assert rate(other.test_client(), shared).status_code == 200
        assert rate(other.test_client(), stand_in).json["error"]["code"] == "invalid_answer_id"


def test_a_database_not_yet_migrated_stops_ratings_not_answers(host, pg_url):
    """Deployed before `db upgrade` ran: no secrets table yet. Answers still come; ratings get 503."""
    client = host("a", pg_url).test_client()
    refused = rate(client, ask(client))
    assert refused.status_code == 503 and refused.json["error"]["code"] == "feedback_unavailable"
