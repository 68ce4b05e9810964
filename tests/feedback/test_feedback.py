"""Feedback: signed answer ids, nothing stored at ask time, personal data masked before writing,
one row per answer, and the token-protected CSV export."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import time

import pytest

from chatbot.config import Settings
from chatbot.feedback.store import AnswerSigner, FeedbackStore
from chatbot.web import ask as ask_module
from chatbot.web import feedback as feedback_module

QUESTION = "정장 빌리는 거 1년에 몇 번? 제 번호는 010-1234-5678 이에요"
PII = ["010-1234-5678", "010 9876 5432", "+82 10-2222-3333", "hong.gildong@example.com",
       "900101-1234567", "9001011234567", "02-123-4567"]
PII_COMMENT = ("연락 주세요 " + " / ".join(PII))
TOKEN = "export-secret-for-tests"


@pytest.fixture
def state_dir(tmp_path):
    return tmp_path / "state"


@pytest.fixture
def fb_app(make_app, fake_index_dir, state_dir):
    return make_app(fake_index_dir, feedback_db=state_dir / "feedback.sqlite3", feedback_export_token=TOKEN,
                    rate_limit="off")


@pytest.fixture
def fb_client(fb_app):
    return fb_app.test_client()


def ask(client, question=QUESTION) -> dict:
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200, response.json
    return response.json


def rows(state_dir) -> list[dict]:
    """The feedback rows (none while the file does not exist: the app may migrate it at start)."""
    if not (state_dir / "feedback.sqlite3").exists():
        return []
    conn = sqlite3.connect(state_dir / "feedback.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]
    finally:
        conn.close()


def all_bytes(directory) -> bytes:
    """Every byte on disk under ``directory`` (database, WAL, shm, secret)."""
    return b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())


def test_ask_returns_a_signed_answer_id_and_stores_nothing(fb_client, state_dir):
    body = ask(fb_client)
    assert body["answer_id"].startswith("a2.")
    assert rows(state_dir) == []
    assert b"010-1234-5678" not in all_bytes(state_dir) and "정장".encode() not in all_bytes(state_dir)


def test_feedback_row_has_question_version_and_passages_all_masked(fb_client, state_dir):
    body = ask(fb_client)
    response = fb_client.post("/api/feedback", json={"answer_id": body["answer_id"], "rating": "down",
                                                      "question": QUESTION, "comment": PII_COMMENT})
    assert response.status_code == 200 and response.json == {"status": "recorded", "rating": "down"}
    [row] = rows(state_dir)
    assert row["rating"] == "down"
    assert row["index_version"] == body["index_version"]
    assert json.loads(row["passage_ids"]) == [c["id"] for c in body["citations"]]
    assert row["answer_language"] == body["answer_language"] and row["grounded"] == int(body["grounded"])
    assert row["question"].startswith("정장 빌리는 거") and "[전화번호]" in row["question"]
    assert "[이메일]" in row["comment"] and "[주민등록번호]" in row["comment"]
    raw = all_bytes(state_dir)       # not in a column, not in the WAL, not anywhere
    for item in PII:
        assert item.encode() not in raw, item


def test_rating_again_updates_the_one_row(fb_client, state_dir):
    body = ask(fb_client)
    post = lambda **extra: fb_client.post("/api/feedback", json={"answer_id": body["answer_id"], **extra})
    assert post(rating="up", question=QUESTION).status_code == 200
    assert post(rating="down", question=QUESTION, comment="출처가 엉뚱해요").status_code == 200
    assert post(rating="down").status_code == 200                 # no comment: the earlier one stays
    [row] = rows(state_dir)
    assert row["rating"] == "down" and row["comment"] == "출처가 엉뚱해요" and row["question"]


def test_feedback_without_question_is_kept_without_it(fb_client, state_dir):
    body = ask(fb_client)
    assert fb_client.post("/api/feedback", json={"answer_id": body["answer_id"], "rating": "up"}).status_code == 200
    [row] = rows(state_dir)
    assert row["question"] is None and row["rating"] == "up"


@pytest.mark.parametrize("mutate", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),                       # signature
    lambda t: t.replace("a2.", "a2.e", 1),                                               # payload
    lambda t: "garbage",
    lambda t: t + ".extra",
])
def test_forged_answer_ids_are_refused(fb_client, state_dir, mutate):
    body = ask(fb_client)
    response = fb_client.post("/api/feedback", json={"answer_id": mutate(body["answer_id"]), "rating": "up"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_answer_id" and response.json["error"]["field"] == "answer_id"
    assert rows(state_dir) == []


def test_answer_id_from_another_secret_is_refused(make_app, fake_index_dir, fb_client, tmp_path):
    other = make_app(fake_index_dir, feedback_db=tmp_path / "other" / "f.sqlite3", answer_secret="another-key",
                     rate_limit="off").test_client()
    answer_id = ask(other)["answer_id"]
    response = fb_client.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"})
    assert response.json["error"]["code"] == "invalid_answer_id"


def test_question_must_be_the_one_answered(fb_client):
    body = ask(fb_client)
    response = fb_client.post("/api/feedback", json={"answer_id": body["answer_id"], "rating": "up",
                                                      "question": "전혀 다른 질문"})
    assert response.status_code == 400 and response.json["error"]["field"] == "question"


def test_expired_answer_id_is_refused(fb_app, fb_client):
    with fb_app.app_context():
        signer = feedback_module._signer()
    old = signer.issue("q", "v1", ["p1"], "ko", True, now=time.time() - 8 * 24 * 3600)
    response = fb_client.post("/api/feedback", json={"answer_id": old, "rating": "up"})
    assert response.status_code == 400 and response.json["error"]["code"] == "answer_expired"


def test_workers_without_configured_secret_share_the_generated_one(make_app, fake_index_dir, tmp_path):
    """Two gunicorn workers are two apps on one host: an answer from one is rated through the other."""
    db = tmp_path / "shared" / "feedback.sqlite3"
    first, second = (make_app(fake_index_dir, feedback_db=db, rate_limit="off").test_client() for _ in range(2))
    answer_id = ask(first)["answer_id"]
    assert second.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code == 200
    assert (db.parent / "answer-secret").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("payload, field", [
    ({"rating": "meh"}, "rating"),
    ({"rating": "up", "comment": "가" * (feedback_module.MAX_COMMENT_CHARS + 1)}, "comment"),
    ({"rating": "up", "extra": 1}, "extra"),
    ({"rating": 1}, "rating"),
])
def test_invalid_feedback_names_the_field(fb_client, payload, field):
    body = ask(fb_client)
    response = fb_client.post("/api/feedback", json={"answer_id": body["answer_id"], **payload})
    assert response.status_code == 400 and response.json["error"]["field"] == field


def test_question_limit_matches_ask():
    assert feedback_module.MAX_QUESTION_CHARS == ask_module.MAX_QUESTION_CHARS


def test_embedded_store_uses_wal_and_full_sync(tmp_path):
    """The SQLite file is migrated on first use (nothing run by hand) and keeps WAL and synchronous=FULL."""
    settings = Settings().with_overrides({"feedback_db": tmp_path / "f.sqlite3", "admin_db": tmp_path / "a.sqlite3"})
    store = FeedbackStore.open(settings)
    with store.db.write() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2          # FULL
    assert (tmp_path / "f.sqlite3").stat().st_mode & 0o077 == 0


def test_signer_round_trip_and_question_digest_is_keyed():
    a, b = AnswerSigner(b"k1"), AnswerSigner(b"k2")
    ref = a.verify(a.issue(" 질문 ", "v9", ["x", "y"], "en", False))
    assert (ref.index_version, ref.passage_ids, ref.answer_language, ref.grounded) == ("v9", ("x", "y"), "en", False)
    assert a.question_matches(ref, "질문") and not a.question_matches(ref, "질문?")
    assert a.question_digest("질문") != b.question_digest("질문")


def test_answer_id_is_an_itsdangerous_timed_token():
    """Issue 14, item 13: the answer id is itsdangerous's salted timed token (not hand-made HMAC):
    the library reads what it signs, refuses it under another salt, and its own expiry is the one
    the feedback route reports."""
    from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

    from chatbot.feedback.store import ANSWER_ID_MAX_AGE, ANSWER_ID_SALT, ExpiredAnswerId
    signer = AnswerSigner(b"k1")
    answer_id = signer.issue("질문", "v9", ["x"], "ko", True)
    token = answer_id.split(".", 1)[1]
    library = URLSafeTimedSerializer(b"k1", salt=ANSWER_ID_SALT, signer_kwargs={"digest_method": hashlib.sha256})
    payload = library.loads(token, max_age=ANSWER_ID_MAX_AGE)
    assert (payload["v"], payload["p"], payload["l"], payload["g"]) == ("v9", ["x"], "ko", 1)
    assert payload["q"] == signer.question_digest("질문") and "질문" not in json.dumps(payload, ensure_ascii=False)
    with pytest.raises(BadSignature):
        URLSafeTimedSerializer(b"k1", salt="another use", signer_kwargs={"digest_method": hashlib.sha256}).loads(token)
    old = signer.issue("질문", "v9", ["x"], "ko", True, now=time.time() - ANSWER_ID_MAX_AGE - 60)
    with pytest.raises(SignatureExpired):
        library.loads(old.split(".", 1)[1], max_age=ANSWER_ID_MAX_AGE)
    with pytest.raises(ExpiredAnswerId):
        signer.verify(old)


# -- export ---------------------------------------------------------------------------------------
def test_export_is_off_without_a_token(make_app, fake_index_dir, tmp_path):
    client = make_app(fake_index_dir, feedback_db=tmp_path / "f.sqlite3", rate_limit="off").test_client()
    assert client.get("/api/feedback/export", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}])
def test_export_needs_the_bearer_token(fb_client, headers):
    response = fb_client.get("/api/feedback/export", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert fb_client.get(f"/api/feedback/export?token={TOKEN}").status_code == 401


def test_export_csv_is_masked_and_spreadsheet_safe(fb_client):
    body = ask(fb_client)
    fb_client.post("/api/feedback", json={"answer_id": body["answer_id"], "rating": "down", "question": QUESTION,
                                          "comment": '=HYPERLINK("http://x","클릭") 010-1234-5678'})
    response = fb_client.get("/api/feedback/export", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(text[1:])))
    assert row["rating"] == "down" and row["index_version"] == body["index_version"]
    assert row["comment"].startswith("'=HYPERLINK") and "010-1234-5678" not in text
    assert json.loads(row["passage_ids"]) == [c["id"] for c in body["citations"]]
