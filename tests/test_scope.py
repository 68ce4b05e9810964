"""The "is this in the report?" classifier (chatbot/finder/scope.py)."""
from __future__ import annotations

import json

import pytest

from chatbot.finder.scope import FEATURES, WEIGHTS_FILE, ScopeModel, ScopeSignals, load_model, signals
from chatbot.retrieval import RetrievalResult


def test_shipped_model_covers_every_feature_and_has_a_threshold_for_korean_english_and_the_rest():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES) and data["by"] == "bench/fit_scope.py"
    assert set(data["thresholds"]) == {"ko", "en", "other"} and all(0 < t < 1 for t in data["thresholds"].values())
    assert not {"scope_holdout.jsonl", "scope_fresh2.jsonl", "scope_fresh3.jsonl", "scope_fresh4.jsonl",
                "scope_fresh5.jsonl", "scope_fresh6.jsonl"} & set(data["negatives"])
    model = load_model()
    assert model is not None and model.threshold("ko") == data["thresholds"]["ko"]
    assert model.threshold("ja") == data["thresholds"]["other"] and model.threshold("en") == data["thresholds"]["en"]


def test_probability_rises_with_its_positive_signals_and_falls_with_unknown_words():
    weights = dict.fromkeys(FEATURES, 0.0) | {"share": 2.0, "unknown_share_ko": -3.0}
    model = ScopeModel(weights, 0.0, {"ko": 0.5})
    base = dict.fromkeys(FEATURES, 0.0)

    def p(**values) -> float:
        return model.probability(ScopeSignals(tuple((base | values)[name] for name in FEATURES)))

    assert p(share=0.9) > p(share=0.1) and p(unknown_share_ko=1.0) < p()
    assert p(share=1e9) == pytest.approx(1.0)          # no overflow


def test_broken_or_old_models_switch_the_classifier_off(tmp_path):
    assert load_model(tmp_path / "absent.json") is None
    (tmp_path / "old.json").write_text(json.dumps({"weights": {"share": 1.0}}), encoding="utf-8")
    assert load_model(tmp_path / "old.json") is None


def test_signals_see_unknown_words_and_benefit_words_the_passage_lacks(analyzer):
    q = analyzer.analyse("따릉이 정기권 월세 지원 얼마야?")
    s = dict(zip(FEATURES, signals(q, RetrievalResult(hits=[], programs=[]), None, {}, []).values))
    assert s["unknown_share_ko"] > 0 and s["unknown_count"] > 0 and s["korean"] == 1.0
    assert s["passage_coverage"] == 0.0


def test_english_coverage_counts_the_words_the_top_programs_english_wording_uses(analyzer):
    suit = analyzer.analyse("How many times a year can I borrow an interview suit?")
    language_class = analyzer.analyse("Is there a free Korean language class for foreigners run by the city?")
    assert analyzer.english_coverage(suit, ["interview-suit"]) == 1.0
    assert analyzer.english_coverage(language_class, ["interview-suit"]) < 0.5
    assert analyzer.english_coverage(analyzer.analyse("정장 빌리는 거 몇 번까지 돼요?"), ["interview-suit"]) is None
    s = dict(zip(FEATURES, signals(language_class, RetrievalResult(hits=[], programs=[]), None, {}, [], 0.25).values))
    assert s["english_topic"] == 1.0 and s["english_coverage"] == 0.25


@pytest.mark.slow
@pytest.mark.parametrize("question, in_scope", [
    ("Does the city offer free Korean language classes for foreigners?", False),
    ("Where can I get a COVID-19 vaccine in Seoul as a foreign resident?", False),
    ("청년월세 지원 받으려면 어떻게 신청해요?", False),
    ("따릉이 정기권 가격이 얼마야?", False),
    ("How do I dispose of a large piece of furniture in Seoul?", False),
    ("보건소 독감 예방접종 언제 해요?", False),
    ("정장 빌리는 거 1년에 몇 번까지 돼요?", True),
    ("How many times a year can I borrow an interview suit?", True),
    ("청년취업사관학교 캠퍼스 몇 개예요?", True),
])
def test_everyday_city_questions_are_out_of_scope_on_the_real_model(real_answerer, question, in_scope):
    answer = real_answerer.answer(question)
    assert (answer.status == "answered") == in_scope, (answer.status, answer.scope)
    if not in_scope:
        assert answer.status == "not_in_report" and answer.programs == [] and answer.citations == []
