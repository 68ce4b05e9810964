"""Feedback on answers: signed answer ids and the table the ratings go to (``feedback`` in
chatbot/storage: the shared database with ``DATABASE_URL``, else its own SQLite file).

/api/ask stores nothing. It hands the widget an ``answer_id`` that carries, signed with HMAC (an
itsdangerous timed token, salted for this one use), what
the feedback row needs from the server's side: the index version, the cited passage ids, the
answer language, whether the answer was grounded, and a keyed digest of the question. When the
citizen rates the answer, the widget sends the id back with the question text; the server checks
the signature and that the question matches the digest, masks personal data and only then writes.
So a question reaches the disk only if its asker chose to rate the answer, and never unmasked.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import hmac
import io
import json
import logging
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from itsdangerous import BadData, SignatureExpired, Signer, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError, TimeoutError as PoolTimeout

from chatbot.config import Settings
from chatbot.feedback.privacy import mask_pii
from chatbot.storage.database import Database, feedback_database
from chatbot.storage.migrate import SchemaBehind, ensure_ready
from chatbot.storage.shared_secrets import generated_secret
from chatbot.storage.statements import upsert
from chatbot.storage.tables import feedback

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


class FeedbackUnavailable(RuntimeError):
    """The feedback database cannot be reached (or its schema is behind): try again later."""


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """Database outages as :class:`FeedbackUnavailable`. Only the driver's own message is kept:
    SQLAlchemy's would repeat the statement's parameters, the (masked) question among them."""
    try:
        yield
    except (OperationalError, InterfaceError, PoolTimeout) as exc:
        cause = getattr(exc, "orig", None) or exc                  # a pool timeout has no driver error
        first_line = (str(cause).strip().splitlines() or [""])[0]
        raise FeedbackUnavailable(f"{type(cause).__name__}: {first_line}") from exc
    except SchemaBehind as exc:
        raise FeedbackUnavailable(str(exc)) from exc


def load_secret(settings: Settings) -> bytes:
    """CHATBOT_ANSWER_SECRET, else a generated one every issuer shares: in the shared database with
    DATABASE_URL (every host), else in ``answer-secret`` beside the feedback file (every worker of
    this host). If that file cannot be written the process uses a random key: answers it issues can
    then be rated only through the worker that issued them, which is logged. A database that cannot
    be read (down, or not migrated yet) raises :class:`FeedbackUnavailable`."""
    if settings.answer_secret:
        return settings.answer_secret.encode("utf-8")
    try:
        return generated_secret(settings, "answer_secret", settings.feedback_db.parent / "answer-secret",
                                lambda: secrets.token_hex(32)).encode("utf-8")
    except SQLAlchemyError as exc:          # down, or not migrated yet: either way not readable now
        raise FeedbackUnavailable(f"answer secret unreadable ({type(exc).__name__})") from exc
    except OSError as exc:
        log.warning("answer secret file unusable (%s); using a per-process key", exc)
        return secrets.token_bytes(32)


EXPORT_COLUMNS = ("received_at", "answered_at", "rating", "comment", "question", "answer_language",
                  "grounded", "index_version", "passage_ids")
EXPORT_BATCH = 500           # rows fetched at a time while the CSV streams


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    """One row per answer: rating again (or adding a comment) updates the row instead of adding
    votes, so one answer_id counts once. Every call is its own transaction (chatbot/storage), so
    gunicorn workers, threads and hosts stay independent; on SQLite, WAL lets the export read
    while a worker writes and synchronous=FULL makes a confirmed rating survive a power cut.
    The table is made by the migrations (:meth:`open` runs them where nobody else does)."""

    def __init__(self, db: Database):
        self.db = db

    @classmethod
    def open(cls, settings: Settings) -> "FeedbackStore":
        """The store of ``settings``, its schema ready: the embedded SQLite files migrate themselves
        here, a shared database must already be at this code's revision. Call once, not per request."""
        with _reachable():
            ensure_ready(settings)
        return cls(feedback_database(settings))

    def record(self, ref: AnswerRef, rating: str, question: str | None, comment: str | None,
               now: float | None = None) -> None:
        """Masks the question and comment, then writes (or updates) the answer's row."""
        question = mask_pii(question) if question else None
        comment = mask_pii(comment) if comment else None
        row = {"answer_nonce": ref.nonce, "answered_at": _iso(ref.issued_at),
               "received_at": _iso(now if now is not None else time.time()), "rating": rating, "comment": comment,
               "question": question, "answer_language": ref.answer_language, "grounded": int(ref.grounded),
               "index_version": ref.index_version, "passage_ids": json.dumps(list(ref.passage_ids))}
        with _reachable(), self.db.write() as conn:
            insert = upsert(conn, feedback).values(row)
            conn.execute(insert.on_conflict_do_update(index_elements=[feedback.c.answer_nonce], set_={
                "received_at": insert.excluded.received_at, "rating": insert.excluded.rating,
                "comment": func.coalesce(insert.excluded.comment, feedback.c.comment),
                "question": func.coalesce(insert.excluded.question, feedback.c.question)}))

    def purge(self, retention_days: int, dry_run: bool = False, now: float | None = None) -> int:
        """Deletes the rows received more than ``retention_days`` ago (``received_at``: rating again
        renews a row) and returns how many; ``dry_run`` only counts them."""
        old = feedback.c.received_at < _iso((now if now is not None else time.time()) - retention_days * 86400)
        with _reachable():
            if dry_run:
                with self.db.read() as conn:
                    return conn.execute(select(func.count()).select_from(feedback).where(old)).scalar_one()
            with self.db.write() as conn:
                return conn.execute(delete(feedback).where(old)).rowcount

    def rows(self) -> Iterator[dict]:
        """Every row, oldest first, fetched in batches (a server-side cursor on PostgreSQL)."""
        with _reachable(), self.db.read() as conn:
            result = conn.execution_options(yield_per=EXPORT_BATCH).execute(
                select(*(feedback.c[column] for column in EXPORT_COLUMNS)).order_by(feedback.c.id))
            for row in result.mappings():
                yield dict(row)

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
