"""POST /api/ask through the Flask test client: the contract and every error path."""
from __future__ import annotations

import json
import random

import pytest

from chatbot.config import Settings
from chatbot.documents.corpus import load_corpus
from chatbot.index.store import VECTORS, read_current

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
    if expected_lang == "ja":                    # one sentence in Japanese says the answer is in English
        assert body["answer"].startswith("韓国語または英語でのみ回答しております。以下は英語での回答です。")


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


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def test_random_inputs_never_cause_a_500(client):
    rng = random.Random(7)
    deep = json.loads(nested(500))
    values = [None, True, 0, -1, 3.5, "", "가", "x" * 600, [], {}, {"a": 1}, ["q"], "\u0000", "🙂" * 100,
              deep, {"q": deep}, 10 ** 40, -(10 ** 40), 1e308, float("inf"), "\ud800", "a\udfff b", "\ufeff질문",
              "\u202e취업날개", "ﾃｽﾄ", "é" * 3, "\x00\x01\x02", "🏳️‍🌈" * 30]
    for _ in range(200):
        body = {k: rng.choice(values) for k in rng.sample(["question", "lang", "top_k", "extra"], rng.randint(0, 4))}
        data = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
        response = client.post("/api/ask", data=data, content_type="application/json")
        assert response.status_code in (200, 400), (body, response.get_json())
        assert response.is_json


@pytest.mark.parametrize("data", [
    nested(5000),                                            # the RecursionError
    '{"question": ' + nested(5000, '"q"') + '}',
    '{"question": "취업날개", "top_k": ' + "9" * 5000 + '}',  # past Python's int-parsing limit
    '{"question": "취업날개", "top_k": 1e999}',
    '{"question": "취업날개", "top_k": NaN}',
    b'\xef\xbb\xbf{"question": "q"}',                       # a UTF-8 byte-order mark
    '{"question": "q"}'.encode("utf-16"),
    b'{"question": "\xc0\xaf"}',                             # an overlong UTF-8 sequence
    b'{"question": "\xed\xa0\x80"}',                        # a surrogate encoded as UTF-8
])
def test_deep_nesting_huge_numbers_and_odd_encodings_get_400(client, data):
    response = client.post("/api/ask", data=data, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] in ("invalid_json", "invalid_field")


@pytest.mark.parametrize("question", ["\u0000\u0000 정장", "\u202e취업날개 나이", "ﾃｽﾄ 취업날개", "é\u0301 정장"])
def test_odd_characters_in_a_question_still_get_an_answer(client, question):
    body = json.dumps({"question": question}).encode("utf-8")      # JSON escapes: valid, if odd, text
    response = client.post("/api/ask", data=body, content_type="application/json")
    assert response.status_code == 200 and response.get_json()["status"]


def test_a_lone_surrogate_is_a_bad_question_not_a_crash(client):
    response = client.post("/api/ask", data='{"question": "취업날개 \\ud800 연체료"}', content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "question"


# ── statuses ───────────────────────────────────────────────────────────────────────────────────

STATUSES = {"answered", "partial", "not_in_report", "clarify"}


@pytest.mark.parametrize("question", ["취업날개 연체료 얼마예요?", "help", "취업날개 전화번호 알려줘",
                                      "마흔 살인데 취업날개 이용 가능한가요?", "Where is the robot museum?"])
def test_every_answer_has_a_status_and_grounded_follows_it(client, question):
    body = ask(client, question=question).get_json()
    assert body["status"] in STATUSES
    assert body["grounded"] == (body["status"] in ("answered", "partial"))


def test_a_vague_question_is_asked_back_with_choices(client):
    body = ask(client, question="지원금 뭐 있어요?").get_json()
    assert body["status"] == "clarify" and body["grounded"] is False
    assert body["citations"] == [] and body["programs"] == []
    assert 3 <= len(body["choices"]) <= 5 and any(c.get("action") == "profile" for c in body["choices"])
    assert body["answer"].endswith("찾아보세요.") and "?" in body["answer"]


def test_not_in_report_names_no_program_as_the_match(make_app, fake_index_dir):
    # a share threshold nothing reaches: every question without a named program is out of scope
    client = make_app(fake_index_dir, min_confidence=1.1).test_client()
    body = ask(client, question="따릉이 정기권 가격이 얼마야?").get_json()
    assert body["status"] == "not_in_report" and body["grounded"] is False
    assert body["programs"] == [] and body["citations"] == [] and body["quotes"] == []
    assert body["answer"] == "서울시 경제정책실 2024 업무보고에는 이 질문에 대한 내용이 없습니다."
    assert "가장 관련" not in body["answer"]
    for suggestion in body.get("suggestions", []):           # the closest programs, under their own key
        assert set(suggestion) == {"id", "name"}


def test_partial_says_what_the_report_lacks_and_cites_the_overview(client):
    body = ask(client, question="취업날개 전화번호 알려줘").get_json()
    assert body["status"] == "partial" and body["grounded"] is True
    assert "전화번호나 연락처가 나와 있지 않습니다" in body["answer"]
    assert [p["id"] for p in body["programs"]] == ["interview-suit"]
    [citation] = body["citations"]
    assert citation["program_id"] == "interview-suit"
    assert body["quotes"][0]["passage_id"] == citation["id"]


def test_answered_quotes_are_from_the_first_citation(client):
    body = ask(client, question="취업날개 연체료 얼마예요?").get_json()
    assert body["status"] == "answered" and body["quotes"]
    assert body["quotes"][0]["passage_id"] == body["citations"][0]["id"]
    first = body["citations"][0]
    assert first["lines"][0] <= body["quotes"][0]["line"] <= first["lines"][1]
    assert "".join(body["quotes"][0]["text"].split()).strip("… ") in "".join(first["text"].split()) or \
        body["quotes"][0]["text"].endswith("…") or body["quotes"][0]["text"].startswith("…")
