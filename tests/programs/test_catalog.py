"""The shipped programs against the real corpus: schema, verbatim evidence, ids, names, key facts.

No mocks: every check reads corpus/programs.yaml and the report itself, so a typo in the data, a
shifted line range or a drifted program id fails here, not in front of a citizen.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from chatbot.programs.catalog import (LEGACY_CATALOG_FILE, PROGRAMS_FILE, CatalogError, Catalog, Program, load_catalog,
                                      load_programs)
from chatbot.documents.corpus import collapse_whitespace, load_corpus, read_yaml

ROOT = Path(__file__).resolve().parents[2]     # the repository root
CORPUS_DIR = ROOT / "corpus"
CATALOG = CORPUS_DIR / PROGRAMS_FILE
DOC_ID = "seoul-economic-policy-office-2024"

RAW = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
RAW_IDS = [p["id"] for p in RAW["programs"]]


@pytest.fixture(scope="module")
def documents():
    return {d.id: d for d in load_corpus(CORPUS_DIR)}


@pytest.fixture(scope="module")
def catalog(documents) -> Catalog:
    return load_catalog(CATALOG, documents)


def _criteria(catalog: Catalog, program_id: str, field: str):
    program = catalog.get(program_id)
    assert program is not None, f"no catalog record {program_id!r}"
    return [c for c in program.eligibility if c.field == field]


# ── the shipped file ──────────────────────────────────────────────────────────────────────────

def test_shipped_catalog_loads_with_the_real_corpus(catalog):
    assert catalog.edition == "2024"
    assert catalog.as_of.isoformat() == "2024-02-15"
    assert len(catalog) == len(RAW_IDS) >= 27
    assert [p.id for p in catalog] == RAW_IDS
    assert "interview-suit" in catalog and catalog.get("no-such-program") is None


@pytest.mark.parametrize("program_id", RAW_IDS)
def test_every_clause_is_verbatim_at_its_lines(program_id, catalog, documents):
    """Checked independently of the loader, so a loader bug cannot hide a bad quote."""
    program = catalog.get(program_id)
    problems = []
    for path, clause in program.clauses():
        doc = documents.get(clause.document)
        start, end = clause.lines
        if doc is None or not 1 <= start <= end <= len(doc.lines):
            problems.append(f"{path}: bad document/lines {clause.document} {start}-{end}")
            continue
        if clause.text not in collapse_whitespace(doc.line_range(start, end)):
            problems.append(f"{path}: not verbatim at {start}-{end}: {clause.text[:50]!r}")
        elif end > start and (
            clause.text in collapse_whitespace(doc.line_range(start + 1, end))
            or clause.text in collapse_whitespace(doc.line_range(start, end - 1))
        ):
            problems.append(f"{path}: lines {start}-{end} are not tight")
    for i, source in enumerate(program.sources):
        doc = documents.get(source.document)
        if doc is None or source.lines[1] > len(doc.lines):
            problems.append(f"sources[{i}]: bad document/lines")
    assert not problems, f"program {program_id!r}:\n" + "\n".join(problems)


def test_every_program_cites_the_report(catalog):
    for program in catalog:
        assert program.sources, program.id
        assert program.benefits or program.schedule, f"{program.id}: nothing a citizen could be told"


def _ids(node):
    """Every value of an ``id`` key anywhere in loaded YAML."""
    if isinstance(node, dict):
        yield from ([node["id"]] if isinstance(node.get("id"), str) else [])
        for value in node.values():
            yield from _ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _ids(value)


def test_every_program_is_in_exactly_one_data_file(catalog):
    """A program is edited in one place: its id, names, section, aliases and facts are one record
    of programs.yaml, and no other data file of the corpus names a program id."""
    found: dict[str, list[str]] = {program_id: [] for program_id in catalog.ids}
    for path in sorted(CORPUS_DIR.rglob("*.y*ml")):
        for value in _ids(read_yaml(path)):
            if value in found:
                found[value].append(path.name)
    assert found == {program_id: [PROGRAMS_FILE] for program_id in catalog.ids}
    assert len(catalog) == 40


def test_a_version_built_with_names_and_facts_in_two_files_still_loads(tmp_path, catalog, documents):
    """Index versions built before a program was one record carry programs.yaml (ids, names,
    section, block, aliases) and catalog.yaml (the facts); they load as the same programs."""
    naming = ("id", "name", "section", "block", "aliases")
    names = [{k: r[k] for k in naming if k in r} for r in RAW["programs"]]
    (tmp_path / PROGRAMS_FILE).write_text(yaml.safe_dump({"programs": names}, allow_unicode=True), encoding="utf-8")
    facts = [{k: v for k, v in r.items() if k not in naming[2:]} for r in RAW["programs"]]
    (tmp_path / LEGACY_CATALOG_FILE).write_text(yaml.safe_dump({**RAW, "programs": facts}, allow_unicode=True),
                                                encoding="utf-8")
    assert load_programs(tmp_path, documents) == catalog
    assert load_programs(CORPUS_DIR, documents) == catalog


def test_programs_carry_their_report_section_and_aliases(catalog):
    """The chunker's and the question analyser's data are part of each record."""
    assert catalog.get("youth-academy").section == "청년취업사관학교 조성"
    assert catalog.get("interview-suit").block == "취업날개서비스"
    assert catalog.get("robot-ai-museum").section is None
    assert "취업날개" in catalog.get("interview-suit").aliases.ko
    assert all(program.aliases.ko or program.aliases.en for program in catalog)


# ── facts the product owner named ─────────────────────────────────────────────────────────────

def test_interview_suit_has_an_upper_age_limit(catalog):
    (age,) = _criteria(catalog, "interview-suit", "age")
    assert (age.op, age.value) == ("<=", 39)
    assert age.describe("ko") == "만 39세 이하" and age.describe("en") == "age 39 or under"
    assert age.clause.lines[0] >= 2037  # stated in the audit follow-ups, not in Part Ⅳ


def test_youth_intern_is_for_seoul_residents_aged_18_to_34(catalog):
    (age,) = _criteria(catalog, "youth-intern", "age")
    assert (age.op, age.value) == ("between", [18, 34])
    (resident,) = _criteria(catalog, "youth-intern", "resident_of_seoul")
    assert (resident.op, resident.value) == ("==", True)


def test_companion_jobs_income_and_asset_limits(catalog):
    (income,) = _criteria(catalog, "companion-jobs", "income_pct_of_median")
    assert (income.op, income.value) == ("<=", 80)
    (assets,) = _criteria(catalog, "companion-jobs", "household_assets_krw")
    assert (assets.op, assets.value) == ("<=", 499_000_000)
    (age,) = _criteria(catalog, "companion-jobs", "age")
    assert (age.op, age.value) == (">=", 18)


def test_tech_school_is_for_seoul_residents_15_and_over(catalog):
    (age,) = _criteria(catalog, "tech-school", "age")
    assert (age.op, age.value) == (">=", 15)
    assert [c.value for c in _criteria(catalog, "tech-school", "resident_of_seoul")] == [True]


def test_new_deal_jobs_is_for_unemployed_seoul_residents_18_and_over(catalog):
    assert [(c.op, c.value) for c in _criteria(catalog, "new-deal-jobs", "age")] == [(">=", 18)]
    assert [c.value for c in _criteria(catalog, "new-deal-jobs", "employment_status")] == ["unemployed"]
    assert [c.value for c in _criteria(catalog, "new-deal-jobs", "resident_of_seoul")] == [True]


def test_youth_academy_age_band_from_20s_and_30s(catalog):
    (age,) = _criteria(catalog, "youth-academy", "age")
    assert (age.op, age.value) == ("between", [20, 39])


@pytest.mark.parametrize("program_id", ["strong-sme", "testbed", "seoul-rnd", "vision-fund", "startup-hub"])
def test_business_only_programs_require_a_business(catalog, program_id):
    assert any(c.op == "present" for c in _criteria(catalog, program_id, "business"))


def test_youth_academy_new_campuses_each_have_a_dated_entry(catalog):
    whens = {e.when for e in catalog.get("youth-academy").schedule if "캠퍼스" in e.what.ko}
    assert {"2024-06", "2024-07", "2024-08", "2024-10", "2024-12"} <= whens


# ── bad records ───────────────────────────────────────────────────────────────────────────────

def _record() -> dict:
    return {
        "id": "interview-suit",
        "name": {"ko": "취업날개 면접정장 무료대여", "en": "Free interview suit rental"},
        "summary": {"ko": "면접정장 무료대여", "en": "Free interview suits"},
        "category": "jobs",
        "audience": ["youth", "job-seeker"],
        "benefits": [{
            "text": {"ko": "면접정장 무료대여", "en": "Free suit rental"},
            "clause": {"text": "취업준비생 면접정장 무료대여 서비스 제공(10회, 3박4일/1인)",
                       "document": DOC_ID, "lines": [1439, 1439]},
        }],
        "eligibility": [{
            "field": "age", "op": "<=", "value": 39,
            "clause": {"text": "청년의 연령을 39세 이하까지 확대하여 적용하고 있음",
                       "document": DOC_ID, "lines": [2045, 2047]},
        }],
        "schedule": [{
            "what": {"ko": "만족도 조사", "en": "Satisfaction survey"}, "when": "2024-11",
            "clause": {"text": "이용자 대상 만족도 조사를 통한 피드백 실시 (11월)",
                       "document": DOC_ID, "lines": [1496, 1496]},
        }],
        "sources": [{"document": DOC_ID, "lines": [1426, 1496]}],
    }


def _set(record: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    node = record
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value


_DELETE = object()

BAD_RECORDS = [
    # (case, edits to the valid record, field path expected in the message)
    ("unknown field", {"eligibility.0.field": "height"}, "eligibility[0].field"),
    ("unknown op", {"eligibility.0.op": "<"}, "eligibility[0].op"),
    ("op that does not fit the field", {"eligibility.0.field": "resident_of_seoul"}, "eligibility[0].op"),
    ("number op with a word", {"eligibility.0.value": "young"}, "eligibility[0].value"),
    ("bool given to a number field", {"eligibility.0.value": True}, "eligibility[0].value"),
    ("between upside down", {"eligibility.0.op": "between", "eligibility.0.value": [39, 18]}, "eligibility[0].value"),
    ("between with one number", {"eligibility.0.op": "between", "eligibility.0.value": [18]}, "eligibility[0].value"),
    ("in with an empty list", {"eligibility.0.field": "employment_status", "eligibility.0.op": "in",
                               "eligibility.0.value": []}, "eligibility[0].value"),
    ("in with an unknown status", {"eligibility.0.field": "employment_status", "eligibility.0.op": "in",
                                   "eligibility.0.value": ["jobless"]}, "eligibility[0].value"),
    ("present with a value", {"eligibility.0.field": "business", "eligibility.0.op": "present"},
     "eligibility[0].value"),
    ("text without a description", {"eligibility.0.op": "text"}, "eligibility[0].value"),
    ("met_by on a comparison", {"eligibility.0.met_by": ["unemployed"]}, "eligibility[0].met_by"),
    ("met_by of a number field", {"eligibility.0.op": "text", "eligibility.0.value": "young",
                                  "eligibility.0.met_by": ["30"]}, "eligibility[0].met_by"),
    ("met_by naming an unknown field", {"eligibility.0.op": "text", "eligibility.0.value": "young",
                                        "eligibility.0.met_by": ["height=tall"]}, "eligibility[0].met_by"),
    ("met_by with a yes/no that is neither", {"eligibility.0.op": "text", "eligibility.0.value": "young",
                                              "eligibility.0.met_by": ["is_foreign_student=maybe"]},
     "eligibility[0].met_by"),
    ("a lone alternative", {"eligibility.0.alternative": "early-stage"}, "eligibility"),
    ("an alternative of words", {"eligibility.0.op": "text", "eligibility.0.value": "young",
                                 "eligibility.0.alternative": "early-stage"}, "eligibility[0].alternative"),
    ("a blank alternative", {"eligibility.0.alternative": " "}, "eligibility[0].alternative"),
    ("month 13", {"schedule.0.when": "2024-13"}, "schedule[0].when"),
    ("free-text when", {"schedule.0.when": "November"}, "schedule[0].when"),
    ("range ending before it starts", {"schedule.0.when": "2024-12..2024-03"}, "schedule[0].when"),
    ("impossible date", {"schedule.0.when": "2024-02-30"}, "schedule[0].when"),
    ("clause not in the corpus", {"benefits.0.clause.text": "면접정장 유료대여"}, "benefits[0].clause.text"),
    ("clause at the wrong lines", {"benefits.0.clause.lines": [1440, 1441]}, "benefits[0].clause.text"),
    ("lines out of range", {"eligibility.0.clause.lines": [5000, 5001]}, "eligibility[0].clause.lines"),
    ("lines reversed", {"schedule.0.clause.lines": [1496, 1490]}, "schedule[0].clause.lines"),
    ("unknown document", {"sources.0.document": "no-such-report"}, "sources[0].document"),
    ("unknown category", {"category": "welfare"}, "category"),
    ("unknown audience", {"audience": ["everyone"]}, "audience[0]"),
    ("misspelt key", {"eligibilty": []}, "eligibilty"),
    ("an empty alias", {"aliases": {"ko": ["면접정장", " "]}}, "aliases.ko"),
    ("aliases in a third language", {"aliases": {"ja": ["面接スーツ"]}}, "aliases.ja"),
    ("a block without its section", {"block": "취업날개서비스"}, "block"),
    ("an empty section", {"section": ""}, "section"),
    ("missing sources", {"sources": _DELETE}, "sources"),
]


@pytest.mark.parametrize("edits,field_path", [(e, p) for _, e, p in BAD_RECORDS],
                         ids=[case for case, _, _ in BAD_RECORDS])
def test_bad_record_is_reported_with_record_and_field(tmp_path, documents, edits, field_path):
    record = _record()
    for path, value in edits.items():
        _set(record, path, value)
    path = tmp_path / PROGRAMS_FILE
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [record]},
                                   allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path, documents)
    message = str(err.value)
    assert message.startswith(f"programs.yaml: program 'interview-suit' → {field_path}: "), message


def test_met_by_names_its_own_field_values_or_another_field(tmp_path, documents):
    record = _record()
    record["eligibility"][0].update(op="text", value="young job seekers", field="employment_status",
                                    met_by=["unemployed", "is_foreign_student=true", "employment_status=student"])
    path = tmp_path / PROGRAMS_FILE
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [record]},
                                   allow_unicode=True), encoding="utf-8")
    criterion = load_catalog(path, documents).get("interview-suit").eligibility[0]
    assert criterion.met_by_facts() == [("employment_status", "unemployed"), ("is_foreign_student", True),
                                        ("employment_status", "student")]


def test_the_valid_base_record_loads(tmp_path, documents):
    """Guards the table above: each bad case must fail for its own edit, not the base record."""
    path = tmp_path / PROGRAMS_FILE
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [_record()]},
                                   allow_unicode=True), encoding="utf-8")
    assert load_catalog(path, documents).get("interview-suit") is not None


def test_duplicate_id_is_reported(tmp_path, documents):
    second = copy.deepcopy(_record())
    path = tmp_path / PROGRAMS_FILE
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [_record(), second]},
                                   allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"program 'interview-suit' → id: duplicate"):
        load_catalog(path, documents)


def _suit_look_alike() -> dict:
    other = copy.deepcopy(_record())
    other.update(id="suit-library", name={"ko": "정장 도서관", "en": "Suit library"})
    return other


def test_an_alias_shared_by_two_programs_is_refused(tmp_path, documents):
    """No alias names two programs: a question using it could not say which one it means. Spelling
    variants count as the same alias (spaces, middle dots, case), as the name matcher reads them."""
    first = {**_record(), "aliases": {"ko": ["면접정장", "취업날개"], "en": ["interview suit"]}}
    second = {**_suit_look_alike(), "aliases": {"ko": ["정장 대여"], "en": ["Interview Suit"]}}
    path = tmp_path / PROGRAMS_FILE
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [first, second]},
                                   allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path, documents)
    assert str(err.value) == ("programs.yaml: program 'suit-library' → aliases.en[0]: 'Interview Suit' is already a "
                              "name or alias of program 'interview-suit' (no alias is shared by two programs)")
    second["aliases"] = {"ko": ["면접 정장"]}                   # Korean: compared without spaces
    with pytest.raises(ValueError, match=r"program 'suit-library' → aliases.ko\[0\]: '면접 정장' is already"):
        Catalog.model_validate({"edition": "2024", "as_of": "2024-02-15",
                                "programs": [Program.model_validate(first), Program.model_validate(second)]})
    second["aliases"] = {"ko": ["정장 대여"], "en": ["suit library for interviews"]}
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [first, second]},
                                   allow_unicode=True), encoding="utf-8")
    assert load_catalog(path, documents).get("suit-library").aliases.en == ["suit library for interviews"]


def test_bad_id_is_reported(tmp_path, documents):
    record = _record()
    record["id"] = "Interview_Suit"
    path = tmp_path / PROGRAMS_FILE
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [record]},
                                   allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"program 'Interview_Suit' → id: .*kebab-case"):
        load_catalog(path, documents)


def test_schema_only_load_skips_corpus_checks(tmp_path):
    """Without documents the loader checks shape only (clause text is not compared)."""
    record = _record()
    record["benefits"][0]["clause"]["text"] = "면접정장 유료대여"
    path = tmp_path / PROGRAMS_FILE
    path.write_text(yaml.safe_dump({"edition": "2024", "as_of": "2024-02-15", "programs": [record]},
                                   allow_unicode=True), encoding="utf-8")
    assert len(load_catalog(path)) == 1
