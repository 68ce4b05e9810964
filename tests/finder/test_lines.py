"""Line selection (chatbot/finder/lines.py): which line of the top passages the answer quotes."""
from __future__ import annotations

import json

import pytest

from chatbot.config import PROJECT_ROOT
import numpy as np

from chatbot.finder.answer.lines import (BANK_FILE, FEATURES, NEIGHBOUR_FEATURES, WEIGHTS_FILE, LineBank, LineSelector,
                                  load_bank, load_neighbours, load_weights, neighbour_line_features, save_bank, shorten)
from chatbot.finder.question import Question
from chatbot.index.lexical import KoreanTokenizer
from chatbot.index.passages import Passage, logical_lines

TOKENIZE = KoreanTokenizer().tokenize
OVERVIEW = ("Ⅳ. 주요 업무보고", "4. 인재양성", "3 청년과 함께하는 서울형 강소기업 육성 지원", "□ 사업개요")


def passage(text: str, section=OVERVIEW, start: int = 100) -> Passage:
    return Passage(id=str(hash(text)), document_id="d", text=text, start_line=start, end_line=start + text.count("\n"),
                   section=section, program_id="strong-sme")


def question(text: str, facets=()) -> Question:
    return Question(text, "ko", "ko", facets=tuple(facets), query_tokens=tuple(TOKENIZE(text)))


def test_logical_lines_join_wrapped_continuations():
    p = passage(" ◦ 서울형 강소기업 최초 인증 2년 후, 1년 단위로\n 재인증평가를 통해 점검하고 있음.\n ◦ 다음 줄")
    assert logical_lines(p) == [("서울형 강소기업 최초 인증 2년 후, 1년 단위로 재인증평가를 통해 점검하고 있음.", 100),
                                ("다음 줄", 102)]


def test_a_who_question_prefers_the_recruitment_line_over_the_legal_basis():
    """The issue's example: the answer quoted 추진근거 instead of 모집대상."""
    p = passage(" ㅇ 추진근거 :「서울특별시 강소기업 육성 및 지원 조례」\n ㅇ 모집대상 : 서울 소재 중소기업 중 공공기관 인증을 받은 기업\n"
                " ㅇ 지원내용 : 청년 정규직 채용 시 근무환경개선금")
    selector = LineSelector(load_weights(), TOKENIZE, {"강소": 3.0, "기업": 0.5, "회사": 4.0, "신청": 1.0})
    best = selector.rank(question("서울형 강소기업은 어떤 회사가 신청할 수 있어요?", facets=["who"]), [p], [1.0])[0]
    assert best.quote.startswith("모집대상") and best.line.number == 101


def test_features_follow_the_declared_columns_and_weights_decide():
    p = passage(" ㅇ 교육기간 : 3개월\n ㅇ 장소 : 서울")
    selector = LineSelector(dict.fromkeys(FEATURES, 0.0) | {"states_duration": 5.0}, TOKENIZE, {})
    X, where = selector.features(question("교육 기간 얼마나?", facets=["duration"]), [p], [1.0])
    assert X.shape == (2, len(FEATURES)) and [line.number for line, _, _ in where] == [100, 101]
    assert X[0, FEATURES.index("states_duration")] == 1.0 and X[1, FEATURES.index("states_duration")] == 0.0
    assert selector.rank(question("교육 기간 얼마나?", facets=["duration"]), [p], [1.0])[0].line.number == 100


def test_shorten_keeps_the_clauses_that_hold_the_question_words():
    line = ("(대여기간) 현재 3박4일, 연 10회까지 무상으로 이용가능 하여 1회에만 국한된 것이 아니며, 면접 정장 지원 등의 취지 및 "
            "서비스 접근성 등을 고려한 대여기관 선정, 택배 서비스 이용 가능 등을 고려할 때 적당한 기간임.")
    short = shorten(line, frozenset(TOKENIZE("1년에 몇 번까지 무상으로 돼요")), TOKENIZE, limit=60)
    assert "연 10회까지 무상으로 이용가능" in short and len(short) <= 60 + 4
    assert shorten("짧은 줄", frozenset(), TOKENIZE) == "짧은 줄"


