"""The eligibility engine on the shipped catalog: verdicts, missing fields, ranges, order, dates.

No mocks: every case evaluates a real catalog record, so a changed threshold in
corpus/programs.yaml shows up here as a changed verdict for a named citizen.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from chatbot.programs.catalog import Catalog, load_catalog
from chatbot.documents.corpus import collapse_whitespace, load_corpus
from chatbot.programs.eligibility import ProgramVerdict, criterion_json, evaluate, match
from chatbot.programs.facts import Facts, Profile, profile_errors
from chatbot.programs.schedule import schedule_status, when_span

ROOT = Path(__file__).resolve().parents[2]     # the repository root
CORPUS_DIR = ROOT / "corpus"
TODAY = date(2024, 3, 15)
UNEMPLOYED_30 = {"age": 30, "resident_of_seoul": True, "employment_status": "unemployed"}
LOW_INCOME = {"income_pct_of_median": 80, "household_assets_krw": 499_000_000}


@pytest.fixture(scope="module")
def documents():
    return {d.id: d for d in load_corpus(CORPUS_DIR)}


@pytest.fixture(scope="module")
def catalog(documents) -> Catalog:
    return load_catalog(CORPUS_DIR / "programs.yaml", documents)


def facts(**profile: Any) -> Facts:
    return Facts.from_profile(Profile.model_validate(profile))


def verdict(catalog: Catalog, program_id: str, f: Facts, lang: str = "en") -> ProgramVerdict:
    program = catalog.get(program_id)
    assert program is not None, f"no catalog record {program_id!r}"
    return evaluate(program, f, lang, TODAY)


# ── verdicts for named citizens ───────────────────────────────────────────────────────────────

# (program, profile, verdict, missing)
CASES: list[tuple[str, dict[str, Any], str, list[str]]] = [
    # youth-intern: 18–34 and living in Seoul
    ("youth-intern", {"age": 18, "resident_of_seoul": True}, "eligible", []),
    ("youth-intern", {"age": 34, "resident_of_seoul": True}, "eligible", []),
    ("youth-intern", {"age": 35, "resident_of_seoul": True}, "ineligible", []),
    ("youth-intern", {"age": 17, "resident_of_seoul": True}, "ineligible", []),
    ("youth-intern", {"age": 30, "resident_of_seoul": False}, "ineligible", []),
    ("youth-intern", {"age": 30}, "unknown", ["resident_of_seoul"]),
    ("youth-intern", {}, "unknown", ["age", "resident_of_seoul"]),
    ("youth-intern", {"age": 40}, "ineligible", []),  # one unmet criterion decides, even with gaps
    # interview-suit: 39 or under (the job-seeker condition is words only)
    ("interview-suit", {"age": 39}, "eligible", []),
    ("interview-suit", {"age": 40}, "ineligible", []),
    ("interview-suit", {"resident_of_seoul": True}, "unknown", ["age"]),
    # youth-academy: in one's 20s or 30s
    ("youth-academy", {"age": 19}, "ineligible", []),
    ("youth-academy", {"age": 20}, "eligible", []),
    ("youth-academy", {"age": 39}, "eligible", []),
    ("youth-academy", {"age": 40}, "ineligible", []),
    # tech-school: 15 and over, living in Seoul
    ("tech-school", {"age": 15, "resident_of_seoul": True}, "eligible", []),
    ("tech-school", {"age": 14, "resident_of_seoul": True}, "ineligible", []),
    ("tech-school", {"age": 70, "resident_of_seoul": True}, "eligible", []),
    ("tech-school", {"age": 40, "resident_of_seoul": False}, "ineligible", []),
    # companion-jobs: 18+, income ≤ 80% of median, household assets ≤ ₩499,000,000
    ("companion-jobs", {"age": 18, **LOW_INCOME}, "eligible", []),
    ("companion-jobs", {"age": 17, **LOW_INCOME}, "ineligible", []),
    ("companion-jobs", {"age": 50, "income_pct_of_median": 80.5, "household_assets_krw": 1}, "ineligible", []),
    ("companion-jobs", {"age": 50, "income_pct_of_median": 0, "household_assets_krw": 499_000_001}, "ineligible", []),
    ("companion-jobs", {"age": 50, "household_assets_krw": 100_000_000}, "unknown", ["income_pct_of_median"]),
    ("companion-jobs", {"age": 50}, "unknown", ["income_pct_of_median", "household_assets_krw"]),
    # new-deal-jobs: 18+, unemployed, living in Seoul
    ("new-deal-jobs", {**UNEMPLOYED_30, "age": 18}, "eligible", []),
    ("new-deal-jobs", {**UNEMPLOYED_30, "age": 17}, "ineligible", []),
    ("new-deal-jobs", {**UNEMPLOYED_30, "employment_status": "employed"}, "ineligible", []),
    ("new-deal-jobs", {**UNEMPLOYED_30, "employment_status": "day_laborer"}, "ineligible", []),
    ("new-deal-jobs", {**UNEMPLOYED_30, "resident_of_seoul": False}, "ineligible", []),
    ("new-deal-jobs", {"age": 30, "resident_of_seoul": True}, "unknown", ["employment_status"]),
    # "청년 구직자" without an age range: a stated job seeker meets the words (met_by), and the youth
    # ranges the report cites (up to 39 under the Seoul ordinance) decide the age
    ("job-matching-desk", {**UNEMPLOYED_30, **LOW_INCOME}, "eligible", []),
    ("job-cafe", {**UNEMPLOYED_30}, "eligible", []),
    ("job-cafe", {**UNEMPLOYED_30, "age": 58}, "ineligible", []),
    ("job-cafe", {"employment_status": "unemployed"}, "unknown", ["age"]),
    ("job-matching-desk", {**UNEMPLOYED_30, "age": 52}, "ineligible", []),
    ("isolated-youth-training", {**UNEMPLOYED_30, "age": 48}, "ineligible", []),
    # programs stated only in words are never eligible, however complete the profile
    ("campus-town", {"age": 40, "employment_status": "employed"}, "unknown", []),
    # a worded condition met by a stated value another field holds (met_by "is_foreign_student=true")
    ("campus-town", {"age": 22, "employment_status": "student", "is_foreign_student": True}, "eligible", []),
    ("campus-town", {"is_foreign_student": True}, "eligible", []),
    # the job desk's counter for foreign students is piloted for English speakers first: open
    ("job-matching-desk", {"is_foreign_student": True}, "unknown", ["age"]),
    # isolated-youth training runs at the technical institutes: Seoul citizens aged 15 or over
    ("isolated-youth-training", {**UNEMPLOYED_30}, "eligible", []),
    ("isolated-youth-training", {**UNEMPLOYED_30, "resident_of_seoul": False}, "ineligible", []),
    ("seoul-science-museum", {**UNEMPLOYED_30}, "unknown", []),  # no criteria at all
    # business-only programs
    ("startup-hub", {"business": {"size": "startup"}}, "eligible", []),
    ("startup-hub", {"business": {"size": "sme"}}, "ineligible", []),
    ("startup-hub", {"business": {}}, "unknown", ["business.size"]),
    ("startup-hub", {}, "unknown", ["business", "business.size"]),
    ("startup-hub", {"employment_status": "business_owner"}, "unknown", ["business", "business.size"]),
    ("startup-hub", {"employment_status": "self_employed"}, "unknown", ["business", "business.size"]),
    ("startup-hub", {**UNEMPLOYED_30}, "ineligible", []),  # says who they are: no business
    ("startup-hub", {"employment_status": "student", "business": {"size": "startup"}}, "eligible", []),
    ("strong-sme", {"business": {"size": "sme", "in_seoul": True, "certified": True}}, "eligible", []),
    ("strong-sme", {"business": {"size": "sme"}}, "unknown", ["business.in_seoul", "business.certified"]),  # "서울 소재"
    ("strong-sme", {"business": {"size": "sme", "in_seoul": True, "certified": False}}, "ineligible", []),  # 공공기관 인증
    ("strong-sme", {"business": {"size": "sme", "in_seoul": False}}, "ineligible", []),
    ("strong-sme", {"business": {"size": "large"}}, "ineligible", []),
    ("bio-hub", {"business": {"industry": "bio"}}, "eligible", []),
    ("bio-hub", {"business": {"industry": " Medical "}}, "eligible", []),
    ("bio-hub", {"business": {"industry": "fintech"}}, "ineligible", []),
    ("fintech-lab", {"business": {"size": "startup", "industry": "fintech"}}, "eligible", []),
    ("fintech-lab", {"business": {"size": "startup", "industry": "bio"}}, "ineligible", []),
    ("fintech-lab", {"business": {"size": "startup"}}, "unknown", ["business.industry"]),
    ("magok", {"business": {}}, "unknown", []),           # "for businesses" and nothing more: not enough
    ("magok", {"employment_status": "retired"}, "ineligible", []),
]


@pytest.mark.parametrize(
    "program_id, profile, expected, missing", CASES,
    ids=[f"{c[0]}-{'-'.join(f'{k}={v}' for k, v in c[1].items()) or 'empty'}" for c in CASES],
)
def test_verdict(catalog, program_id, profile, expected, missing):
    v = verdict(catalog, program_id, facts(**profile))
    assert (v.verdict, v.missing) == (expected, missing), [(c.field, c.status) for c in v.criteria]


# (program, facts, verdict, missing): ranges as text gives them ("30대 후반" = 36–39)
RANGE_CASES: list[tuple[str, Facts, str, list[str]]] = [
    ("interview-suit", Facts(age_min=36, age_max=39), "eligible", []),
    ("interview-suit", Facts(age_min=36, age_max=42), "unknown", ["age"]),
    ("interview-suit", Facts(age_min=40, age_max=49), "ineligible", []),
    ("youth-academy", Facts(age_min=20, age_max=29), "eligible", []),
    ("youth-academy", Facts(age_min=16, age_max=19), "ineligible", []),
    ("youth-intern", Facts(age_min=33, age_max=36, resident_of_seoul=True), "unknown", ["age"]),
    ("youth-intern", Facts(age_min=30, age_max=33, resident_of_seoul=True), "eligible", []),
    ("youth-intern", Facts(age_min=36, age_max=39, resident_of_seoul=True), "ineligible", []),
    ("companion-jobs", Facts(age_min=40, age_max=40, income_min=0, income_max=80, assets_min=0, assets_max=100_000_000),
     "eligible", []),
    ("companion-jobs", Facts(age_min=40, age_max=40, income_min=0, income_max=90, assets_min=0, assets_max=100_000_000),
     "unknown", ["income_pct_of_median"]),
    ("companion-jobs", Facts(age_min=40, age_max=40, income_min=90, income_max=1000, assets_min=0, assets_max=1),
     "ineligible", []),
]


@pytest.mark.parametrize("program_id, f, expected, missing", RANGE_CASES)
def test_verdict_on_ranges(catalog, program_id, f, expected, missing):
    v = verdict(catalog, program_id, f)
    assert (v.verdict, v.missing) == (expected, missing)


PROFILES = [
    {}, {"age": 30}, UNEMPLOYED_30, {**UNEMPLOYED_30, **LOW_INCOME}, {"business": {}},
    {"employment_status": "business_owner"}, {"age": 25, "is_foreign_student": True, "employment_status": "student"},
    {"age": 70, "resident_of_seoul": True, "employment_status": "retired", **LOW_INCOME},
]


@pytest.mark.parametrize("profile", PROFILES)
def test_never_eligible_unless_every_decidable_criterion_is_met(catalog, profile):
    for program in catalog:
        v = evaluate(program, facts(**profile), "en", TODAY)
        statuses = {c.status for c in v.criteria}
        if v.verdict == "eligible":
            assert statuses <= {"met", "info"} and "met" in statuses, program.id
        if "unknown" in statuses and "unmet" not in statuses:
            assert v.verdict == "unknown" and v.missing, program.id


def test_criteria_quote_the_catalog_clause_verbatim(catalog, documents):
    f = facts(**UNEMPLOYED_30, **LOW_INCOME)
    for program in catalog:
        v = evaluate(program, f, "ko", TODAY)
        assert [c.clause for c in v.criteria] == [c.clause for c in program.eligibility]
        for c in v.criteria:
            doc = documents[c.clause.document]
            assert c.clause.text in collapse_whitespace(doc.line_range(*c.clause.lines)), program.id


@pytest.mark.parametrize("lang, rules", [
    ("ko", ["만 18~34세", "서울시 거주"]),
    ("en", ["age 18 to 34", "lives in Seoul"]),
])
def test_rules_read_in_the_asked_language(catalog, lang, rules):
    v = verdict(catalog, "youth-intern", facts(age=20, resident_of_seoul=True), lang)
    assert [c.rule for c in v.criteria] == rules
    assert v.name == catalog.get("youth-intern").name.model_dump()[lang]


def test_text_criteria_are_shown_as_info(catalog):
    v = verdict(catalog, "youth-academy", facts(age=25))
    assert [(c.field, c.status) for c in v.criteria] == [("age", "met"), ("employment_status", "info"),
                                                         ("it_major", "info"),            # the Pre course
                                                         ("course_completed", "info")]    # the Post course
    assert v.verdict == "eligible" and v.decidable


def test_a_parts_conditions_decide_only_for_a_question_that_names_the_part(catalog):
    """The angel fund's target (a Seoul company at most 7 years old) is not the whole Vision 2030
    Fund's: a profile match and a question about the fund in general show it; a question about
    the angel fund is decided by it."""
    fund = catalog.get("vision-fund")
    old = facts(business={"size": "startup", "years_since_founding": 9, "in_seoul": True})
    general = evaluate(fund, old, "en", TODAY)
    assert general.verdict == "unknown" and {c.status for c in general.criteria if c.part} == {"info"}   # "for businesses" only
    assert all(c.part == "angel fund" and not c.part_named for c in general.criteria if c.part)   # named in English
    asked = evaluate(fund, old, "ko", TODAY, question="창업 9년 된 회사인데 엔젤 펀드 투자 받을 수 있어요?")
    assert asked.verdict == "ineligible"
    assert [(c.field, c.status, c.part_named) for c in asked.criteria if c.part] == [
        ("business.in_seoul", "met", True), ("business.years_since_founding", "unmet", True),
        ("business.years_since_founding", "info", True),            # 3 years or less: its sibling asks
        ("business.annual_sales_krw", "unknown", True)]             # ₩2 billion or less (no sales in a profile)
    assert [c.rule for c in asked.criteria if c.part][1] == "(엔젤펀드) 창업 7년 이내"
    young = facts(business={"size": "startup", "years_since_founding": 2, "in_seoul": True})
    met = evaluate(fund, young, "en", TODAY, question="Can our angel fund application go in?")
    assert met.verdict == "eligible"
    assert [c.status for c in met.criteria if c.part] == ["met", "met", "met", "info"]     # the sales not needed


def test_how_applicants_are_selected_is_words_shown_never_a_condition(catalog):
    from chatbot.programs.criteria import Criterion
    clause = {"text": "x", "document": "d", "lines": [1, 1]}
    with pytest.raises(ValueError, match="selection belongs to an op 'text' criterion"):
        Criterion.model_validate({"field": "age", "op": "<=", "value": 39, "selection": True, "clause": clause})
    sme = facts(business={"size": "sme", "in_seoul": True, "certified": True})
    v = evaluate(catalog.get("strong-sme"), sme, "ko", TODAY)
    assert v.verdict == "eligible" and [(c.status, c.selection) for c in v.criteria][-1] == ("info", True)
    assert criterion_json(v.criteria[-1])["selection"] is True


def test_a_part_needs_words_that_name_it():
    from chatbot.programs.criteria import Criterion
    with pytest.raises(ValueError, match="part needs"):
        Criterion.model_validate({"op": "text", "value": "x", "part": [" "],
                                  "clause": {"text": "x", "document": "d", "lines": [1, 1]}})
    criterion = Criterion.model_validate({"op": "text", "value": "x", "part": ["Pre 과정", "pre course"],
                                          "clause": {"text": "x", "document": "d", "lines": [1, 1]}})
    assert criterion.names_part("pre과정 들을 수 있나요") and criterion.names_part("Is the PRE COURSE open?")
    assert not criterion.names_part("청년취업사관학교 들을 수 있나요")


# ── match: order and filtering ────────────────────────────────────────────────────────────────

def test_match_puts_eligible_first_and_hides_ineligible(catalog):
    results = match(catalog, facts(**UNEMPLOYED_30), today=TODAY)
    kinds = [r.verdict for r in results]
    assert "ineligible" not in kinds
    assert kinds == sorted(kinds, key=["eligible", "unknown"].index)
    eligible = {r.program_id for r in results if r.verdict == "eligible"}
    # every decidable condition met; the worded ones ("고립·은둔 청년") are shown with the verdict
    assert eligible == {"youth-academy", "youth-intern", "interview-suit", "tech-school", "new-deal-jobs",
                        "isolated-youth-training", "job-cafe", "job-matching-desk"}


def test_match_orders_unknown_by_fewest_missing_and_undecidable_last(catalog):
    unknown = [r for r in match(catalog, facts(age=30), today=TODAY) if r.verdict == "unknown"]
    decidable = [r for r in unknown if r.decidable]
    assert unknown[: len(decidable)] == decidable
    assert [len(r.missing) for r in decidable] == sorted(len(r.missing) for r in decidable)
    assert decidable[0].program_id in {"youth-intern", "tech-school"}  # one field (residence) away


def test_match_include_ineligible_appends_them_last(catalog):
    results = match(catalog, facts(**UNEMPLOYED_30), include_ineligible=True, today=TODAY)
    assert len(results) == len(catalog)
    kinds = [r.verdict for r in results]
    assert kinds == sorted(kinds, key=["eligible", "unknown", "ineligible"].index)
    ineligible = {r.program_id for r in results if r.verdict == "ineligible"}
    assert {"startup-hub", "bio-hub", "magok"} <= ineligible  # business programs, for a job seeker


def test_match_ranks_stated_interests_and_audiences_first(catalog):
    training = [r.program_id for r in match(catalog, facts(**UNEMPLOYED_30, interests=["training"]), today=TODAY)]
    assert set(training[:2]) == {"youth-academy", "tech-school"}
    jobs = [r.program_id for r in match(catalog, facts(**UNEMPLOYED_30, interests=["public-jobs"]), today=TODAY)]
    assert jobs[0] == "new-deal-jobs"


def test_match_for_a_startup_founder(catalog):
    f = facts(employment_status="business_owner", business={"size": "startup", "industry": "fintech", "in_seoul": True})
    results = [r for r in match(catalog, f, today=TODAY) if r.verdict == "eligible"]
    eligible = [r.program_id for r in results]
    assert {"fintech-lab", "startup-hub", "seoul-rnd"} <= set(eligible)
    assert not {"magok", "invest-seoul"} & set(eligible)     # they say "for businesses" and no more
    assert "strong-sme" not in eligible         # its public certification was not said
    certified = facts(employment_status="business_owner",
                      business={"size": "startup", "industry": "fintech", "in_seoul": True, "certified": True})
    assert "strong-sme" in [r.program_id for r in match(catalog, certified, today=TODAY) if r.verdict == "eligible"]
    assert "bio-hub" not in eligible
    assert [r.relevance for r in results] == sorted((r.relevance for r in results), reverse=True)


# ── schedule ──────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("when, start, end", [
    ("2024-07-01", date(2024, 7, 1), date(2024, 7, 1)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2024-Q3", date(2024, 7, 1), date(2024, 9, 30)),
    ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-02..2024-03", date(2024, 2, 1), date(2024, 3, 31)),
    ("2024-02-01..2024-02-05", date(2024, 2, 1), date(2024, 2, 5)),
    ("2024-06..2025-06", date(2024, 6, 1), date(2025, 6, 30)),
])
def test_when_span(when, start, end):
    assert when_span(when) == (start, end)


@pytest.mark.parametrize("when, today, status", [
    ("2024-07-01", date(2024, 6, 30), "upcoming"),
    ("2024-07-01", date(2024, 7, 1), "ongoing"),
    ("2024-07-01", date(2024, 7, 2), "past"),
    ("2024-07", date(2024, 6, 30), "upcoming"),
    ("2024-07", date(2024, 7, 31), "ongoing"),
    ("2024-07", date(2024, 8, 1), "past"),
    ("2024-Q3", date(2024, 6, 30), "upcoming"),
    ("2024-Q3", date(2024, 9, 30), "ongoing"),
    ("2024-Q3", date(2024, 10, 1), "past"),
    ("2024-02..2024-03", date(2024, 1, 31), "upcoming"),
    ("2024-02..2024-03", date(2024, 3, 31), "ongoing"),
    ("2024-02..2024-03", date(2024, 4, 1), "past"),
])
def test_schedule_status(when, today, status):
    assert schedule_status(when, today) == status


def test_schedule_status_takes_catalog_entries(catalog):
    entry = catalog.get("new-deal-jobs").schedule[0]
    assert entry.when == "2024-02..2024-03"
    assert schedule_status(entry, TODAY) == "ongoing"


@pytest.mark.parametrize("today, dates", [
    (date(2024, 1, 10), [("2024-02..2024-03", "upcoming"), ("2024-04", "upcoming")]),
    (TODAY, [("2024-02..2024-03", "ongoing"), ("2024-04", "upcoming")]),
    (date(2024, 4, 30), [("2024-04", "ongoing")]),
    (date(2024, 5, 1), []),
])
def test_next_dates_leave_out_past_entries(catalog, today, dates):
    v = evaluate(catalog.get("new-deal-jobs"), facts(**UNEMPLOYED_30), "ko", today)
    assert [(d.when, d.status) for d in v.next_dates] == dates
    assert all(d.what and d.clause.text for d in v.next_dates)


def test_next_dates_soonest_first(catalog):
    v = evaluate(catalog.get("youth-academy"), facts(age=25), "en", date(2024, 5, 1))
    starts = [d.start for d in v.next_dates]
    assert starts == sorted(starts) and starts[0] == date(2024, 6, 1)


# ── profiles from the API ─────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("profile, field", [
    ({"age": "30"}, "profile.age"),
    ({"age": 30.5}, "profile.age"),       # 30.0 is the integer 30, as JSON Schema and /openapi.json say
    ({"age": 121}, "profile.age"),
    ({"age": -1}, "profile.age"),
    ({"resident_of_seoul": 1}, "profile.resident_of_seoul"),
    ({"resident_of_seoul": "yes"}, "profile.resident_of_seoul"),
    ({"employment_status": "jobless"}, "profile.employment_status"),
    ({"income_pct_of_median": True}, "profile.income_pct_of_median"),
    ({"income_pct_of_median": 1001}, "profile.income_pct_of_median"),
    ({"household_assets_krw": -5}, "profile.household_assets_krw"),
    ({"business": {"size": "huge"}}, "profile.business.size"),
    ({"business": {"employees": 3}}, "profile.business.employees"),
    ({"interests": ["jobs", "cooking"]}, "profile.interests[1]"),
    ({"nickname": "kim"}, "profile.nickname"),
])
def test_bad_profiles_name_the_field(profile, field):
    with pytest.raises(ValidationError) as exc:
        Profile.model_validate(profile)
    errors = profile_errors(exc.value)
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message"]


def test_profile_accepts_whole_numbers_for_income():
    assert Profile.model_validate({"income_pct_of_median": 50}).income_pct_of_median == 50.0


def test_facts_merge_keeps_stated_values_and_fills_gaps():
    from_text = Facts(age_min=36, age_max=39, resident_of_seoul=False)
    profile = facts(age=30, resident_of_seoul=True, employment_status="unemployed")
    merged = from_text.merge(profile)
    assert (merged.age_min, merged.age_max, merged.resident_of_seoul) == (36, 39, False)
    assert merged.employment_status == "unemployed"


# ── alternatives ("창업 3년 이내 기업 또는 … 연간 매출액이 20억원 이하인 창업 7년 이내 기업") ────────────

ANGEL = "서울 엔젤펀드 대상인가요?"       # names the angel fund: its own conditions decide


def _angel(catalog, **business):
    facts = Facts(has_business=True, business_in_seoul=True, **business)
    return evaluate(catalog.get("vision-fund"), facts, "ko", TODAY, ANGEL)


def test_one_met_alternative_is_enough_and_the_other_is_shown_not_asked(catalog):
    young = _angel(catalog, business_years_since_founding=2)
    assert young.verdict == "eligible" and young.missing == []
    sales = [c for c in young.criteria if c.field == "business.annual_sales_krw"]
    assert [(c.status, c.answered_elsewhere, c.alternative) for c in sales] == [("info", True, "early-stage")]
    small = _angel(catalog, business_years_since_founding=6, business_sales_min=1_200_000_000,
                   business_sales_max=1_200_000_000)
    assert small.verdict == "eligible"


def test_alternatives_all_unmet_fail_and_one_unknown_asks_for_it(catalog):
    big = _angel(catalog, business_years_since_founding=5, business_sales_min=3_500_000_000,
                 business_sales_max=3_500_000_000)
    assert big.verdict == "ineligible"
    open_ = _angel(catalog, business_years_since_founding=5)
    assert open_.verdict == "unknown" and open_.missing == ["business.annual_sales_krw"]
    assert [c.status for c in open_.criteria if c.alternative] == ["info", "unknown"]   # 3 years: not a failure
    old = _angel(catalog, business_years_since_founding=9, business_sales_min=0, business_sales_max=0)
    assert old.verdict == "ineligible"                                                  # 7 years at most
