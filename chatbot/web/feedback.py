"""POST /api/feedback (thumbs up/down and a comment on one answer) and GET /api/feedback/export.

The design is in :mod:`chatbot.feedback.store`: /api/ask hands out a signed ``answer_id`` and
stores nothing; the rating comes back with that id and the question, which is masked before it
is written.

Only rating and export need the database. The answer secret is loaded when the app starts (with
DATABASE_URL) or on first use, then held in memory, so /api/ask signs without the database; while
the database cannot be reached, POST /api/feedback and the export answer 503 with Retry-After."""
from __future__ import annotations

import contextlib
import logging
import secrets
from typing import Annotated, Iterator, Literal, Optional

from flask import Blueprint, Flask, current_app, jsonify
from flask.blueprints import BlueprintSetupState
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from chatbot.finder.pipeline import Answer
from chatbot.feedback.export import csv_download, store_for
from chatbot.feedback.store import (AnswerSigner, ExpiredAnswerId, FeedbackUnavailable, InvalidAnswerId,
                                    load_secret)
from chatbot.observability import metrics
from chatbot.observability.outages import StoreOutage
from chatbot.web.errors import APIError, require_bearer
from chatbot.web.requests import json_body
from chatbot.web.schemas import ResponseModel

log = logging.getLogger(__name__)
bp = Blueprint("feedback", __name__, url_prefix="/api")
RETRY_AFTER_SECONDS = 10       # while the database is unreachable

MAX_COMMENT_CHARS = 1000
MAX_QUESTION_CHARS = 500       # the same limit as /api/ask; kept here so ask.py need not be imported


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    answer_id: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    rating: Literal["up", "down"]
    comment: Optional[Annotated[str, StringConstraints(max_length=MAX_COMMENT_CHARS)]] = None
    question: Optional[Annotated[str, StringConstraints(max_length=MAX_QUESTION_CHARS)]] = None

    @field_validator("comment", "question")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None


class FeedbackResponse(ResponseModel):
    status: Literal["recorded"]
    rating: Literal["up", "down"]


def _outage(app: Flask) -> StoreOutage:
    """This app's view of the feedback database: after a failure it is left alone a few seconds,
    so an outage costs a rating one quick 503, not a connect timeout each."""
    return app.extensions.setdefault("feedback_database_outage", StoreOutage("database", "feedback"))


@contextlib.contextmanager
def _feedback_database() -> Iterator[None]:
    """Around whatever needs the feedback database: 503 ``feedback_unavailable`` while it is down."""
    outage = _outage(current_app)
    if not outage.usable():
        outage.skipped()
        raise _unavailable()
    try:
        yield
    except FeedbackUnavailable as exc:
        outage.failed(exc)
        raise _unavailable() from exc
    outage.succeeded()


def _unavailable() -> APIError:
    return APIError(503, "feedback_unavailable", "Ratings cannot be saved right now; please try again shortly.",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _signer() -> AnswerSigner:
    """The app's signer; its secret is read once (file or shared database) and then kept in memory.
    Raises :class:`FeedbackUnavailable` while a shared database holding it cannot be reached."""
    signer = current_app.extensions.get("answer_signer")
    if signer is None:
        signer = current_app.extensions["answer_signer"] = AnswerSigner(load_secret(current_app.config["SETTINGS"]))
    return signer


def _answer_signer() -> AnswerSigner:
    """The signer /api/ask uses. If the shared secret was never loaded and the database is down, a
    stand-in key for this process keeps answers flowing; ratings of those answers are refused
    (invalid_answer_id) and the shared secret is tried again once the database is back."""
    signer = current_app.extensions.get("answer_signer")
    if signer is not None:
        return signer
    outage = _outage(current_app)
    if outage.usable():
        try:
            signer = _signer()
        except FeedbackUnavailable as exc:
            outage.failed(exc)
        else:
            outage.succeeded()
            return signer
    return current_app.extensions.setdefault("answer_signer_stand_in", AnswerSigner(secrets.token_bytes(32)))


@bp.record_once
def _load_answer_secret(state: BlueprintSetupState) -> None:
    """With DATABASE_URL, the shared answer secret is read while the app starts, so no answer ever
    waits on the database for it; if the database is not there yet, first use tries again."""
    settings = state.app.config["SETTINGS"]
    if settings.database_url and not settings.answer_secret:
        with state.app.app_context():
            try:
                _signer()
            except FeedbackUnavailable as exc:
                log.warning("answer secret not loaded at start (%s); trying again on first use", type(exc).__name__)


def issue_answer_id(question: str, index_version: str, answer: Answer) -> str:
    """The answer_id /api/ask returns; everything the feedback row needs except the question text."""
    return _answer_signer().issue(question, index_version, answer.citation_ids,
                                  answer.answer_language, answer.grounded)


@bp.post("/feedback")
def post_feedback():
    body = json_body(FeedbackRequest)
    signer = current_app.extensions.get("answer_signer")
    if signer is None:
        with _feedback_database():
            signer = _signer()
    try:
        ref = signer.verify(body.answer_id)
    except ExpiredAnswerId as exc:
        raise APIError(400, "answer_expired", "This answer is too old to rate; ask again.", field="answer_id") from exc
    except InvalidAnswerId as exc:
        raise APIError(400, "invalid_answer_id", "answer_id was not issued by this service.",
                       field="answer_id") from exc
    if body.question is not None and not signer.question_matches(ref, body.question):
        raise APIError(400, "question_mismatch", "question is not the one this answer was given for.",
                       field="question")
    with _feedback_database():
        store_for(current_app).record(ref, body.rating, body.question, body.comment)
    metrics.count_feedback(body.rating)
    return jsonify({"status": "recorded", "rating": body.rating})


@bp.get("/feedback/export")
def export_feedback():
    """CSV of all feedback for scripts, behind a bearer token (a header, not a query string, so it
    never lands in an access log); no token configured means this route does not exist. Staff
    download the same CSV signed in, at /admin/feedback.csv (publisher role)."""
    require_bearer(current_app.config["SETTINGS"].feedback_export_token, "feedback-export")
    with _feedback_database():
        return csv_download(store_for(current_app))
