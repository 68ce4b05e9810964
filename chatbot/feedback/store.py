"""Feedback on answers: signed answer ids and the SQLite file the ratings go to.

/api/ask stores nothing. It hands the widget an ``answer_id`` that carries, signed with HMAC (an
itsdangerous timed token, salted for this one use), what
the feedback row needs from the server's side: the index version, the cited passage ids, the
answer language, whether the answer was grounded, and a keyed digest of the question. When the
citizen rates the answer, the widget sends the id back with the question text; the server checks
the signature and that the question matches the digest, masks personal data and only then writes.
So a question reaches the disk only if its asker chose to rate the answer, and never unmasked.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from itsdangerous import BadData, SignatureExpired, Signer, TimestampSigner, URLSafeTimedSerializer

from chatbot.config import private_file, shared_secret
from chatbot.feedback.privacy import mask_pii
from chatbot.storage.locks import schema_lock

log = logging.getLogger(__name__)

ANSWER_ID_MAX_AGE = 7 * 24 * 3600      # feedback on an answer older than this is refused
_TOKEN_VERSION = "a2"                  # a1 was a hand-made HMAC token; its ids are refused as malformed
ANSWER_ID_SALT = "chatbot.answer-id"
QUESTION_SALT = "chatbot.answer-question"


class InvalidAnswerId(ValueError):
    """The answer_id was not issued by this service (or with another secret)."""


class ExpiredAnswerId(InvalidAnswerId):
    """The answer_id is genuine but older than :data:`ANSWER_ID_MAX_AGE`."""


@dataclass(frozen=True)
class AnswerRef:
    """What a verified answer_id says about the answer it was issued for."""

    nonce: str
    issued_at: int
    index_version: str
    passage_ids: tuple[str, ...]
    answer_language: str
    grounded: bool
    question_digest: str


class _ClockedSigner(TimestampSigner):
    """itsdangerous's timestamp signer, on a given clock when one is passed (tests issue old ids)."""

    def __init__(self, *args, now: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return int(self._now) if self._now is not None else super().get_timestamp()


class AnswerSigner:
    """Issues and checks answer ids: ``a2.`` and an itsdangerous URL-safe timed token (HMAC-SHA256,
    salted with :data:`ANSWER_ID_SALT`) whose timestamp is the answer's time and whose age is
    checked against :data:`ANSWER_ID_MAX_AGE`."""

    def __init__(self, secret: bytes):
        self._secret = secret
        # keyed, so the token a browser holds does not let anyone test guesses of the question
        self._question = Signer(secret, salt=QUESTION_SALT, digest_method=hashlib.sha256)

    def _serializer(self, now: float | None = None) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=ANSWER_ID_SALT, signer=_ClockedSigner,
                                      signer_kwargs={"digest_method": hashlib.sha256, "now": now})

    def question_digest(self, question: str) -> str:
        return self._question.get_signature(question.strip().encode("utf-8")).decode("ascii")

    def issue(self, question: str, index_version: str, passage_ids: list[str], answer_language: str,
              grounded: bool, now: float | None = None) -> str:
        payload = {"n": secrets.token_hex(8), "v": index_version, "p": list(passage_ids), "l": answer_language,
                   "g": int(grounded), "q": self.question_digest(question)}
        return f"{_TOKEN_VERSION}.{self._serializer(now).dumps(payload)}"

    def verify(self, answer_id: str, now: float | None = None) -> AnswerRef:
        version, _, token = answer_id.partition(".")
        if version != _TOKEN_VERSION or not token:
            raise InvalidAnswerId("malformed answer_id")
        try:
            data, signed_at = self._serializer(now).loads(token, max_age=ANSWER_ID_MAX_AGE, return_timestamp=True)
        except SignatureExpired as exc:             # the signature is checked first: genuine, but too old
            raise ExpiredAnswerId("answer_id has expired") from exc
        except BadData as exc:
            raise InvalidAnswerId("answer_id signature does not match") from exc
        try:
            return AnswerRef(nonce=str(data["n"]), issued_at=int(signed_at.timestamp()), index_version=str(data["v"]),
                             passage_ids=tuple(str(p) for p in data["p"]), answer_language=str(data["l"]),
                             grounded=bool(data["g"]), question_digest=str(data["q"]))
        except (ValueError, KeyError, TypeError) as exc:     # signed by us, so only a bug lands here
            raise InvalidAnswerId("unreadable answer_id") from exc

    def question_matches(self, ref: AnswerRef, question: str) -> bool:
        return hmac.compare_digest(self.question_digest(question), ref.question_digest)


