"""GET /openapi.json: the public API as an OpenAPI 3.1 document, generated from the pydantic
models that validate its requests (``AskRequest``, ``MatchRequest`` with ``Profile``,
``FeedbackRequest``, the query models of /api/programs) and describe its responses, so there is
no second, hand-written copy to drift.

:data:`OPERATIONS` pairs each path and method with those models and the error statuses it can
answer; every error has the one shape of chatbot/web/errors.py. The document is built on the first
request and kept for the life of the app. tests/web/test_openapi_contract.py fuzzes the real app
against it with schemathesis."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from chatbot.web.ask import AskRequest, AskResponse
from chatbot.web.feedback import FeedbackRequest, FeedbackResponse
from chatbot.web.health import Alive, Ready
from chatbot.web.programs import (MatchRequest, MatchResponse, ProgramDetail, ProgramList, ProgramPath,
                                  ProgramQuery, ProgramsQuery)
from chatbot.web.schemas import ErrorResponse

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"
REF_TEMPLATE = "#/components/schemas/{model}"
JSON = "application/json"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str                                   # OpenAPI form: /api/programs/{program_id}
    summary: str
    ok: type[BaseModel]                         # the 200 body
    errors: tuple[int, ...]                     # the error statuses it answers, each with ErrorResponse
    body: type[BaseModel] | None = None         # the JSON body, as json_body() validates it
    query: type[BaseModel] | None = None        # query parameters, one per field
    path_params: type[BaseModel] | None = None  # path parameters, one per field


JSON_BODY_ERRORS = (400, 413, 415, 429, 503)
OPERATIONS: tuple[Operation, ...] = (
    Operation("post", "/api/ask", "Answer a question from the report, with the passages it rests on",
              AskResponse, JSON_BODY_ERRORS, body=AskRequest),
    Operation("post", "/api/match", "The programs that fit a profile, criterion by criterion",
              MatchResponse, JSON_BODY_ERRORS, body=MatchRequest),
    Operation("get", "/api/programs", "The program catalog, optionally filtered",
              ProgramList, (400, 429, 503), query=ProgramsQuery),
    Operation("get", "/api/programs/{program_id}", "One program's full catalog record",
              ProgramDetail, (400, 404, 429, 503), query=ProgramQuery, path_params=ProgramPath),
    Operation("post", "/api/feedback", "Rate an answer (and optionally comment on it)",
              FeedbackResponse, (400, 413, 415, 429, 503), body=FeedbackRequest),
    Operation("get", "/healthz", "The process is alive", Alive, ()),
    Operation("get", "/readyz", "An index is loaded and answers can be given", Ready, (503,)),
)

_ERRORS = {
    400: "A field or query parameter is invalid (named in `field`), or the body is not valid JSON.",
    404: "No program with this id.",
    413: "The body is larger than {max_body} bytes.",
    415: "The body is not sent as application/json.",
    429: "Too many requests from this client: wait `Retry-After` seconds.",
    503: "No verified index (or catalog) is loaded yet, or (feedback) the database cannot be reached: "
         "retry after `Retry-After` seconds.",
}
_RETRY_AFTER_STATUSES = (429, 503)


class SchemaGenerator(GenerateJsonSchema):
    """Leaves out ``default: null``: on a key that is left out rather than sent as null
    (``SkipJsonSchema[None]``) it would contradict the key's own type."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> dict[str, Any]:
        if schema.get("default", ...) is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def _parameters(model: type[BaseModel] | None, where: str) -> list[dict]:
    if model is None:
        return []
    schema = model.model_json_schema(schema_generator=SchemaGenerator)
    required = set(schema.get("required", ()))
    return [{"name": name, "in": where, "required": where == "path" or name in required,
             **({"description": prop["description"]} if "description" in prop else {}), "schema": prop}
            for name, prop in schema["properties"].items()]


def _content(ref: dict) -> dict:
    return {JSON: {"schema": ref}}


def build_document(max_body_bytes: int) -> dict:
    """The whole document; ``max_body_bytes`` is the app's MAX_CONTENT_LENGTH (the 413's limit)."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorResponse, "serialization")]
    for op in OPERATIONS:
        models.append((op.ok, "serialization"))
        if op.body is not None:
            models.append((op.body, "validation"))
    refs, definitions = models_json_schema(models, ref_template=REF_TEMPLATE, schema_generator=SchemaGenerator)
    request_id = {"$ref": "#/components/headers/X-Request-ID"}
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        responses = {"200": {"description": "OK", "headers": {"X-Request-ID": request_id},
                             "content": _content(refs[(op.ok, "serialization")])}}
        for status in op.errors:
            headers = {"X-Request-ID": request_id}
            if status in _RETRY_AFTER_STATUSES:
                headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
            responses[str(status)] = {"description": _ERRORS[status].format(max_body=max_body_bytes),
                                      "headers": headers,
                                      "content": _content(refs[(ErrorResponse, "serialization")])}
        operation: dict[str, Any] = {"operationId": f"{op.method}{_camel(op.path)}", "summary": op.summary}
        parameters = _parameters(op.path_params, "path") + _parameters(op.query, "query")
        if parameters:
            operation["parameters"] = parameters
        if op.body is not None:
            operation["requestBody"] = {"required": True, "content": _content(refs[(op.body, "validation")])}
        operation["responses"] = responses
        paths.setdefault(op.path, {})[op.method] = operation
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Seoul program finder", "version": _version(),
                 "description": "Answers from the Seoul Economic Policy Office's 2024 work report, the program "
                                "catalog and eligibility. Every error is `{\"error\": {\"code\", \"message\", "
                                "\"field\"?, \"request_id\"}}`."},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "headers": {
                "Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                                "schema": {"type": "integer", "minimum": 1}},
                "X-Request-ID": {"description": "The request's id, as the logs and error bodies give it.",
                                 "required": True, "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}},
            },
        },
    }


def _version() -> str:
    try:
        return metadata.version("seoul-program-finder")
    except metadata.PackageNotFoundError:       # run from a source tree that was never installed
        return "0"


def _camel(path: str) -> str:
    words = path.replace("{", "").replace("}", "").replace("_", "/").split("/")
    return "".join(word[:1].upper() + word[1:] for word in words if word and word != "api")


@bp.get("/openapi.json")
def document():
    built = current_app.extensions.get("openapi_document")
    if built is None:
        built = current_app.extensions["openapi_document"] = build_document(current_app.config["MAX_CONTENT_LENGTH"])
    return jsonify(built)
