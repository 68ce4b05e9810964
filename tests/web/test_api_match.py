"""POST /api/match, GET /api/programs and GET /api/programs/<id> through the Flask test client.

The fake-embedder index is enough here: none of these routes depends on retrieval, only on the
catalog of the loaded snapshot."""
from __future__ import annotations

import logging
import re
import shutil

import pytest
import yaml

from chatbot.index.builder import build_index
from chatbot.programs.catalog import CatalogError
from chatbot.programs.fields import AUDIENCES, CATEGORIES
from chatbot.config import PROJECT_ROOT, Settings
from chatbot.documents.corpus import collapse_whitespace, load_corpus
from tests.support.index import edit_version_catalog
from tests.support.wait import wait_until

REPORT = {d.id: d for d in load_corpus(Settings().corpus_dir)}
SEOUL_JOBLESS_30 = {"age": 30, "resident_of_seoul": True, "employment_status": "unemployed"}


@pytest.fixture
def api(make_app, fake_index_dir):
    return make_app(fake_index_dir, rate_limit="off", today="2024-03-15").test_client()


def post_match(client, **body):
    return client.post("/api/match", json=body)


def by_id(body: dict) -> dict[str, dict]:
    return {p["id"]: p for p in body["programs"]}


# ── POST /api/match: contract ──────────────────────────────────────────────────────────────────

def test_match_contract_and_verbatim_clauses(api):
    response = post_match(api, profile=SEOUL_JOBLESS_30)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"as_of", "edition", "programs"}
    assert body["as_of"] == "2024-02-15" and body["edition"] == "2024"
    assert body["programs"]
    for program in body["programs"]:
        assert set(program) >= {"id", "name", "summary", "verdict", "criteria", "missing", "next_dates", "score"}
        assert program["verdict"] in ("eligible", "unknown")
        assert isinstance(program["score"], int)
        for criterion in program["criteria"]:
            assert set(criterion) == {"field", "rule", "status", "part", "part_named", "selection", "alternative",
                                      "clause"}
            assert criterion["status"] in ("met", "unmet", "unknown", "info")
            clause = criterion["clause"]
            start, end = clause["lines"]
            assert clause["text"] in collapse_whitespace(REPORT[clause["document"]].line_range(start, end))
        for when in program["next_dates"]:
            assert set(when) >= {"what", "when", "start", "end", "status", "clause"}
            assert when["status"] in ("upcoming", "ongoing")
            assert when["end"] >= "2024-03-15"          # past dates are left out
    programs = by_id(body)
    assert programs["new-deal-jobs"]["verdict"] == "eligible"
    assert programs["youth-intern"]["verdict"] == "eligible"
    assert [c["status"] for c in programs["new-deal-jobs"]["criteria"]] == ["met", "met", "met"]


def test_eligible_first_then_unknown_and_no_ineligible_by_default(api):
    body = post_match(api, profile={"age": 36, "resident_of_seoul": True, "employment_status": "unemployed"}).get_json()
    verdicts = [p["verdict"] for p in body["programs"]]
    assert "ineligible" not in verdicts
    first_unknown = verdicts.index("unknown")
    assert set(verdicts[:first_unknown]) == {"eligible"} and set(verdicts[first_unknown:]) == {"unknown"}
    eligible_scores = [p["score"] for p in body["programs"] if p["verdict"] == "eligible"]
    assert eligible_scores == sorted(eligible_scores, reverse=True)
    ids = {p["id"] for p in body["programs"]}
    assert "youth-intern" not in ids                # 36 > 34
    assert "strong-sme" not in ids                  # a job seeker runs no business


def test_interests_move_programs_up(api):
    plain = post_match(api, profile=SEOUL_JOBLESS_30).get_json()["programs"]
    keen = post_match(api, profile={**SEOUL_JOBLESS_30, "interests": ["training"]}).get_json()["programs"]
    assert keen[0]["id"] in ("tech-school", "youth-academy")
    assert plain != keen
    training_rank = [i for i, p in enumerate(keen) if p["category"] == "training" and p["verdict"] == "eligible"]
    assert training_rank == list(range(len(training_rank)))


