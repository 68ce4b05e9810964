"""POST /api/feedback (thumbs up/down and a comment on one answer) and GET /api/feedback/export.

The design is in :mod:`chatbot.feedback.store`: /api/ask hands out a signed ``answer_id`` and
stores nothing; the rating comes back with that id and the question, which is masked before it
is written."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from chatbot.finder.pipeline import Answer
from chatbot.feedback.export import csv_download, store_for
from chatbot.feedback.store import AnswerSigner, ExpiredAnswerId, InvalidAnswerId, load_secret
from chatbot.observability import metrics
from chatbot.web.errors import APIError, require_bearer
from chatbot.web.requests import json_body
from chatbot.web.schemas import ResponseModel

bp = Blueprint("feedback", __name__, url_prefix="/api")

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


def _signer() -> AnswerSigner:
    signer = current_app.extensions.get("answer_signer")
    if signer is None:
        settings = current_app.config["SETTINGS"]
        fallback = settings.feedback_db.parent / "answer-secret"
        signer = current_app.extensions["answer_signer"] = AnswerSigner(load_secret(settings.answer_secret, fallback))
    return signer


def issue_answer_id(question: str, index_version: str, answer: Answer) -> str:
    """The answer_id /api/ask returns; everything the feedback row needs except the question text."""
    return _signer().issue(question, index_version, answer.citation_ids,
                           answer.answer_language, answer.grounded)


@bp.post("/feedback")
def post_feedback():
    body = json_body(FeedbackRequest)
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
    store_for(current_app).record(ref, body.rating, body.question, body.comment)
    metrics.count_feedback(body.rating)
    return jsonify({"status": "recorded", "rating": body.rating})


@bp.get("/feedback/export")
def export_feedback():
    """CSV of all feedback for scripts, behind a bearer token (a header, not a query string, so it
    never lands in an access log); no token configured means this route does not exist. Staff
    download the same CSV signed in, at /admin/feedback.csv (publisher role)."""
    require_bearer(current_app.config["SETTINGS"].feedback_export_token, "feedback-export")
    return csv_download(store_for(current_app))
