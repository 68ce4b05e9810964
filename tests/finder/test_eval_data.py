"""The evaluation set's own integrity: a question whose fact is not in the report, or whose
program id does not exist, would quietly count as a miss (or a hit) forever."""
from __future__ import annotations

import json

import pytest

from chatbot.config import PROJECT_ROOT, Settings
from chatbot.documents.corpus import load_corpus
from chatbot.programs.names import ProgramNames

DATA = PROJECT_ROOT / "tests" / "data"
NOT_QUESTIONS = ("eval_unanswerable", "eval_verdicts", "eval_judgements")
SPLITS = sorted(p.stem for p in [*DATA.glob("eval_*.jsonl"), *DATA.glob("train_*.jsonl")]
                if p.stem not in NOT_QUESTIONS)


def rows(split: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"{split}.jsonl").open(encoding="utf-8") if line.strip()]


@pytest.fixture(scope="module")
def report_lines() -> list[str]:
    documents = load_corpus(Settings().corpus_dir)
    return documents[0].text.splitlines()


def test_dev_test_and_holdout_exist_with_unique_ids():
    assert {"eval_dev", "eval_test", "eval_holdout"} <= set(SPLITS)
    ids = [r["id"] for split in SPLITS for r in rows(split)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("split", SPLITS)
def test_every_fact_is_on_its_line_of_the_report_and_every_program_exists(split, report_lines):
    programs = ProgramNames.load(Settings().corpus_dir)
    squashed = "".join("".join(report_lines).split())
    for row in rows(split):
        assert row["lang"] in ("ko", "en") and row["question"].strip() and row["category"]
        assert row["program_id"] is None or row["program_id"] in programs, row["id"]
        fact = "".join(row["fact"].split())
        assert fact in squashed, row["id"]
        near = "".join("".join(report_lines[max(row["line"] - 3, 0): row["line"] + 2]).split())
        assert fact in near, f'{row["id"]}: fact not at line {row["line"]}'


def test_judgements_name_real_questions_and_verdicts(report_lines):
    """Blind relevance judgements (bench/eval_retrieval.py --judged): known question ids, one of
    three verdicts, and line ranges inside the report."""
    questions = {r["id"] for split in SPLITS for r in rows(split)}
    judged = [json.loads(line) for line in (DATA / "eval_judgements.jsonl").open(encoding="utf-8") if line.strip()]
    assert judged
    pairs = [(j["question"], j["passage"]) for j in judged]
    assert len(pairs) == len(set(pairs))
    for j in judged:
        assert j["question"] in questions and j["verdict"] in ("answers", "partly", "no")
        assert 1 <= j["lines"][0] <= j["lines"][1] <= len(report_lines)


SCOPE_SETS = ("scope_a", "scope_b", "scope_c", "scope_d", "scope_holdout", "scope_fresh2", "scope_fresh3",
              "scope_fresh4", "scope_fresh5", "scope_fresh6", "scope_fresh7", "scope_fresh8")
ELIGIBILITY_SETS = ("eligibility_dev", "eligibility_train", "eligibility_train2", "eligibility_holdout",
                    "eligibility_fresh2", "eligibility_fresh3", "eligibility_fresh4", "eligibility_fresh5",
                    "eligibility_fresh6", "eligibility_train3", "eligibility_fresh7",
                    "eligibility_fresh8")
KINDS = {"answerable", "off_topic", "unstated_fact", "vague"}


@pytest.mark.parametrize("name", SCOPE_SETS)
def test_blind_scope_sets_hold_every_kind_and_their_facts_are_real(name, report_lines):
    """bench/eval_answers.py and the fitting scripts read these: answerable rows need a fact on
    its line; unstated details name a real program."""
    programs = ProgramNames.load(Settings().corpus_dir)
    data = rows(name)
    assert {r["kind"] for r in data} == KINDS and len({r["id"] for r in data}) == len(data)
    assert sum(r["kind"] in ("off_topic", "unstated_fact") for r in data) >= 0.4 * len(data)
    for row in data:
        assert row["question"].strip() and row["lang"]
        if row["kind"] == "answerable":
            assert row["program_id"] is None or row["program_id"] in programs, row["id"]
            line = "".join(report_lines[row["line"] - 1].split())
            assert "".join(row["fact"].split()) in line, row["id"]
        if row["kind"] == "unstated_fact":
            assert row["program_id"] in programs, row["id"]


def test_the_blind_sets_hold_at_least_200_questions_the_report_does_not_answer():
    """The issue's floor, for the fitting sets alone and for the holdouts alone."""
    unanswerable = {name: sum(r["kind"] in ("off_topic", "unstated_fact") for r in rows(name)) for name in SCOPE_SETS}
    assert sum(n for name, n in unanswerable.items() if name in ("scope_a", "scope_b", "scope_c", "scope_d")) >= 200
    assert sum(n for name, n in unanswerable.items() if name not in ("scope_a", "scope_b", "scope_c", "scope_d")) >= 200


@pytest.mark.parametrize("name", ELIGIBILITY_SETS)
def test_blind_eligibility_sets_cite_the_deciding_clause(name, report_lines):
    programs = ProgramNames.load(Settings().corpus_dir)
    data = rows(name)
    assert len(data) >= 60 and sum(r["lang"] == "en" for r in data) >= len(data) / 3
    if not name.startswith("eligibility_train"):      # the shape, for the sets that are scored
        assert sum(not r["names_program"] for r in data) >= len(data) / 3
    for row in data:
        assert row["program_id"] in programs and row["verdict"] in ("eligible", "ineligible", "unknown"), row["id"]
        assert "".join(row["clause"].split()) in "".join(report_lines[row["line"] - 1].split()), row["id"]


def test_misses_of_held_out_splits_are_never_listed():
    """The benchmarks print misses only for splits that are fitted on or read, so a held-out
    split's misses cannot be read by accident."""
    from bench import eval_retrieval

    assert eval_retrieval.misses_for("dev", True) and eval_retrieval.misses_for("blind", True)
    for split in ("holdout", *eval_retrieval.HOLDOUTS):
        assert not eval_retrieval.misses_for(split, True)
    assert not eval_retrieval.misses_for("dev", False)
