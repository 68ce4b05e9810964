"""GET /openapi.json: a valid OpenAPI 3.1 document of the public routes, whose request schemas are
the pydantic models' own, and whose responses — every answer status, verdicts, program records,
and each error status with its headers — are what the app really sends.

The fuzzing itself (every operation, generated requests) is tests/web/test_openapi_contract.py;
here each status is reached on purpose, including the 413, 415, 429 and 503 fuzzing cannot reach."""
from __future__ import annotations

import copy

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from chatbot.programs.fields import AUDIENCES, CATEGORIES, INDUSTRIES
from chatbot.web.ask import AskRequest
from chatbot.web.feedback import FeedbackRequest
from chatbot.web.openapi import REF_TEMPLATE, SchemaGenerator
from chatbot.web.programs import MatchRequest

CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_schema_conformance, response_headers_conformance]
PUBLIC_OPERATIONS = {("/api/ask", "post"), ("/api/match", "post"), ("/api/programs", "get"),
                     ("/api/programs/{program_id}", "get"), ("/api/feedback", "post"), ("/healthz", "get"),
                     ("/readyz", "get")}


@pytest.fixture
def document(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


@pytest.fixture
def api(document):
    return schemathesis.openapi.from_dict(copy.deepcopy(document))


def assert_conforms(api, method: str, path: str, response, checks=CONFORMANCE, **path_parameters) -> None:
    """The response's status, content type, headers and body are the ones the document gives."""
    case = api[path][method.upper()].Case(path_parameters=path_parameters)
    case.validate_response(response, checks=checks)


def conformance_failure(api, method: str, path: str, response) -> str:
    try:
        assert_conforms(api, method, path, response)
    except FailureGroup as group:       # schemathesis raises the failures it found as one group
        return "\n".join(str(failure) for failure in group.exceptions)
    return ""


def _component(document: dict, ref: dict) -> dict:
    return document["components"]["schemas"][ref["$ref"].removeprefix("#/components/schemas/")]


# ── the document ───────────────────────────────────────────────────────────────────────────────

def test_the_document_is_valid_openapi_3_1(document, api):
    assert document["openapi"] == "3.1.0"
    api.validate()                                   # against the OpenAPI 3.1 meta-schema
    broken = copy.deepcopy(document)
    del broken["info"]                               # the check is not vacuous
    with pytest.raises(Exception, match="info"):
        schemathesis.openapi.from_dict(broken).validate()


def test_the_document_lists_the_public_routes_with_their_errors(document):
    listed = {(path, method) for path, item in document["paths"].items() for method in item}
    assert listed == PUBLIC_OPERATIONS
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert "200" in statuses
            if path.startswith("/api/"):
                assert {"400", "429"} <= statuses, (path, statuses)        # every API route is rate limited
            for status, response in operation["responses"].items():
                schema = response["content"]["application/json"]["schema"]
                error = _component(document, schema)["title"] == "ErrorResponse"
                assert error == (status != "200"), (path, status)
                if status in ("429", "503"):
                    assert response["headers"]["Retry-After"]["$ref"] == "#/components/headers/Retry-After"
    assert document["components"]["headers"]["Retry-After"]["required"] is True
    assert document["components"]["headers"]["X-Request-ID"]["required"] is True
    error = document["components"]["schemas"]["ErrorDetail"]
    assert error["required"] == ["code", "message", "request_id"]
    assert {"field", "request_id"} <= set(error["properties"])


@pytest.mark.parametrize(("path", "model"), [("/api/ask", AskRequest), ("/api/match", MatchRequest),
                                             ("/api/feedback", FeedbackRequest)])
def test_request_bodies_are_the_models_own_schemas(document, path, model):
    body = document["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    generated = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=SchemaGenerator)
    for name, definition in generated.pop("$defs", {}).items():
        assert document["components"]["schemas"][name] == definition
    assert _component(document, body["content"]["application/json"]["schema"]) == generated


def test_query_parameters_are_the_closed_lists_the_routes_accept(document, client):
    parameters = {p["name"]: p for p in document["paths"]["/api/programs"]["get"]["parameters"]}
    assert parameters["category"]["schema"]["enum"] == list(CATEGORIES)
    assert parameters["audience"]["schema"]["enum"] == list(AUDIENCES)
    assert parameters["lang"]["schema"]["enum"] == ["ko", "en"]
    assert not any(p["required"] for p in parameters.values())
    detail = document["paths"]["/api/programs/{program_id}"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in detail] == [("program_id", "path", True),
                                                                     ("lang", "query", False)]
    for category in CATEGORIES:                       # every listed value is accepted …
        assert client.get(f"/api/programs?category={category}").status_code == 200
    # … and only those, exactly: the route no longer strips what the document does not allow
    assert client.get("/api/programs?lang=%20en").get_json()["error"]["field"] == "lang"


def test_the_profiles_industry_is_the_closed_list_the_route_accepts(document, client):
    industry = document["components"]["schemas"]["Business"]["properties"]["industry"]
    assert industry["anyOf"][0]["enum"] == list(INDUSTRIES)      # was any string, refused by the route
    for slug in INDUSTRIES:
        response = client.post("/api/match", json={"profile": {"business": {"industry": slug}}})
        assert response.status_code == 200, slug


@pytest.mark.parametrize(("path", "body"), [
    ("/api/ask", {"question": "청년취업사관학교 대상", "top_k": 3.0}),
    ("/api/match", {"profile": {"age": 30.0, "household_assets_krw": 1e8, "business": {"years_since_founding": 2.0}}}),
])
def test_whole_numbers_with_a_decimal_point_are_the_integers_the_document_allows(client, path, body):
    """JSON Schema's integer is any number without a fraction: 3.0 is accepted (3.5 is a 400)."""
    assert client.post(path, json=body).status_code == 200


# ── real responses conform ────────────────────────────────────────────────────────────────────

def test_every_program_list_and_record_conforms(api, client):
    for lang in ("ko", "en"):
        assert_conforms(api, "get", "/api/programs", client.get(f"/api/programs?lang={lang}"))
    for i, program in enumerate(client.get("/api/programs").get_json()["programs"]):
        record = client.get(f"/api/programs/{program['id']}?lang={('ko', 'en')[i % 2]}")
        assert record.status_code == 200
        assert_conforms(api, "get", "/api/programs/{program_id}", record, program_id=program["id"])


@pytest.mark.parametrize("body", [
    {"profile": {"age": 27, "resident_of_seoul": True, "employment_status": "unemployed"}, "lang": "en"},
    {"profile": {"age": 38.0, "business": {"size": "startup", "years_since_founding": 2, "industry": " FinTech"},
                 "interests": ["startup", "finance"]}, "include_ineligible": True},
    {"profile": {}},
])
def test_match_responses_conform(api, client, body):
    response = client.post("/api/match", json=body)
    assert response.status_code == 200, response.get_json()
    assert {p["verdict"] for p in response.get_json()["programs"]}
    assert_conforms(api, "post", "/api/match", response)


def test_health_and_readiness_conform(api, client):
    assert_conforms(api, "get", "/healthz", client.get("/healthz"))
    assert_conforms(api, "get", "/readyz", client.get("/readyz"))


def test_a_rated_answer_conforms(api, make_app, fake_index_dir, tmp_path):
    client = make_app(fake_index_dir, feedback_db=tmp_path / "feedback.sqlite3").test_client()
    asked = client.post("/api/ask", json={"question": "청년취업사관학교 대상이 누구야?"})
    assert_conforms(api, "post", "/api/ask", asked)
    rated = client.post("/api/feedback", json={"answer_id": asked.get_json()["answer_id"], "rating": "up"})
    assert rated.get_json() == {"status": "recorded", "rating": "up"}
    assert_conforms(api, "post", "/api/feedback", rated)


@pytest.mark.parametrize(("method", "path", "request_kwargs", "status"), [
    ("post", "/api/ask", {"json": {"question": ""}}, 400),
    ("post", "/api/ask", {"json": {"question": "hi", "top_k": 5.5}}, 400),
    ("post", "/api/ask", {"data": "{not json", "content_type": "application/json"}, 400),
    ("post", "/api/ask", {"data": "question=hi", "content_type": "text/plain"}, 415),
    ("post", "/api/ask", {"data": "[" * 20000, "content_type": "application/json"}, 413),
    ("post", "/api/match", {"json": {"profile": {"age": "30"}}}, 400),
    ("post", "/api/match", {"json": {"profile": {"business": {"industry": "biotech"}}}}, 400),
    ("post", "/api/feedback", {"json": {"answer_id": "invented", "rating": "up"}}, 400),
    ("get", "/api/programs", {"query_string": {"category": "housing"}}, 400),
    ("get", "/api/programs/{program_id}", {"query_string": {"lang": "fr"}}, 400),
    ("get", "/api/programs/{program_id}", {}, 404),
])
def test_error_responses_conform(api, client, method, path, request_kwargs, status):
    program_id = "no-such-program" if status == 404 else "youth-academy"
    response = getattr(client, method)(path.replace("{program_id}", program_id), **request_kwargs)
    assert response.status_code == status, response.get_json()
    assert_conforms(api, method, path, response, **({"program_id": program_id} if "{" in path else {}))


def test_a_rate_limited_request_conforms(api, make_app, fake_index_dir):
    client = make_app(fake_index_dir, rate_limit="1/minute").test_client()
    assert client.get("/api/programs").status_code == 200
    limited = client.get("/api/programs")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert_conforms(api, "get", "/api/programs", limited)


def test_not_ready_responses_conform(api, make_app, tmp_path):
    client = make_app(tmp_path / "no-index").test_client()
    for method, path, kwargs in [("get", "/readyz", {}), ("post", "/api/ask", {"json": {"question": "hi"}}),
                                 ("post", "/api/match", {"json": {"profile": {}}}),
                                 ("get", "/api/programs", {})]:
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert_conforms(api, method, path, response, checks=CONFORMANCE[1:])    # a 503 on purpose


def test_a_response_that_breaks_the_document_is_caught(api, client):
    """The conformance check used above is not vacuous: an undocumented key fails it."""
    response = client.get("/healthz")
    assert not conformance_failure(api, "get", "/healthz", response)
    response.set_data(b'{"status": "ok", "uptime": 1}')
    assert "'uptime' was unexpected" in conformance_failure(api, "get", "/healthz", response)
    response.status_code = 503                      # an error without its error body and Retry-After
    failures = conformance_failure(api, "get", "/readyz", response)
    assert "Retry-After" in failures and '"error" is a required property' in failures


@pytest.mark.slow
def test_every_answer_status_conforms_with_the_real_model(real_client, document):
    """The documented examples of /api/ask, asked of the real model: each answer status, a verdict
    and a date, each response as the document says."""
    api = schemathesis.openapi.from_dict(copy.deepcopy(document))
    examples = _component(document, document["paths"]["/api/ask"]["post"]["requestBody"]["content"]
                          ["application/json"]["schema"])["examples"]
    seen = set()
    for example in examples:
        response = real_client.post("/api/ask", json=example)
        assert_conforms(api, "post", "/api/ask", response)
        answer = response.get_json()
        seen |= {answer["status"]} | {key for key in ("eligibility", "schedule", "choices") if key in answer}
    assert seen >= {"answered", "partial", "not_in_report", "clarify", "eligibility", "schedule", "choices"}
