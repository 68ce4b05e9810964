"""The program finder: POST /api/match, GET /api/programs and GET /api/programs/<id>.

``/api/match`` takes a profile and returns the catalog programs that fit it, each criterion with
its verdict and the report clause behind it (chatbot/eligibility.py decides; nothing here does).
Profiles are personal data: they are validated, evaluated and dropped, never logged or stored, and
error messages name the field without echoing its value.

All three read the catalog of the snapshot the request runs on, so a published index version
and the catalog it was published with are always served together.
"""
from __future__ import annotations

from datetime import date
from typing import Literal, Optional, TypeVar

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.json_schema import SkipJsonSchema

from chatbot.observability import metrics
from chatbot.programs.catalog import Catalog, Program
from chatbot.programs.criteria import Criterion
from chatbot.programs.eligibility import Verdict, criterion_json, date_json, match
from chatbot.programs.facts import Facts, Profile
from chatbot.programs.fields import AUDIENCES, CATEGORIES
from chatbot.web.errors import APIError
from chatbot.web.requests import current_snapshot, json_body
from chatbot.web.schemas import CriterionOut, DateOut, NextStepsOut, ResponseModel

bp = Blueprint("programs", __name__, url_prefix="/api")

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"
Query = TypeVar("Query", bound=BaseModel)


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"profile": {"age": 27, "resident_of_seoul": True, "employment_status": "unemployed"}, "lang": "en"},
        {"profile": {"business": {"size": "startup", "years_since_founding": 2, "industry": "fintech"},
                     "interests": ["startup"]}, "include_ineligible": True},
    ]})

    profile: Profile
    lang: Literal["ko", "en"] = DEFAULT_LANG
    include_ineligible: bool = False


class ProgramsQuery(BaseModel):
    """GET /api/programs: each parameter optional, at most once."""
    model_config = ConfigDict(extra="forbid")

    category: Literal[CATEGORIES] | SkipJsonSchema[None] = None  # type: ignore[valid-type]
    audience: Literal[AUDIENCES] | SkipJsonSchema[None] = None  # type: ignore[valid-type]
    lang: Literal[LANGS] = DEFAULT_LANG  # type: ignore[valid-type]


class ProgramQuery(BaseModel):
    """GET /api/programs/<id>: the language of the readable rules and next steps."""
    model_config = ConfigDict(extra="forbid")

    lang: Literal[LANGS] = DEFAULT_LANG  # type: ignore[valid-type]


class ProgramPath(BaseModel):
    program_id: str = Field(description="a program's stable id, as GET /api/programs lists them",
                            examples=["youth-academy"])


# ── responses, as the routes below build them (for /openapi.json) ─────────────────────────────

class CatalogResponse(ResponseModel):
    as_of: date = Field(description="the date of the catalog's facts")
    edition: str
    lang: Literal[LANGS]  # type: ignore[valid-type]


class MatchedProgram(ResponseModel):
    id: str
    name: str
    summary: str
    category: str
    verdict: Verdict
    criteria: list[CriterionOut]
    missing: list[str] = Field(description="profile fields that would decide an unknown verdict")
    next_dates: list[DateOut]
    score: int = Field(description="relevance: an interest in its category counts 2, each shared audience 1")
    next_steps: Optional[NextStepsOut]


class MatchResponse(CatalogResponse):
    programs: list[MatchedProgram]


class ProgramSummary(ResponseModel):
    id: str
    name: str
    summary: str
    category: str
    audience: list[str]
    has_criteria: bool = Field(description="at least one criterion a profile can decide")
    next_steps: Optional[NextStepsOut]


class ProgramList(CatalogResponse):
    count: int
    programs: list[ProgramSummary]


# how the finder finds a program, not what it offers: left out of GET /api/programs/<id>
FINDER_FIELDS = {"section", "block", "aliases"}


class CriterionRecord(Criterion):
    rule: str = Field(description="the criterion, readable, in the requested language")