def test_shipped_weights_cover_every_feature_and_were_fitted_on_fitting_sets_only():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES) and data["by"] == "bench/fit_lines.py"
    held_out = ("eval_test.jsonl", "eval_holdout.jsonl", "scope_holdout.jsonl", "scope_fresh2.jsonl", "scope_fresh3.jsonl",
                "scope_fresh4.jsonl", "scope_fresh5.jsonl", "scope_fresh6.jsonl", "scope_fresh7.jsonl",
                "scope_fresh8.jsonl")
    assert not any(name.endswith(held_out) for name in data["on"])
    assert all((PROJECT_ROOT / name).is_file() for name in data["on"])
    assert load_weights(WEIGHTS_FILE) == data["weights"]


def test_missing_weights_fall_back(tmp_path):
    assert load_weights(tmp_path / "absent.json") is None
    (tmp_path / "old.json").write_text(json.dumps({"weights": {"share": 1.0}}), encoding="utf-8")
    assert load_weights(tmp_path / "old.json") is None
    assert LineSelector(None, TOKENIZE, {}).weights.any()


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", [
    ("서울형 강소기업은 어떤 회사가 신청할 수 있어요?", "모집대상 : 서울 소재 중소기업 중 공공기관 인증을 받은 기업"),
    ("청년인턴 직무캠프는 교육이랑 인턴 기간이 얼마나 돼?", "직무훈련 (3개월) ✚ 인턴십 (3개월)"),
    ("정장 빌리는 거 1년에 몇 번까지 돼요?", "연 10회까지 무상으로 이용가능"),
    ("정장 늦게 반납하면 연체료 얼마예요?", "최대 1만원"),
])
def test_the_answer_quotes_the_line_with_the_fact(real_answerer, question, fact):
    """On the real model: the lead sentence holds the asked-for fact (whitespace ignored)."""
    answer = real_answerer.answer(question)
    assert answer.status == "answered"
    assert "".join(fact.split()) in "".join(answer.text.split()), answer.text


def test_the_line_nearest_the_question_in_meaning_wins_with_the_dense_weights():
    """An English question shares no word with the Korean lines: the lines' vectors decide, in the
    columns of the question's language group."""
    import numpy as np

    p = passage(" ㅇ 추진근거 : 조례\n ㅇ 모집대상 : 서울 소재 중소기업")
    vectors = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32)
    weights = dict.fromkeys(FEATURES, 0.0) | {"dense_other": 1.0, "dense_ko": -1.0}
    selector = LineSelector(weights, TOKENIZE, {}, line_vectors=lambda pid: vectors if pid == p.id else None)
    english = Question("Which companies can apply?", "en", "en", query_tokens=())
    query = np.array([0.0, 1.0], dtype=np.float32)
    X, _ = selector.features(english, [p], [1.0], query)
    assert X[:, FEATURES.index("dense_other")].tolist() == pytest.approx([0.0, 4.0])
    assert X[:, FEATURES.index("dense_gap_other")].tolist() == pytest.approx([-4.0, 0.0])
    assert not X[:, FEATURES.index("dense_ko")].any()
    assert selector.rank(english, [p], [1.0], query)[0].line.number == 101
    assert selector.rank(question("회사"), [p], [1.0], query)[0].line.number == 100      # Korean: its own weight
    assert not selector.features(english, [p], [1.0], None)[0][:, FEATURES.index("dense_other")].any()


def test_an_english_question_finds_the_line_whose_catalog_english_holds_its_words():
    """The catalog's English for a cited clause is a curated translation of that report line."""
    from chatbot.programs.criteria import Clause
    from chatbot.finder.answer.lines import english_line_words

    p = passage(" ㅇ 추진근거 : 조례\n ㅇ 연체료 상한 1일 최대 1만원\n ㅇ 지점 14개소")
    english = english_line_words([
        (Clause(document="d", lines=(101, 101), text="연체료 상한"), "Late returns are charged, capped at ₩10,000 a day"),
        (Clause(document="d", lines=(102, 102), text="지점 14개소"), "14 rental branches in 2024"),
    ])
    assert "fee" not in english[("d", 101)] and {"late", "returns", "return"} <= english[("d", 101)]
    selector = LineSelector(dict.fromkeys(FEATURES, 0.0) | {"catalog_english": 1.0}, TOKENIZE, {}, english=english)
    asked = Question("What if I return the suit late?", "en", "en", content_words=("return", "suit", "late"))
    X, _ = selector.features(asked, [p], [1.0])
    assert X[:, FEATURES.index("catalog_english")].tolist() == pytest.approx([0.0, 2 / 3, 0.0])
    assert selector.rank(asked, [p], [1.0])[0].line.number == 101
    korean = Question("늦게 반납하면?", "ko", "ko", content_words=("late",))      # Korean lines speak for themselves
    assert not selector.features(korean, [p], [1.0])[0][:, FEATURES.index("catalog_english")].any()


