"""The feedback store on both engines (``state_db``: SQLite and PostgreSQL): one row per answer
(the upsert on answer_nonce), personal data masked before it is written, the CSV export streamed
in order, and a database that cannot be reached reported as FeedbackUnavailable."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from chatbot.feedback import store as store_module
from chatbot.feedback.store import AnswerRef, FeedbackStore, FeedbackUnavailable
from chatbot.storage.database import Database
from chatbot.storage.tables import feedback


def ref(nonce: str) -> AnswerRef:
    return AnswerRef(nonce=nonce, issued_at=1_750_000_000, index_version="v1", passage_ids=("p1", "p2"),
                     answer_language="ko", grounded=True, question_digest="d")


def stored(db: Database) -> list[dict]:
    with db.read() as conn:
        return [dict(row) for row in conn.execute(select(feedback).order_by(feedback.c.id)).mappings()]


def test_one_row_per_answer_and_a_later_blank_keeps_the_earlier_text(state_db):
    store = FeedbackStore(state_db)
    store.record(ref("n1"), "up", "정장 대여 횟수? 010-1234-5678", None, now=1_750_000_100)
    store.record(ref("n1"), "down", None, "출처가 엉뚱해요 hong@example.com", now=1_750_000_200)
    store.record(ref("n1"), "down", None, None, now=1_750_000_300)
    store.record(ref("n2"), "up", None, None, now=1_750_000_400)
    first, second = stored(state_db)
    assert (first["answer_nonce"], first["rating"], second["answer_nonce"]) == ("n1", "down", "n2")
    assert first["question"] == "정장 대여 횟수? [전화번호]" and first["comment"] == "출처가 엉뚱해요 [이메일]"
    assert first["received_at"].startswith("2025-06-15T15:") and first["received_at"] > first["answered_at"]
    assert first["grounded"] == 1 and first["passage_ids"] == '["p1", "p2"]'


def test_export_streams_every_row_oldest_first(state_db, monkeypatch):
    monkeypatch.setattr(store_module, "EXPORT_BATCH", 2)           # several fetches for five rows
    store = FeedbackStore(state_db)
    for i in range(5):
        store.record(ref(f"n{i}"), "up" if i % 2 else "down", f"질문 {i}", "=1+1" if i == 3 else None)
    chunks = list(store.export_csv())
    assert len(chunks) == 6 and chunks[0].startswith("\ufeffreceived_at,")
    exported = list(csv.DictReader(io.StringIO("".join(chunks)[1:])))
    assert [row["question"] for row in exported] == [f"질문 {i}" for i in range(5)]
    assert exported[3]["comment"] == "'=1+1"


def test_an_unreachable_database_is_feedback_unavailable(tmp_path):
    """Nothing listens on port 1: refused at once, reported without SQLAlchemy's parameter dump."""
    store = FeedbackStore(Database("postgresql://postgres@127.0.0.1:1/none"))
    with pytest.raises(FeedbackUnavailable) as raised:
        store.record(ref("n1"), "up", "질문 010-1234-5678", None)
    assert "010" not in str(raised.value) and "질문" not in str(raised.value)
    with pytest.raises(FeedbackUnavailable):
        next(store.export_csv())
    store.db.dispose()
