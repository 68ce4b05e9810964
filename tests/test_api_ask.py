"""POST /api/ask through the Flask test client: the contract and every error path."""
from __future__ import annotations

import json
import random
import shutil

import pytest

from chatbot.config import Settings
from chatbot.corpus import load_corpus
from chatbot.index_store import VECTORS, read_current

REPORT = {d.id: d for d in load_corpus(Settings().corpus_dir)}


def ask(client, **body):
    return client.post("/api/ask", json=body)


def test_answer_contract_and_verbatim_citations(client):
    response = ask(client, question="면접 정장 빌리는 서비스 몇 번까지 돼요?", top_k=3)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"language", "answer", "citations", "programs", "index_version", "took_ms"}
    assert body["language"] == "ko" and body["answer"]
    assert len(body["citations"]) == 3
    for citation in body["citations"]:
        assert set(citation) >= {"id", "text", "document", "edition", "section", "program_id", "lines", "score"}
        start, end = citation["lines"]
        assert citation["text"] == REPORT[citation["document"]].line_range(start, end)
        assert citation["edition"] == "2024" and " › " in citation["section"]
    scores = [c["score"] for c in body["citations"]]
    assert scores == sorted(scores, reverse=True)
    assert body["programs"] and {"id", "name", "score"} <= set(body["programs"][0])
    assert body["index_version"] == read_current(client.application.config["SETTINGS"].index_dir)


def test_default_top_k_is_five(client):
    assert len(ask(client, question="청년 인턴").get_json()["citations"]) == 5


@pytest.mark.parametrize("question, lang, expected_lang, answer_lang", [
    ("How many times a year can I borrow an interview suit?", None, "en", "en"),
    ("面接用のスーツは何回借りられますか", None, "ja", "en"),
    ("interview suit", "ko", "ko", "ko"),
])
def test_answer_language_follows_question_or_lang_field(client, question, lang, expected_lang, answer_lang):
    body = ask(client, question=question, **({"lang": lang} if lang else {})).get_json()
    assert body["language"] == expected_lang and body["answer_language"] == answer_lang
    has_hangul_prose = any("\uac00" <= ch <= "\ud7a3" for ch in body["answer"].split("“")[0])
    assert has_hangul_prose == (answer_lang == "ko")
    if expected_lang == "ja":
        assert "English" in body["answer"]


@pytest.mark.parametrize("body, field", [
    ({}, "question"),
    ({"question": ""}, "question"),
    ({"question": "   "}, "question"),
    ({"question": "가" * 501}, "question"),
    ({"question": 42}, "question"),
    ({"question": ["취업날개"]}, "question"),
    ({"question": None}, "question"),
    ({"question": "취업날개", "top_k": 0}, "top_k"),
    ({"question": "취업날개", "top_k": 11}, "top_k"),
    ({"question": "취업날개", "top_k": "5"}, "top_k"),
    ({"question": "취업날개", "top_k": True}, "top_k"),
    ({"question": "취업날개", "top_k": 2.5}, "top_k"),
    ({"question": "취업날개", "lang": "korean language"}, "lang"),
    ({"question": "취업날개", "lang": 7}, "lang"),
    ({"question": "취업날개", "unknown": 1}, "unknown"),
])
def test_bad_fields_get_400_naming_the_field(client, body, field):
    response = client.post("/api/ask", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_field" and error["field"] == field and error["message"]


@pytest.mark.parametrize("data, content_type, status, code", [
    ("{not json", "application/json", 400, "invalid_json"),
    ("[1, 2]", "application/json", 400, "invalid_json"),
    ('"just a string"', "application/json", 400, "invalid_json"),
    (b"\xff\xfe", "application/json", 400, "invalid_json"),
    ("question=hi", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("hi", "text/plain", 415, "unsupported_media_type"),
    ("x" * 17000, "application/json", 413, "body_too_large"),
])
def test_bad_bodies(client, data, content_type, status, code):
    response = client.post("/api/ask", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_not_found_and_wrong_method_are_json(client):
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.get("/api/ask")
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"]


def test_503_with_retry_after_while_no_index(make_app, tmp_path):
    client = make_app(tmp_path / "no-index").test_client()
    response = ask(client, question="취업날개")
    assert response.status_code == 503
    assert response.headers["Retry-After"] and response.get_json()["error"]["code"] == "index_not_ready"
    assert client.get("/readyz").status_code == 503 and client.get("/healthz").status_code == 200


def test_corrupt_only_index_gives_503_not_500(make_app, index_copy):
    (index_copy / read_current(index_copy) / VECTORS).write_bytes(b"garbage")
    response = ask(make_app(index_copy).test_client(), question="취업날개")
    assert response.status_code == 503
    assert "checksum" in response.get_json()["error"]["message"]


def test_random_inputs_never_cause_a_500(client):
    rng = random.Random(7)
    values = [None, True, 0, -1, 3.5, "", "가", "x" * 600, [], {}, {"a": 1}, ["q"], "\u0000", "🙂" * 100]
    for _ in range(150):
        body = {k: rng.choice(values) for k in rng.sample(["question", "lang", "top_k", "extra"], rng.randint(0, 4))}
        response = client.post("/api/ask", data=json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 400), (body, response.get_json())
        assert response.is_json
