"""GET /metrics through the Flask test client: behind its bearer token, and every counter the
issue lists moves when the thing it counts happens (answers, verdicts, feedback, 429s, requests by
route template, question embeddings, the served index version).

Without PROMETHEUS_MULTIPROC_DIR the app serves the in-process registry, shared by every app of
the test session, so each test compares a scrape before and after (tests/integration checks
the multiprocess sums over the real gunicorn)."""
from __future__ import annotations

import pytest
from sqlalchemy import insert

from chatbot.admin import jobs
from chatbot.storage.database import state_database
from chatbot.storage.tables import jobs as job_rows
from tests.support.metrics import AUTH, TOKEN, increase, scrape, total


@pytest.fixture
def client(make_app, fake_index_dir, tmp_path):
    return make_app(fake_index_dir, metrics_token=TOKEN, today="2024-03-15",
                    feedback_db=tmp_path / "feedback.sqlite3").test_client()


# ── the token ──────────────────────────────────────────────────────────────────────────────────

def test_without_a_token_configured_metrics_does_not_exist(make_app, fake_index_dir):
    response = make_app(fake_index_dir).test_client().get("/metrics", headers=AUTH)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_a_missing_or_wrong_token_is_refused(client, headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized" and b"chatbot_" not in response.data


def test_the_right_token_gets_the_prometheus_text(client):
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    for family in ("chatbot_http_requests", "chatbot_http_request_duration_seconds", "chatbot_answers",
                   "chatbot_verdicts", "chatbot_feedback", "chatbot_rate_limited", "chatbot_index_version_info",
                   "chatbot_builds", "chatbot_build_duration_seconds", "chatbot_embedding_seconds"):
        assert f"# TYPE {family}" in text          # counters are exposed as <name>_total


# ── what moves the counters ────────────────────────────────────────────────────────────────────

def test_answers_are_counted_by_status_and_language(client):
    asked = [({"question": "청년취업사관학교 대상은?"}, None), ({"question": "How do I join the youth academy?"}, None),
             ({"question": "Youth academy?", "lang": "qq"}, "other")]      # a client's made-up lang is bounded
    for body, label in asked:
        before = scrape(client)
        answer = client.post("/api/ask", json=body).get_json()
        after = scrape(client)
        labels = {"status": answer["status"], "language": label or answer["language"]}
        assert increase(before, after, "chatbot_answers_total", **labels) == 1
        assert increase(before, after, "chatbot_answers_total") == 1
        assert increase(before, after, "chatbot_embedding_seconds_count") == 1      # one embedding a question


def test_verdicts_are_counted_by_kind(client):
    before = scrape(client)
    response = client.post("/api/match", json={"profile": {"age": 30, "resident_of_seoul": True},
                                               "include_ineligible": True})
    given = [p["verdict"] for p in response.get_json()["programs"]]
    after = scrape(client)
    assert len(set(given)) >= 2
    for kind in ("eligible", "unknown", "ineligible"):
        assert increase(before, after, "chatbot_verdicts_total", verdict=kind) == given.count(kind)


def test_feedback_is_counted_up_and_down(client):
    answer_id = client.post("/api/ask", json={"question": "면접정장 대여 몇 번?"}).get_json()["answer_id"]
    before = scrape(client)
    for rating in ("up", "down", "down"):
        assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": rating}).status_code == 200
    client.post("/api/feedback", json={"answer_id": "forged", "rating": "up"})          # refused: not counted
    after = scrape(client)
    assert increase(before, after, "chatbot_feedback_total", rating="up") == 1
    assert increase(before, after, "chatbot_feedback_total", rating="down") == 2


def test_a_429_is_counted_under_its_route(make_app, fake_index_dir):
    client = make_app(fake_index_dir, metrics_token=TOKEN, rate_limit="2 per minute").test_client()
    before = scrape(client)
    statuses = [client.get("/api/programs").status_code for _ in range(3)]
    after = scrape(client)
    assert statuses == [200, 200, 429]
    route = {"route": "/api/programs"}
    assert increase(before, after, "chatbot_rate_limited_total", **route) == 1
    assert increase(before, after, "chatbot_http_requests_total", **route, method="GET", status="429") == 1


def test_requests_are_labelled_by_route_template_never_the_raw_path(client):
    before = scrape(client)
    client.get("/api/programs/no-such-program-81723")
    client.get("/api/programs/another-one-81723")
    client.get("/no/such/page/81723")
    after = scrape(client)
    assert "81723" not in after
    template = {"route": "/api/programs/<program_id>", "method": "GET", "status": "404"}
    assert increase(before, after, "chatbot_http_requests_total", **template) == 2
    assert increase(before, after, "chatbot_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert total(after, "chatbot_http_request_duration_seconds_count", route="/api/programs/<program_id>") >= 2


def test_unknown_methods_do_not_mint_label_values(client):
    client.open("/api/programs", method="BREW")
    assert 'method="BREW"' not in scrape(client)


def test_the_served_index_version_reads_1(client):
    version = client.get("/readyz").get_json()["index_version"]
    assert total(scrape(client), "chatbot_index_version_info", version=version) == 1


def test_a_build_whose_process_died_is_counted_once_as_crashed(make_app, admin_env):
    app = make_app(admin_env.index_dir, var_dir=admin_env.var_dir, metrics_token=TOKEN)
    settings, client = app.config["SETTINGS"], app.test_client()
    before = total(scrape(client), "chatbot_builds_total", outcome="crashed")
    with state_database(settings).write() as conn:
        conn.execute(insert(job_rows).values(kind="build", state="running", created_by="editor",
                                             created_at="2026-01-01T00:00:00Z", pid=999999))
    jobs.reconcile(settings)
    jobs.reconcile(settings)                 # the second look finds it already marked: not counted again
    assert total(scrape(client), "chatbot_builds_total", outcome="crashed") == before + 1
