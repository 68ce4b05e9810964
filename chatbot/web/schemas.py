"""Response shapes several routes share, as pydantic models: the error body, a program's
eligibility criteria and dates, and the city's next steps.

The routes build their JSON as dicts (``criterion_json``, ``NextSteps.to_json``, …); these models
only describe it, for /openapi.json (chatbot/web/openapi.py). Nothing validates a response with
them at run time; tests/web/test_openapi_contract.py checks real responses against the document.
``SkipJsonSchema[None]`` marks a key that is left out rather than sent as null."""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from chatbot.programs.criteria import Clause
from chatbot.programs.eligibility import Status


class ResponseModel(BaseModel):
    # additionalProperties: false, so a key a route adds without documenting it fails the contract test
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(ResponseModel):
    code: str = Field(description="stable, for clients to branch on: invalid_field, invalid_json, not_found, "
                                  "rate_limited, index_not_ready, …")
    message: str = Field(description="for people; names a field, never echoes its value")
    field: str | SkipJsonSchema[None] = Field(None, description="the offending field or query parameter")
    request_id: str = Field(description="the id of the request, as in the X-Request-ID header and the logs")


class ErrorResponse(ResponseModel):
    """Every 4xx and 5xx of the API (chatbot/web/errors.py)."""

    error: ErrorDetail


class CriterionOut(ResponseModel):
    """One condition of a program and what a profile or question makes of it (``criterion_json``)."""

    field: Optional[str] = Field(description="the profile field it reads; null for a condition stated only in words")
    rule: str = Field(description="the condition, readable, in the response's language")
    status: Status
    part: Optional[str] = Field(description="the part of the program the condition is for")
    part_named: bool
    selection: bool = Field(description="how applicants are chosen: shown, never an entry condition")
    alternative: Optional[str] = Field(description="criteria with the same name are alternatives")
    clause: Clause


class DateOut(ResponseModel):
    """A dated step of a program that is not over yet (``date_json``)."""

    what: str
    when: str = Field(description="as the report gives it: YYYY-MM-DD, YYYY-MM, YYYY-Qn or a range A..B")
    start: date
    end: date
    status: Literal["upcoming", "ongoing"]
    clause: Clause


class NextStepsOut(ResponseModel):
    """How to apply and whom to call, from the city's staff, not from the report
    (``NextSteps.to_json``)."""

    source: Literal["city"]
    general: bool = Field(description="the city's general help line: the program has no steps of its own")
    note: str
    how_to_apply: Optional[str]
    office: Optional[str]
    phone: Optional[str]
    web: Optional[str]
    hours: Optional[str]
    provided_by: str
    checked_on: date


class ProgramName(ResponseModel):
    id: str
    name: str