def test_include_ineligible_adds_them_last(api):
    profile = {"age": 40, "resident_of_seoul": False, "employment_status": "employed"}
    default = post_match(api, profile=profile).get_json()["programs"]
    full = post_match(api, profile=profile, include_ineligible=True).get_json()["programs"]
    assert all(p["verdict"] != "ineligible" for p in default)
    verdicts = [p["verdict"] for p in full]
    first_ineligible = verdicts.index("ineligible")
    assert set(verdicts[first_ineligible:]) == {"ineligible"}
    assert len(full) == 40 > len(default)
    ineligible = by_id({"programs": full})
    assert ineligible["interview-suit"]["verdict"] == "ineligible"
    assert [c["status"] for c in ineligible["interview-suit"]["criteria"]][0] == "unmet"
    assert ineligible["youth-intern"]["missing"] == []


def test_empty_profile_is_never_eligible(api):
    body = post_match(api, profile={}, include_ineligible=True).get_json()
    assert body["programs"] and all(p["verdict"] == "unknown" for p in body["programs"])
    assert by_id(body)["youth-intern"]["missing"] == ["age", "resident_of_seoul"]


@pytest.mark.parametrize("lang, name, rule, summary_word", [
    ("ko", "서울형 청년인턴 직무·국제캠프", "만 18~34세", "서울 거주"),
    ("en", "Seoul Youth Internship – job camp & international camp", "age 18 to 34", "Seoul residents"),
])
def test_rules_in_the_request_language(api, lang, name, rule, summary_word):
    body = post_match(api, profile={"age": 25}, lang=lang).get_json()
    intern = by_id(body)["youth-intern"]
    assert intern["name"] == name and summary_word in intern["summary"]
    assert intern["criteria"][0]["rule"] == rule
    assert intern["criteria"][0]["clause"]["text"] == "참여대상 : 서울시 거주 청년(18~34세) 350명"  # always the report's words
    assert intern["verdict"] == "unknown" and intern["missing"] == ["resident_of_seoul"]


def test_default_language_is_korean(api):
    body = post_match(api, profile={}).get_json()
    assert by_id(body)["youth-intern"]["name"] == "서울형 청년인턴 직무·국제캠프"


def test_business_profile(api):
    profile = {"resident_of_seoul": True, "employment_status": "business_owner",
               "business": {"size": "startup", "years_since_founding": 2, "industry": "FinTech"}}
    programs = by_id(post_match(api, profile=profile, include_ineligible=True).get_json())
    assert programs["fintech-lab"]["verdict"] == "eligible"
    assert programs["bio-hub"]["verdict"] == "ineligible"
    assert programs["youth-intern"]["verdict"] == "unknown"


def test_next_dates_follow_the_configured_today(make_app, fake_index_dir):
    early = make_app(fake_index_dir, rate_limit="off", today="2024-01-10").test_client()
    late = make_app(fake_index_dir, rate_limit="off", today="2024-06-15").test_client()
    when_early = [d["when"] for d in by_id(post_match(early, profile={}).get_json())["youth-intern"]["next_dates"]]
    late_dates = by_id(post_match(late, profile={}).get_json())["youth-intern"]["next_dates"]
    assert when_early == ["2024-03..2024-05", "2024-06..2024-12"]
    assert [(d["when"], d["status"]) for d in late_dates] == [("2024-06..2024-12", "ongoing")]


