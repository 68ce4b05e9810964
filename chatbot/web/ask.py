"""POST /api/ask: a question in, a short answer and the report passages it rests on out."""
from __future__ import annotations

import logging
import time
from typing import Annotated, Optional

from flask import Blueprint, jsonify
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from chatbot.finder.question import normalise
from chatbot.web.feedback import issue_answer_id
from chatbot.web.requests import current_snapshot, json_body

log = logging.getLogger(__name__)
bp = Blueprint("ask", __name__, url_prefix="/api")

MAX_QUESTION_CHARS = 500


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    question: Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION_CHARS)]
    lang: Optional[Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]] = None
    top_k: Annotated[int, Field(ge=1, le=10)] = 5

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = normalise(value)           # NFC, no lone surrogates, single spaces
        if not value:
            raise ValueError("must not be blank")
        return value


@bp.post("/ask")
def ask():
    started = time.perf_counter()
    body = json_body(AskRequest)
    snapshot = current_snapshot()
    answer = snapshot.answerer.answer(body.question, body.lang.lower() if body.lang else None, top_k=body.top_k)
    # the question itself is not logged: it may carry the asker's age, income or contact details
    log.info("ask lang=%s status=%s reason=%s version=%s chars=%d", answer.language, answer.status, answer.reason,
             snapshot.version, len(body.question))
    return jsonify({"answer_id": issue_answer_id(body.question, snapshot.version, answer), **answer.to_json(),
                    "index_version": snapshot.version, "took_ms": round((time.perf_counter() - started) * 1000, 1)})
