"""The "is this in the report?" classifier (chatbot/finder/scope.py)."""
from __future__ import annotations

import json

import pytest

import numpy as np

from chatbot.finder.answer.scope import (BANK_FILE, FEATURES, NEIGHBOUR_FEATURES, WEIGHTS_FILE, NeighbourBank, ScopeModel,
                                  ScopeSignals, load_bank, load_model, neighbour_features, signals)
from chatbot.finder.retrieve import RetrievalResult


def test_shipped_model_covers_every_feature_and_has_a_threshold_for_korean_english_and_the_rest():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES) and data["by"] == "bench/fit_scope.py"
    assert set(data["thresholds"]) == {"ko", "en", "other"} and all(0 < t < 1 for t in data["thresholds"].values())
    assert not {"scope_holdout.jsonl", "scope_fresh2.jsonl", "scope_fresh3.jsonl", "scope_fresh4.jsonl",
                "scope_fresh5.jsonl", "scope_fresh6.jsonl", "scope_fresh7.jsonl", "scope_fresh8.jsonl"} & set(data["negatives"])
    model = load_model()
    assert model is not None and model.base.threshold("ko") == data["thresholds"]["ko"]
    assert model.base.threshold("ja") == data["thresholds"]["other"] and model.base.threshold("en") == data["thresholds"]["en"]


def test_shipped_neighbour_model_and_its_bank_belong_together():
    """The bank holds every fitting question once (scope.json counts them), embedded by the model
    the weights were fitted with; holdouts are never in it."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    near = data["neighbours"]
    assert set(near["weights"]) == set(FEATURES + NEIGHBOUR_FEATURES) and near["bank"] == BANK_FILE.name
    assert set(near["thresholds"]) == {"ko", "en", "other"} and all(0 < t < 1 for t in near["thresholds"].values())
    bank = load_bank()
    assert bank is not None and bank.model == data["model"] and len(bank.vectors) == near["questions"]
    assert np.allclose(np.linalg.norm(bank.vectors, axis=1), 1.0, atol=1e-3)
    assert 0.2 < bank.answerable.mean() < 0.9
    assert load_model(model=data["model"]).neighbours is not None
    assert load_model(model="another-model").neighbours is None          # another model's space: the base model
    assert load_model().neighbours is None


def test_neighbour_features_follow_the_nearest_labelled_questions():
    vectors = np.eye(4, dtype=np.float32)
    answerable = np.array([True, True, False, False])
    near_off_topic = neighbour_features(vectors @ np.array([0.1, 0, 0.9, 0.2], dtype=np.float32), answerable)
    near_answerable = neighbour_features(vectors @ np.array([0.9, 0.3, 0.1, 0], dtype=np.float32), answerable)
    assert near_off_topic[0] < 0.5 < near_answerable[0]          # the similarity-weighted share
    assert near_off_topic[1] < 0 < near_answerable[1]            # nearest answerable minus nearest off-topic
    bank = NeighbourBank(vectors, answerable, "m")
    assert bank.features(np.array([0, 0, 3.0, 0])) == pytest.approx(
        neighbour_features(vectors @ np.array([0, 0, 1.0, 0]), answerable))     # the question vector is normalised


def test_the_neighbour_model_decides_only_with_a_question_vector(tmp_path):
    weights = dict.fromkeys(FEATURES, 0.0)
    near_weights = dict.fromkeys(FEATURES + NEIGHBOUR_FEATURES, 0.0) | {"neighbour_share": 10.0}
    from chatbot.finder.answer.scope import Logistic
    bank = NeighbourBank(np.eye(2, dtype=np.float32), np.array([True, False]), "m")
    model = ScopeModel(weights, 0.0, {"ko": 0.5}, Logistic(near_weights, -5.0, {"ko": 0.4}, FEATURES + NEIGHBOUR_FEATURES),
                       bank)
    s = ScopeSignals(tuple(0.0 for _ in FEATURES))
    p_answerable, t = model.decide(s, np.array([1.0, 0.0]), "ko")
    p_off_topic, _ = model.decide(s, np.array([0.0, 1.0]), "ko")
    assert t == 0.4 and p_answerable > 0.9 and p_off_topic < 0.1
    assert model.decide(s, None, "ko") == (0.5, 0.5)            # no vector: the base model and its threshold
    np.savez(tmp_path / "bank.npz", vectors=np.ones((2, 3)), answerable=np.array([True, True]), model=np.array("m"))
    assert load_bank(tmp_path / "bank.npz") is None              # one class only: no bank
    assert load_bank(tmp_path / "absent.npz") is None


def test_probability_rises_with_its_positive_signals_and_falls_with_unknown_words():
    weights = dict.fromkeys(FEATURES, 0.0) | {"share": 2.0, "unknown_share_ko": -3.0}
    model = ScopeModel(weights, 0.0, {"ko": 0.5})
    base = dict.fromkeys(FEATURES, 0.0)

    def p(**values) -> float:
        return model.base.probability(tuple((base | values)[name] for name in FEATURES))

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
    # scripts the analysis cannot read: the nearest labelled questions decide
    ("在首尔怎么申请公共租赁住房？", False),
    ("ソウルで粗大ごみを出すにはどうすればいいですか？", False),
    ("ソウルの面接スーツ無料レンタルは年に何回使えますか？", True),
])
def test_everyday_city_questions_are_out_of_scope_on_the_real_model(real_answerer, question, in_scope):
    answer = real_answerer.answer(question)
    assert (answer.status == "answered") == in_scope, (answer.status, answer.scope)
    if not in_scope:
        assert answer.status == "not_in_report" and answer.programs == [] and answer.citations == []
