"""The program finder: POST /api/match, GET /api/programs and GET /api/programs/<id>.

``/api/match`` takes a profile and returns the catalog programs that fit it, each criterion with
its verdict and the report clause behind it (chatbot/eligibility.py decides; nothing here does).
Profiles are personal data: they are validated, evaluated and dropped, never logged or stored, and
error messages name the field without echoing its value.

All three read the catalog of the snapshot the request runs on, so a published index version
and the catalog it was published with are always served together.
"""
from __future__ import annotations

from typing import Literal

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict

from chatbot.programs.catalog import Catalog, Program
from chatbot.programs.eligibility import criterion_json, date_json, match
from chatbot.programs.facts import Facts, Profile
from chatbot.programs.fields import AUDIENCES, CATEGORIES, INDUSTRIES
from chatbot.web.errors import APIError
from chatbot.web.requests import current_snapshot, json_body

bp = Blueprint("programs", __name__, url_prefix="/api")

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    profile: Profile
    lang: Literal["ko", "en"] = DEFAULT_LANG
    include_ineligible: bool = False


def _catalog() -> Catalog:
    snapshot = current_snapshot()
    if snapshot.catalog is None:
        raise APIError(503, "catalog_not_ready", "The program catalog is not loaded.", headers={"Retry-After": "5"})
    return snapshot.catalog


def _today():
    return current_app.config["SETTINGS"].current_date()


def _query(allowed: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Query parameters, each at most once and from its closed list; 400 names the parameter."""
    out: dict[str, str] = {}
    for name in request.args:
        if name not in allowed:
            raise APIError(400, "invalid_parameter", f"{name}: is not a known parameter "
                           f"(expected {', '.join(allowed)})", field=name)
        values = request.args.getlist(name)
        if len(values) != 1:
            raise APIError(400, "invalid_parameter", f"{name}: give one value", field=name)
        value = values[0].strip()
        if value not in allowed[name]:
            raise APIError(400, "invalid_parameter", f"{name}: must be one of {', '.join(allowed[name])}", field=name)
        out[name] = value
    return out


def _local(program: Program, lang: str) -> tuple[str, str]:
    return (program.name.ko, program.summary.ko) if lang == "ko" else (program.name.en, program.summary.en)


@bp.post("/match")
def match_programs():
    body = json_body(MatchRequest)
    business = body.profile.business
    if business is not None and business.industry is not None and business.industry not in INDUSTRIES:
        # A typo would otherwise read as "not in the listed industries" and turn a verdict to ineligible.
        field = "profile.business.industry"
        raise APIError(400, "invalid_field", f"{field}: must be one of {', '.join(INDUSTRIES)}", field=field)
    catalog = _catalog()
    by_id = {p.id: p for p in catalog}
    verdicts = match(catalog, Facts.from_profile(body.profile), body.lang, body.include_ineligible, _today())
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
    query = _query({"category": CATEGORIES, "audience": AUDIENCES, "lang": LANGS})
    lang = query.get("lang", DEFAULT_LANG)
    catalog = _catalog()
    rows = []
    for p in catalog:
        if "category" in query and p.category != query["category"]:
            continue
        if "audience" in query and query["audience"] not in p.audience:
            continue
        name, summary = _local(p, lang)
        rows.append({"id": p.id, "name": name, "summary": summary, "category": p.category,
                     "audience": list(p.audience), "has_criteria": any(c.op != "text" for c in p.eligibility),
                     "next_steps": catalog.next_steps(p.id, lang)})
    return jsonify({"as_of": catalog.as_of.isoformat(), "edition": catalog.edition, "lang": lang,
                    "count": len(rows), "programs": rows})


@bp.get("/programs/<program_id>")
def get_program(program_id: str):
    query = _query({"lang": LANGS})
    lang = query.get("lang", DEFAULT_LANG)
    catalog = _catalog()
    program = catalog.get(program_id)
    if program is None:
        raise APIError(404, "not_found", f"No program with id {program_id[:80]!r} in the catalog.")
    record = program.model_dump(mode="json", exclude={"section", "block", "aliases"})   # how the finder finds it, not what it offers
    for item, criterion in zip(record["eligibility"], program.eligibility):
        item["rule"] = criterion.describe(lang)      # readable wording in the requested language
    return jsonify({"as_of": catalog.as_of.isoformat(), "edition": catalog.edition, "lang": lang,
                    "program": record, "next_steps": catalog.next_steps(program.id, lang)})