# ── POST /api/match: every 400 ─────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("body, field", [
    ({}, "profile"),
    ({"profile": None}, "profile"),
    ({"profile": []}, "profile"),
    ({"profile": "age 30"}, "profile"),
    ({"profile": {"age": "30"}}, "profile.age"),
    ({"profile": {"age": True}}, "profile.age"),
    ({"profile": {"age": 30.5}}, "profile.age"),
    ({"profile": {"age": -1}}, "profile.age"),
    ({"profile": {"age": 121}}, "profile.age"),
    ({"profile": {"agee": 30}}, "profile.agee"),
    ({"profile": {"resident_of_seoul": "yes"}}, "profile.resident_of_seoul"),
    ({"profile": {"resident_of_seoul": 1}}, "profile.resident_of_seoul"),
    ({"profile": {"employment_status": "jobless"}}, "profile.employment_status"),
    ({"profile": {"income_pct_of_median": "80%"}}, "profile.income_pct_of_median"),
    ({"profile": {"income_pct_of_median": True}}, "profile.income_pct_of_median"),
    ({"profile": {"income_pct_of_median": -5}}, "profile.income_pct_of_median"),
    ({"profile": {"household_assets_krw": 1.5}}, "profile.household_assets_krw"),
    ({"profile": {"is_foreign_student": "no"}}, "profile.is_foreign_student"),
    ({"profile": {"business": True}}, "profile.business"),
    ({"profile": {"business": {"size": "huge"}}}, "profile.business.size"),
    ({"profile": {"business": {"years_since_founding": "3"}}}, "profile.business.years_since_founding"),
    ({"profile": {"business": {"years_since_founding": -1}}}, "profile.business.years_since_founding"),
    ({"profile": {"business": {"industry": "biotech"}}}, "profile.business.industry"),
    ({"profile": {"business": {"industry": 7}}}, "profile.business.industry"),
    ({"profile": {"business": {"employees": 5}}}, "profile.business.employees"),
    ({"profile": {"interests": "jobs"}}, "profile.interests"),
    ({"profile": {"interests": ["jobs", "housing"]}}, "profile.interests.1"),
    ({"profile": {}, "lang": "fr"}, "lang"),
    ({"profile": {}, "lang": 1}, "lang"),
    ({"profile": {}, "include_ineligible": "yes"}, "include_ineligible"),
    ({"profile": {}, "include_ineligible": 1}, "include_ineligible"),
    ({"profile": {}, "top_k": 5}, "top_k"),
])
def test_bad_fields_get_400_naming_the_field(api, body, field):
    response = api.post("/api/match", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_field" and error["field"] == field
    assert error["message"].startswith(field + ":")


def test_error_messages_do_not_echo_profile_values(api):
    error = api.post("/api/match", json={"profile": {"employment_status": "secret-status-x"}}).get_json()["error"]
    assert "secret-status-x" not in error["message"]


@pytest.mark.parametrize("data, content_type, status, code", [
    ("{not json", "application/json", 400, "invalid_json"),
    ("[1, 2]", "application/json", 400, "invalid_json"),
    (b"\xff\xfe", "application/json", 400, "invalid_json"),
    ("profile=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"profile": {}}', "text/plain", 415, "unsupported_media_type"),
    ('{"profile": {"age": 30}, "pad": "' + "x" * 17000 + '"}', "application/json", 413, "body_too_large"),
])
def test_bad_bodies(api, data, content_type, status, code):
    response = api.post("/api/match", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_profiles_are_not_logged(api, caplog):
    caplog.set_level(logging.DEBUG)
    profile = {"age": 87, "resident_of_seoul": True, "employment_status": "retired", "household_assets_krw": 123456789}
    assert post_match(api, profile=profile).status_code == 200
    assert api.post("/api/match", json={"profile": {**profile, "age": "87"}}).status_code == 400
    logged = "\n".join(r.getMessage() for r in caplog.records)
    # as words: an index version's hash ("a0ab877215af") may hold the digits by chance
    assert not re.search(r"\b(?:123456789|retired|87)\b", logged), logged


def test_match_is_post_only(api):
    response = api.get("/api/match")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


# ── GET /api/programs ──────────────────────────────────────────────────────────────────────────

def test_programs_lists_the_whole_catalog(api):
    body = api.get("/api/programs").get_json()
    assert body["count"] == len(body["programs"]) == 40
    assert body["as_of"] == "2024-02-15" and body["edition"] == "2024"
    first = body["programs"][0]
    assert set(first) >= {"id", "name", "summary", "category", "audience"}
    assert first["id"] == "youth-academy" and first["name"] == "청년취업사관학교"


@pytest.mark.parametrize("query, check", [
    ("category=jobs", lambda p: p["category"] == "jobs"),
    ("audience=youth", lambda p: "youth" in p["audience"]),
    ("category=training&audience=senior", lambda p: p["category"] == "training" and "senior" in p["audience"]),
])
def test_programs_filters(api, query, check):
    body = api.get(f"/api/programs?{query}").get_json()
    assert body["count"] > 0 and all(check(p) for p in body["programs"])
    everything = api.get("/api/programs").get_json()["programs"]
    assert body["count"] == sum(1 for p in everything if check(p))


def test_programs_in_english(api):
    body = api.get("/api/programs?lang=en&category=jobs").get_json()
    names = {p["id"]: p["name"] for p in body["programs"]}
    assert names["youth-intern"] == "Seoul Youth Internship – job camp & international camp"


def test_every_category_and_audience_is_accepted(api):
    for category in CATEGORIES:
        assert api.get(f"/api/programs?category={category}").status_code == 200
    for audience in AUDIENCES:
        assert api.get(f"/api/programs?audience={audience}").status_code == 200


@pytest.mark.parametrize("query, parameter", [
    ("category=housing", "category"),
    ("category=", "category"),
    ("category=Jobs", "category"),
    ("audience=everyone", "audience"),
    ("lang=fr", "lang"),
    ("category=jobs&category=training", "category"),
    ("sort=name", "sort"),
])
def test_programs_bad_filters_get_400_naming_the_parameter(api, query, parameter):
    response = api.get(f"/api/programs?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter" and error["field"] == parameter


# ── GET /api/programs/<id> ─────────────────────────────────────────────────────────────────────

def test_program_full_record(api):
    body = api.get("/api/programs/youth-intern").get_json()
    program = body["program"]
    assert body["edition"] == "2024"
    assert set(program) >= {"id", "name", "summary", "category", "audience", "benefits", "eligibility", "schedule",
                            "places", "sources"}
    assert not {"section", "block", "aliases"} & set(program)     # how the finder finds it, not served
    assert program["name"] == {"ko": "서울형 청년인턴 직무·국제캠프",
                               "en": "Seoul Youth Internship – job camp & international camp"}
    age = program["eligibility"][0]
    assert age["field"] == "age" and age["op"] == "between" and age["value"] == [18, 34]
    assert age["rule"] == "만 18~34세"
    assert program["schedule"][0]["when"] == "2024-03..2024-05"
    english = api.get("/api/programs/youth-intern?lang=en").get_json()["program"]
    assert english["eligibility"][0]["rule"] == "age 18 to 34"


@pytest.mark.parametrize("path", ["/api/programs/no-such-program", "/api/programs/YOUTH-INTERN",
                                  "/api/programs/%EC%B2%AD%EB%85%84"])
def test_unknown_program_is_a_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_program_bad_parameter(api):
    response = api.get("/api/programs/youth-intern?lang=jp")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "lang"


# ── the catalog belongs to the index snapshot ──────────────────────────────────────────────────

def _edit_catalog(corpus, program_id: str, edit) -> None:
    path = corpus / "programs.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    record = next(p for p in data["programs"] if p["id"] == program_id)
    edit(record)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_catalog_changes_are_served_with_the_published_version(make_app, fake_embedder, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    settings = Settings().with_overrides({"index_dir": index, "corpus_dir": corpus, "embed_backend": "fake",
                                          "embed_model": "64"})
    first = build_index(settings, embedder=fake_embedder)
    app = make_app(index, corpus_dir=corpus, rate_limit="off")
    client = app.test_client()

    def summary() -> str:
        return client.get("/api/programs/youth-intern").get_json()["program"]["summary"]["ko"]

    original = summary()
    _edit_catalog(corpus, "youth-intern", lambda r: r["summary"].update(ko="새 요약"))
    assert summary() == original                          # saved, not yet published
    second = build_index(settings, embedder=fake_embedder)
    assert second.version != first.version                # the catalog is an input of the version
    wait_until(lambda: summary() == "새 요약", 10, "the published catalog was not served")

    # A catalog whose quote is not in the report is refused by the build; the last good one stays live.
    _edit_catalog(corpus, "youth-intern", lambda r: r["eligibility"][0]["clause"].update(text="서울시 거주 청년(18~39세)"))
    with pytest.raises(CatalogError, match="youth-intern"):
        build_index(settings, embedder=fake_embedder)
    assert summary() == "새 요약" and app.extensions["finder"].status()["index_version"] == second.version


def test_bad_catalog_with_no_good_version_is_a_503(make_app, fake_embedder, tmp_path):
    """A version whose own catalog snapshot fails validation is refused like a corrupt index."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    settings = Settings().with_overrides({"index_dir": index, "corpus_dir": corpus, "embed_backend": "fake",
                                          "embed_model": "64"})
    built = build_index(settings, embedder=fake_embedder)
    edit_version_catalog(index, built.version, lambda text: text.replace("value: 39", "value: 29.5", 1))
    client = make_app(index, corpus_dir=corpus, rate_limit="off").test_client()
    for response in (post_match(client, profile={}), client.get("/api/programs"),
                     client.post("/api/ask", json={"question": "취업날개"})):
        assert response.status_code == 503
        error = response.get_json()["error"]
        assert error["code"] == "index_not_ready" and "interview-suit" in error["message"]