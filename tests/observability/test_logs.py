"""Structured logs: every line the app writes is one JSON object with the request id, the
per-request line says what operators need (method, route template, status, time, and for
/api/ask the answer's facts), and nothing a citizen typed ever reaches a log line."""
from __future__ import annotations

import json
import logging

import pytest

QUESTION = "Zephyrquill 청년취업사관학교 대상은? 제 번호는 010-1234-5678"
COMMENT = "Marmaladeowl 연락 주세요"
STATUS_TEXT = "Quokkavantine-status"


def lines(captured: str) -> list[dict]:
    """Every line of stderr, each of which must be a JSON object."""
    parsed = []
    for line in captured.splitlines():
        record = json.loads(line)                     # a line that is not JSON fails here
        assert isinstance(record, dict) and {"timestamp", "level", "logger", "event", "request_id"} <= record.keys()
        parsed.append(record)
    return parsed


@pytest.fixture
def app(make_app, fake_index_dir, tmp_path):
    app = make_app(fake_index_dir, feedback_db=tmp_path / "fb.sqlite3")

    @app.get("/boom")
    def _boom():
        raise RuntimeError("an unexpected failure")

    return app


def test_the_request_line_of_an_answer_and_no_citizen_text_anywhere(app, capsys):
    client = app.test_client()
    capsys.readouterr()
    asked = client.post("/api/ask", json={"question": QUESTION}, headers={"X-Request-ID": "req-ask-1"})
    answer = asked.get_json()
    rated = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "down",
                                               "question": QUESTION, "comment": COMMENT})
    refused = client.post("/api/match", json={"profile": {"age": 31, "employment_status": STATUS_TEXT}})
    assert asked.status_code == rated.status_code == 200 and refused.status_code == 400
    records = lines(capsys.readouterr().err)

    for record in records:
        text = json.dumps(record, ensure_ascii=False)
        for typed in ("Zephyrquill", "010-1234-5678", "Marmaladeowl", STATUS_TEXT):
            assert typed not in text
    [line] = [r for r in records if r["event"] == "request" and r["request_id"] == "req-ask-1"]
    assert line["logger"] == "chatbot.request" and line["level"] == "info"
    assert (line["method"], line["route"], line["status"]) == ("POST", "/api/ask", 200)
    assert isinstance(line["duration_ms"], float)
    assert (line["lang"], line["answer_status"], line["version"], line["chars"]) == (
        answer["language"], answer["status"], answer["index_version"], len(QUESTION))
    assert line["reason"]
    routes = {(r["route"], r["status"]) for r in records if r["event"] == "request"}
    assert {("/api/feedback", 200), ("/api/match", 400)} <= routes
    assert len({r["request_id"] for r in records if r["event"] == "request"}) == 3      # one id per request


def test_stdlib_log_calls_inside_a_request_carry_its_id(app, capsys):
    capsys.readouterr()
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-boom-1"})
    assert response.status_code == 500
    records = lines(capsys.readouterr().err)
    [error] = [r for r in records if r["level"] == "error"]
    assert error["event"] == "unhandled error" and error["logger"] == "chatbot.web.errors"
    assert error["request_id"] == "req-boom-1" == response.get_json()["error"]["request_id"]
    assert "RuntimeError: an unexpected failure" in error["exception"]


def test_a_line_logged_after_a_request_has_no_request_id(app, capsys):
    app.test_client().get("/healthz", headers={"X-Request-ID": "req-over"})
    capsys.readouterr()
    logging.getLogger("chatbot.test").warning("between requests %d", 7)
    [record] = lines(capsys.readouterr().err)
    assert record["event"] == "between requests 7" and record["request_id"] is None
