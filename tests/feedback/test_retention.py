"""Feedback is kept CHATBOT_FEEDBACK_RETENTION_DAYS (365) days: ``python -m chatbot purge-feedback``
deletes older rows (by ``received_at``), prints how many, and ``--dry-run`` only counts them."""
from __future__ import annotations

import sqlite3
import time

from chatbot.cli import main
from chatbot.config import Settings
from chatbot.feedback.store import AnswerRef, FeedbackStore

DAY = 86400
NOW = time.time()


def ref(nonce: str, age_days: float) -> AnswerRef:
    return AnswerRef(nonce=nonce, issued_at=int(NOW - age_days * DAY), index_version="v1", passage_ids=("p1",),
                     answer_language="ko", grounded=True, question_digest="d")


def seed(path) -> FeedbackStore:
    store = FeedbackStore(path)
    for nonce, age in (("ancient", 800), ("old", 366), ("recent", 364), ("today", 0)):
        store.record(ref(nonce, age), "up", f"질문 {nonce}", None, now=NOW - age * DAY)
    return store


def nonces(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT answer_nonce FROM feedback")}
    finally:
        conn.close()


def test_default_retention_is_a_year():
    assert Settings().feedback_retention_days == 365


def test_purge_deletes_rows_older_than_the_retention_and_keeps_newer(tmp_path):
    store = seed(tmp_path / "f.sqlite3")
    assert store.purge(365, dry_run=True, now=NOW) == 2
    assert nonces(store.path) == {"ancient", "old", "recent", "today"}
    assert store.purge(365, now=NOW) == 2
    assert nonces(store.path) == {"recent", "today"}
    assert store.purge(365, now=NOW) == 0


def test_rating_again_renews_the_row(tmp_path):
    store = seed(tmp_path / "f.sqlite3")
    store.record(ref("old", 366), "down", None, "다시 평가", now=NOW)
    assert store.purge(365, now=NOW) == 1 and nonces(store.path) == {"old", "recent", "today"}


def test_purge_feedback_command(tmp_path, monkeypatch, capsys):
    path = tmp_path / "f.sqlite3"
    seed(path)
    monkeypatch.setenv("CHATBOT_FEEDBACK_DB", str(path))
    monkeypatch.setenv("CHATBOT_FEEDBACK_RETENTION_DAYS", "30")
    assert main(["purge-feedback", "--dry-run"]) == 0
    assert "would delete 3 feedback row(s)" in capsys.readouterr().out
    assert nonces(path) == {"ancient", "old", "recent", "today"}
    assert main(["purge-feedback"]) == 0
    assert "deleted 3 feedback row(s) received more than 30 days ago" in capsys.readouterr().out
    assert nonces(path) == {"today"}