def test_the_nearest_labelled_questions_vote_for_the_lines_stating_their_facts():
    gold = (frozenset({("d", 101)}), frozenset({("d", 101), ("d", 102)}), frozenset({("d", 300)}))
    similarities = np.array([0.9, 0.8, 0.1], dtype=np.float32)
    votes = neighbour_line_features(similarities, gold, [("d", 100), ("d", 101), ("d", 102)])
    assert votes[0].tolist() == [0.0, 0.0]                               # no neighbour's fact is there
    z = 1 + np.exp(-2.0) + np.exp(-16.0)                                  # softmax(20 × similarity) over the nearest
    assert votes[1, 0] == pytest.approx((1 + np.exp(-2.0)) / z) and votes[2, 0] == pytest.approx(np.exp(-2.0) / z)
    assert votes[1, 1] == pytest.approx(4.5) and votes[2, 1] == pytest.approx(4.0)    # 5 × the nearest citing it
    assert neighbour_line_features(np.array([]), (), [("d", 1)]).tolist() == [[0.0, 0.0]]


def test_a_bank_survives_its_file_and_serves_only_its_own_model(tmp_path):
    vectors = np.eye(3, dtype=np.float32)
    gold = [frozenset({("doc-a", 5)}), frozenset(), frozenset({("doc-a", 7), ("doc-b", 1)})]
    save_bank(tmp_path / "bank.npz", vectors, gold, "m")
    bank = load_bank(tmp_path / "bank.npz")
    assert bank.gold == tuple(gold) and bank.model == "m" and np.allclose(bank.vectors, vectors)
    assert bank.features(np.array([0, 0, 2.0]), [("doc-b", 1), ("doc-a", 5)])[0, 0] > \
        bank.features(np.array([0, 0, 2.0]), [("doc-b", 1), ("doc-a", 5)])[1, 0]
    assert load_bank(tmp_path / "absent.npz") is None


def test_shipped_neighbour_weights_and_bank_belong_together():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    near = data["neighbours"]
    assert set(near["weights"]) == set(FEATURES + NEIGHBOUR_FEATURES) and near["bank"] == BANK_FILE.name
    bank = load_bank()
    assert bank is not None and bank.model == data["model"] and len(bank.vectors) == near["questions"]
    assert sum(bool(g) for g in bank.gold) > 0.9 * len(bank.gold)      # nearly every fact is on a quotable line
    assert load_neighbours(data["model"]) is not None and load_neighbours("another-model") is None


def test_with_a_bank_and_a_vector_the_neighbour_weights_score_the_lines():
    p = passage(" ㅇ 추진근거 :「서울특별시 강소기업 육성 및 지원 조례」\n ㅇ 모집대상 : 서울 소재 중소기업 중 공공기관 인증을 받은 기업")
    weights = dict.fromkeys(FEATURES + NEIGHBOUR_FEATURES, 0.0) | {"neighbour_line": 5.0}
    bank = LineBank(np.array([[1.0, 0.0]], dtype=np.float32), (frozenset({("d", 100)}),), "m")
    selector = LineSelector(load_weights(), TOKENIZE, {"강소": 3.0}, neighbours=(weights, bank))
    q = question("서울형 강소기업은 어떤 회사가 신청할 수 있어요?", facets=["who"])
    assert selector.rank(q, [p], [1.0], np.array([1.0, 0.0]))[0].line.number == 100     # the bank's vote wins
    assert selector.rank(q, [p], [1.0])[0].line.number == 101                          # no vector: the base weights