def load_secret(configured: str, fallback_file: Path) -> bytes:
    """The configured secret, else one created once in ``fallback_file`` so every gunicorn worker on
    this host signs alike. If the file cannot be written the process uses a random key: answers it
    issues can then be rated only through the worker that issued them, which is logged."""
    if configured:
        return configured.encode("utf-8")
    try:
        return shared_secret(fallback_file, lambda: secrets.token_hex(32)).encode("utf-8")
    except OSError as exc:
        log.warning("answer secret file unusable (%s); using a per-process key", exc)
        return secrets.token_bytes(32)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id              INTEGER PRIMARY KEY,
    answer_nonce    TEXT NOT NULL UNIQUE,
    answered_at     TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    rating          TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment         TEXT,
    question        TEXT,
    answer_language TEXT NOT NULL,
    grounded        INTEGER NOT NULL,
    index_version   TEXT NOT NULL,
    passage_ids     TEXT NOT NULL
);
"""
EXPORT_COLUMNS = ("received_at", "answered_at", "rating", "comment", "question", "answer_language",
                  "grounded", "index_version", "passage_ids")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    """One row per answer: rating again (or adding a comment) updates the row instead of adding
    votes, so one answer_id counts once. A connection per call keeps gunicorn workers and threads
    independent; WAL lets the export read while a worker writes, synchronous=FULL makes a
    confirmed rating survive a power cut."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            with schema_lock(self.path):
                private_file(self.path)      # 0600 (and its -wal/-shm with it): masked questions and comments
                conn = self._open()
                try:
                    conn.executescript(_SCHEMA)
                finally:
                    conn.close()
            self._ready = True
        return self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def record(self, ref: AnswerRef, rating: str, question: str | None, comment: str | None,
               now: float | None = None) -> None:
        """Masks the question and comment, then writes (or updates) the answer's row."""
        question = mask_pii(question) if question else None
        comment = mask_pii(comment) if comment else None
        conn = self._connect()
        try:
            conn.execute(
                """INSERT INTO feedback (answer_nonce, answered_at, received_at, rating, comment, question,
                                         answer_language, grounded, index_version, passage_ids)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (answer_nonce) DO UPDATE SET
                       received_at = excluded.received_at, rating = excluded.rating,
                       comment = COALESCE(excluded.comment, feedback.comment),
                       question = COALESCE(excluded.question, feedback.question)""",
                (ref.nonce, _iso(ref.issued_at), _iso(now if now is not None else time.time()), rating, comment,
                 question, ref.answer_language, int(ref.grounded), ref.index_version,
                 json.dumps(list(ref.passage_ids))),
            )
        finally:
            conn.close()

    def purge(self, retention_days: int, dry_run: bool = False, now: float | None = None) -> int:
        """Deletes the rows received more than ``retention_days`` ago (``received_at``: rating again
        renews a row) and returns how many; ``dry_run`` only counts them."""
        cutoff = _iso((now if now is not None else time.time()) - retention_days * 86400)
        conn = self._connect()
        try:
            if dry_run:
                return conn.execute("SELECT COUNT(*) FROM feedback WHERE received_at < ?", (cutoff,)).fetchone()[0]
            return conn.execute("DELETE FROM feedback WHERE received_at < ?", (cutoff,)).rowcount
        finally:
            conn.close()

    def rows(self) -> Iterator[dict]:
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            for row in conn.execute(f"SELECT {', '.join(EXPORT_COLUMNS)} FROM feedback ORDER BY id"):
                yield dict(row)
        finally:
            conn.close()

    def export_csv(self) -> Iterator[str]:
        """CSV for a spreadsheet: a UTF-8 BOM so Excel reads the Korean right, and cells that would
        start a formula (=, +, -, @) prefixed with an apostrophe so a comment cannot run in Excel."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(EXPORT_COLUMNS)
        for row in self.rows():
            writer.writerow([_cell(row[column]) for column in EXPORT_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()


def _cell(value) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
