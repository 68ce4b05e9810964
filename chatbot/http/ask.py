"""POST /api/ask: a question in, a short answer and the report passages it rests on out."""
from __future__ import annotations

import logging
import time
from typing import Annotated, Optional

from flask import Blueprint, jsonify
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ..answer import Answer
from ..language import detect_language
from .feedback import issue_answer_id
from .requests import current_snapshot, json_body

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
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


def answer_json(answer: Answer, index_version: str, started: float, answer_id: str | None = None) -> dict:
    return {
        "answer_id": answer_id,
        "language": answer.language,
        "answer_language": answer.answer_language,
        "answer": answer.text,
        "grounded": answer.grounded,
        "citations": [
            {
                "id": c.passage.id,
                "text": c.passage.text,
                "document": c.passage.document_id,
                "document_title": c.document_title,
                "edition": c.edition,
                "section": c.passage.section_path,
                "program_id": c.passage.program_id,
                "lines": [c.passage.start_line, c.passage.end_line],
                "score": c.score,
            }
            for c in answer.citations
        ],
        "programs": [{"id": pid, "name": name, "score": score} for pid, name, score in answer.programs],
        **answer.extra,
        "index_version": index_version,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


@bp.post("/ask")
def ask():
    started = time.perf_counter()
    body = json_body(AskRequest)
    snapshot = current_snapshot()
    language = (body.lang or detect_language(body.question)).lower()
    answer = snapshot.answerer.answer(body.question, language, top_k=body.top_k)
    # the question itself is not logged: it may carry the asker's age, income or contact details
    log.info("ask lang=%s grounded=%s version=%s chars=%d", language, answer.grounded, snapshot.version,
             len(body.question))
    answer_id = issue_answer_id(body.question, snapshot.version, answer)
    return jsonify(answer_json(answer, snapshot.version, started, answer_id))