# the catalog's own record (both languages, as curated) without FINDER_FIELDS, each criterion with its rule
ProgramRecord = create_model(
    "ProgramRecord", __base__=ResponseModel,
    **{name: (info.annotation, info) for name, info in Program.model_fields.items() if name not in FINDER_FIELDS}
    | {"eligibility": (list[CriterionRecord], [])})


class ProgramDetail(CatalogResponse):
    program: ProgramRecord  # type: ignore[valid-type]
    next_steps: Optional[NextStepsOut] = Field(description="in the requested language, or the city's help line")


def _catalog() -> Catalog:
    snapshot = current_snapshot()
    if snapshot.catalog is None:
        raise APIError(503, "catalog_not_ready", "The program catalog is not loaded.", headers={"Retry-After": "5"})
    return snapshot.catalog


def _today():
    return current_app.config["SETTINGS"].current_date()


def _query(model: type[Query]) -> Query:
    """Query parameters, each at most once and from its closed list; 400 names the parameter."""
    given: dict[str, str] = {}
    for name in request.args:
        if name not in model.model_fields:
            raise APIError(400, "invalid_parameter", f"{name}: is not a known parameter "
                           f"(expected {', '.join(model.model_fields)})", field=name)
        values = request.args.getlist(name)
        if len(values) != 1:
            raise APIError(400, "invalid_parameter", f"{name}: give one value", field=name)
        given[name] = values[0]
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = str(error["loc"][0])
        expected = error.get("ctx", {}).get("expected", "a listed value")
        raise APIError(400, "invalid_parameter", f"{name}: must be {expected}", field=name) from None


def _local(program: Program, lang: str) -> tuple[str, str]:
    return (program.name.ko, program.summary.ko) if lang == "ko" else (program.name.en, program.summary.en)


@bp.post("/match")
def match_programs():
    body = json_body(MatchRequest)
    catalog = _catalog()
    by_id = {p.id: p for p in catalog}
    verdicts = match(catalog, Facts.from_profile(body.profile), body.lang, body.include_ineligible, _today())
    metrics.count_verdicts(v.verdict for v in verdicts)
    programs = []
    for v in verdicts:
        name, summary = _local(by_id[v.program_id], body.lang)
        programs.append({
            "id": v.program_id,
            "name": name,
            "summary": summary,
            "category": v.category,
            "verdict": v.verdict,
            "criteria": [criterion_json(r) for r in v.criteria],
            "missing": list(v.missing),
            "next_dates": [date_json(d) for d in v.next_dates],
            "score": v.relevance,
            "next_steps": catalog.next_steps(v.program_id, body.lang),
        })
    return jsonify({"as_of": catalog.as_of.isoformat(), "edition": catalog.edition, "lang": body.lang,
                    "programs": programs})


@bp.get("/programs")
def list_programs():
    query = _query(ProgramsQuery)
    lang = query.lang
    catalog = _catalog()
    rows = []
    for p in catalog:
        if query.category is not None and p.category != query.category:
            continue
        if query.audience is not None and query.audience not in p.audience:
            continue
        name, summary = _local(p, lang)
        rows.append({"id": p.id, "name": name, "summary": summary, "category": p.category,
                     "audience": list(p.audience), "has_criteria": any(c.op != "text" for c in p.eligibility),
                     "next_steps": catalog.next_steps(p.id, lang)})
    return jsonify({"as_of": catalog.as_of.isoformat(), "edition": catalog.edition, "lang": lang,
                    "count": len(rows), "programs": rows})


@bp.get("/programs/<program_id>")
def get_program(program_id: str):
    lang = _query(ProgramQuery).lang
    catalog = _catalog()
    program = catalog.get(program_id)
    if program is None:
        raise APIError(404, "not_found", f"No program with id {program_id[:80]!r} in the catalog.")
    record = program.model_dump(mode="json", exclude=FINDER_FIELDS)
    for item, criterion in zip(record["eligibility"], program.eligibility):
        item["rule"] = criterion.describe(lang)      # readable wording in the requested language
    return jsonify({"as_of": catalog.as_of.isoformat(), "edition": catalog.edition, "lang": lang,
                    "program": record, "next_steps": catalog.next_steps(program.id, lang)})
