"""Feedback is kept CHATBOT_FEEDBACK_RETENTION_DAYS (365) days: ``python -m chatbot purge-feedback``
deletes older rows (by ``received_at``), prints how many, and ``--dry-run`` only counts them. The
store's tests run on both engines (``state_db``); the command on a fresh machine and on PostgreSQL."""
from __future__ import annotations

import time

from sqlalchemy import select

from chatbot.cli import main
from chatbot.config import Settings
from chatbot.feedback.store import AnswerRef, FeedbackStore
from chatbot.storage import migrate
from chatbot.storage.database import Database
from chatbot.storage.tables import feedback

DAY = 86400
NOW = time.time()


def ref(nonce: str, age_days: float) -> AnswerRef:
    return AnswerRef(nonce=nonce, issued_at=int(NOW - age_days * DAY), index_version="v1", passage_ids=("p1",),
                     answer_language="ko", grounded=True, question_digest="d")


def seed(db: Database) -> FeedbackStore:
    store = FeedbackStore(db)
    for nonce, age in (("ancient", 800), ("old", 366), ("recent", 364), ("today", 0)):
        store.record(ref(nonce, age), "up", f"질문 {nonce}", None, now=NOW - age * DAY)
    return store


def nonces(db: Database) -> set[str]:
    with db.read() as conn:
        return set(conn.execute(select(feedback.c.answer_nonce)).scalars())


def test_default_retention_is_a_year():
    assert Settings().feedback_retention_days == 365


def test_purge_deletes_rows_older_than_the_retention_and_keeps_newer(state_db):
    store = seed(state_db)
    assert store.purge(365, dry_run=True, now=NOW) == 2
    assert nonces(state_db) == {"ancient", "old", "recent", "today"}
    assert store.purge(365, now=NOW) == 2
    assert nonces(state_db) == {"recent", "today"}
    assert store.purge(365, now=NOW) == 0


def test_rating_again_renews_the_row(state_db):
    store = seed(state_db)
    store.record(ref("old", 366), "down", None, "다시 평가", now=NOW)
    assert store.purge(365, now=NOW) == 1 and nonces(state_db) == {"old", "recent", "today"}


def test_purge_feedback_on_a_fresh_machine_migrates_the_file_itself(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHATBOT_FEEDBACK_DB", str(tmp_path / "f.sqlite3"))
    monkeypatch.setenv("CHATBOT_ADMIN_DB", str(tmp_path / "admin.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["purge-feedback"]) == 0
    assert "deleted 0 feedback row(s)" in capsys.readouterr().out
    assert nonces(Database.sqlite(tmp_path / "f.sqlite3")) == set()


def test_purge_feedback_command_on_the_shared_database(pg_url, monkeypatch, capsys):
    db = Database(pg_url)
    migrate.upgrade(db)
    seed(db)
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("CHATBOT_FEEDBACK_RETENTION_DAYS", "365")
    assert main(["purge-feedback"]) == 0
    assert "deleted 2 feedback row(s)" in capsys.readouterr().out
    assert nonces(db) == {"recent", "today"}
    db.dispose()


def test_purge_feedback_command(tmp_path, monkeypatch, capsys):
    path = tmp_path / "f.sqlite3"
    monkeypatch.setenv("CHATBOT_ADMIN_DB", str(tmp_path / "admin.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = Database.sqlite(path)
    migrate.upgrade(db)
    seed(db)
    monkeypatch.setenv("CHATBOT_FEEDBACK_DB", str(path))
    monkeypatch.setenv("CHATBOT_FEEDBACK_RETENTION_DAYS", "30")
    assert main(["purge-feedback", "--dry-run"]) == 0
    assert "would delete 3 feedback row(s)" in capsys.readouterr().out
    assert nonces(db) == {"ancient", "old", "recent", "today"}
    assert main(["purge-feedback"]) == 0
    assert "deleted 3 feedback row(s) received more than 30 days ago" in capsys.readouterr().out
    assert nonces(db) == {"today"}
