"""POST /api/ask: a question in, a short answer and the report passages it rests on out."""
from __future__ import annotations

import time
from datetime import date
from typing import Annotated, Any, Literal, Optional

from flask import Blueprint, jsonify
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from chatbot.finder.answer.status import Status
from chatbot.finder.question import normalise
from chatbot.programs.criteria import Clause
from chatbot.programs.facts import whole_number
from chatbot.programs.schedule import When
from chatbot.web.feedback import issue_answer_id
from chatbot.web.observe import answered
from chatbot.web.requests import current_snapshot, json_body
from chatbot.web.schemas import CriterionOut, NextStepsOut, ProgramName, ResponseModel

bp = Blueprint("ask", __name__, url_prefix="/api")

MAX_QUESTION_CHARS = 500


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"question": "정장 빌리는 거 1년에 몇 번까지 돼요?"},                           # answered
        {"question": "30대 후반인데 청년취업사관학교 들을 수 있어?", "top_k": 3},          # a verdict
        {"question": "When does the new Gangnam coding campus open?", "lang": "en"},   # a date
        {"question": "취업날개 전화번호 알려줘"},                                        # partial
        {"question": "전세 대출 이자 지원 받을 수 있나요?"},                               # not_in_report
        {"question": "지원금 뭐 있어요?"},                                              # clarify
    ]})

    # "pattern" tells clients what _not_blank enforces (with its own message): something besides spaces
    question: Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION_CHARS),
                        Field(json_schema_extra={"pattern": r"\S"})]
    lang: Optional[Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]] = None
    top_k: Annotated[int, Field(ge=1, le=10)] = 5

    _whole = field_validator("top_k", mode="before")(whole_number)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = normalise(value)           # NFC, no lone surrogates, single spaces
        if not value:
            raise ValueError("must not be blank")
        return value


# ── the response, as Answer.to_json() and ask() build it (for /openapi.json) ─────────────────────

class CitationOut(ResponseModel):
    id: str
    text: str = Field(description="the passage, verbatim")
    document: str
    document_title: str
    edition: str
    section: str = Field(description="its heading path")
    program_id: Optional[str]
    lines: tuple[int, int] = Field(description="first and last line in the document, 1-based")
    score: float


class QuoteOut(ResponseModel):
    text: str = Field(description="a report line the answer quotes")
    line: int
    passage_id: str


class ProgramScore(ProgramName):
    score: float


class ChoiceOut(ResponseModel):
    """What a clarify answer offers: a category, an audience, or the profile form."""

    label: str
    category: str | SkipJsonSchema[None] = None
    audience: str | SkipJsonSchema[None] = None
    action: Literal["profile"] | SkipJsonSchema[None] = None


class UnderstoodOut(ResponseModel):
    field: str = Field(description="the profile field a phrase of the question states")
    phrase: str
    value: Any = Field(description="a [low, high] range for numbers, else the value")


class EligibilityOut(ResponseModel):
    program: ProgramName
    verdict: Literal["eligible", "unknown", "ineligible"]
    criteria: list[CriterionOut]
    missing: list[str] = Field(description="profile fields that would decide an unknown verdict")
    understood: list[UnderstoodOut]
    program_inferred: bool = Field(description="the question named no program; retrieval pointed at this one")
    next_steps: Optional[NextStepsOut] = Field(description="null after an ineligible verdict")


class ScheduleOut(ResponseModel):
    program: ProgramName
    what: str
    when: str
    start: date
    end: date
    status: When
    edition: str
    clause: Clause


class AskResponse(ResponseModel):
    answer_id: str = Field(description="signed; send it back to POST /api/feedback")
    language: str = Field(description="of the question: detected, or lang")
    answer_language: Literal["ko", "en"]
    status: Status
    answer: str
    grounded: bool = Field(description="status is answered or partial")
    citations: list[CitationOut]
    quotes: list[QuoteOut]
    programs: list[ProgramScore]
    suggestions: list[ProgramName] | SkipJsonSchema[None] = Field(None, description="not_in_report: the closest "
                                                                                   "programs, not an answer")
    choices: list[ChoiceOut] | SkipJsonSchema[None] = Field(None, description="clarify: what to pick from")
    eligibility: EligibilityOut | SkipJsonSchema[None] = Field(None, description="a can-I-join question")
    schedule: list[ScheduleOut] | SkipJsonSchema[None] = Field(None, description="a when question")
    next_steps: NextStepsOut | SkipJsonSchema[None] = Field(None, description="partial: the city's next steps")
    index_version: str
    took_ms: float


@bp.post("/ask")
def ask():
    started = time.perf_counter()
    body = json_body(AskRequest)
    snapshot = current_snapshot()
    answer = snapshot.answer(body.question, body.lang.lower() if body.lang else None, top_k=body.top_k)
    # the question itself is not logged: it may carry the asker's age, income or contact details
    answered(answer.language, answer.status, answer.reason, snapshot.version, len(body.question))
    return jsonify({"answer_id": issue_answer_id(body.question, snapshot.version, answer), **answer.to_json(),
                    "index_version": snapshot.version, "took_ms": round((time.perf_counter() - started) * 1000, 1)})
