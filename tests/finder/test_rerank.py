"""The second retrieval stage: passage kinds, features, fitted weights and how search uses them."""
from __future__ import annotations

import json

import numpy as np
import pytest

from chatbot.config import PROJECT_ROOT, Settings
from chatbot.finder.facets import FACETS
from chatbot.finder.question import Cues, Question
from chatbot.index.passages import Passage
from chatbot.finder.rerank import FEATURES, KINDS, WEIGHTS_FILE, Candidates, LinearReranker, PassageFeatures, \
    load_weights, passage_kind
from chatbot.finder.service import FinderService

PART = "Ⅳ. 주요 업무보고"
AUDIT = "2023년 행정사무감사 처리결과"


def passage(section: tuple[str, ...], text: str = "ㅇ 내용", program: str | None = "p") -> Passage:
    return Passage(id=str(hash((section, text))), document_id="d", text=text, start_line=1, end_line=1,
                   section=section, program_id=program)


@pytest.mark.parametrize("section, kind", [
    ((PART, "1. 청년", "1 청년취업사관학교 조성·운영"), "intro"),
    ((PART, "1. 청년", "1 청년취업사관학교 조성·운영", "□ 사업개요"), "overview"),
    ((PART, "1. 청년", "1 사관학교", "□ ’23년 추진성과"), "results"),
    ((PART, "1. 청년", "1 사관학교", "□ ’24년 추진계획", "① 캠퍼스 확대"), "plan"),
    ((PART, "1. 청년", "1 사관학교", "□ 향후일정"), "schedule"),
    ((AUDIT, "2 시정·처리 요구사항", "9. 취업날개 연체료"), "audit_finding"),
    ((AUDIT, "2 시정·처리 요구사항", "9. 취업날개 연체료", "□ 추진내용"), "audit_action"),
    ((AUDIT, "2 시정·처리 요구사항", "9. 취업날개 연체료", "□ 향후계획"), "audit_plan"),
])
def test_passage_kind_follows_the_heading_above_it(section, kind):
    assert passage_kind(passage(section)) == kind


def reranker(passages, weights):
    tokens = [["정장", "연체료"], ["정장", "대여"], ["정장"]][: len(passages)]
    return LinearReranker(weights, PassageFeatures(passages, tokens), {"정장": 1.0, "연체료": 3.0, "대여": 2.0})


def candidates(n: int, **signals) -> Candidates:
    zeros = np.zeros(n, dtype=np.float32)
    values = {name: np.asarray(signals.get(name, zeros), dtype=np.float32)
              for name in ("dense", "lexical", "text_lexical", "section", "named")}
    return Candidates(ids=np.arange(n), facets={f: zeros for f in FACETS},
                      **values)


def question(text: str, query_tokens: list[str], audit: bool = False) -> Question:
    return Question(text, "ko", "ko", query_tokens=tuple(query_tokens), cues=Cues(audit=audit))


def test_features_follow_the_declared_columns():
    passages = [passage((AUDIT, "2 시정", "9. 연체료", "□ 추진내용")), passage((PART, "1.", "4 서비스", "□ 사업개요"))]
    ranker = reranker(passages, dict.fromkeys(FEATURES, 0.0))
    x = ranker.features(question("연체료 왜 받아?", ["연체료", "정장"], audit=True), candidates(2, dense=[0.9, 0.5]))
    column = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert x.shape == (2, len(FEATURES))
    assert list(column["dense"]) == pytest.approx([0.9, 0.5])
    assert list(column["coverage"]) == pytest.approx([1.0, 0.25])        # idf-weighted share of the question
    assert list(column["kind_audit_action"]) == [1.0, 0.0] and list(column["kind_overview"]) == [0.0, 1.0]
    assert list(column["audit_q_x_audit"]) == [1.0, 0.0]                   # "왜" asks about an audit finding
    assert list(column["plain_q_x_audit"]) == [0.0, 0.0]


def test_weights_decide_the_order():
    passages = [passage((PART, "1.", "4 서비스")), passage((PART, "1.", "4 서비스", "□ 사업개요"))]
    weights = dict.fromkeys(FEATURES, 0.0)
    weights.update(dense=1.0, kind_intro=-5.0)
    scores = reranker(passages, weights).scores(question("정장", ["정장"]), candidates(2, dense=[1.0, 0.8]))
    assert scores[1] > scores[0]          # a heading line loses to the overview under it
    with pytest.raises(ValueError):
        reranker(passages, {"dense": 1.0})


def test_shipped_weights_cover_every_feature_and_say_how_they_were_fitted():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURES)
    assert data["by"] == "bench/fit_ranker.py" and "tests/data/eval_dev.jsonl" in data["on"]
    assert not any(name.endswith(("eval_test.jsonl", "eval_holdout.jsonl")) for name in data["on"])
    assert all((PROJECT_ROOT / name).is_file() for name in data["on"])
    assert load_weights(WEIGHTS_FILE) == data["weights"]
    assert len(KINDS) == len(set(KINDS))


def test_missing_or_broken_weights_leave_the_first_stage_alone(tmp_path):
    assert load_weights(tmp_path / "absent.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert load_weights(broken) is None
    partial = tmp_path / "partial.json"          # fitted for an older feature set
    partial.write_text(json.dumps({"weights": {"dense": 1.0}}), encoding="utf-8")
    assert load_weights(partial) is None


@pytest.mark.slow
def test_reranked_search_gives_shares_and_beats_the_first_stage(real_index_dir):
    """On the real model: scores are shares of 1, best first, and the reranker ranks the facts of
    the whole evaluation set at least as well as the fusion alone (bench/fit_ranker.py)."""
    from bench.eval_retrieval import evaluate, load_questions

    def service(rerank: bool) -> FinderService:
        return FinderService(Settings().with_overrides({"index_dir": real_index_dir, "rerank": rerank}))

    reranked = service(True)
    snapshot = reranked.snapshot()
    result = snapshot.retriever.search(snapshot.analyse("정장 늦게 반납하면 연체료 얼마예요?"), top_k=10)
    shares = [h.score for h in result.hits]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1.0 + 1e-6
    assert result.confidence == pytest.approx(shares[0])
    questions = load_questions("all")
    on, off = evaluate(reranked, questions), evaluate(service(False), questions)
    assert on["ko"]["mrr"] >= off["ko"]["mrr"] and on["ko"]["hit@5"] >= off["ko"]["hit@5"]


@pytest.mark.slow
@pytest.mark.parametrize("question, fact", [
    ("뉴딜일자리 예산 남아서 못 쓴 거 얼마라던데", "736억원 집행"),
    ("4차산업혁명체험센터 퇴근하고 저녁에도 프로그램 있어?", "야간반"),
    ("애니메이션센터 새로 짓는 서울큐브 이름 바뀌었다던데 뭐로 바뀜", "서울 창조산업허브"),
])
def test_an_audit_question_cites_the_citys_response_first(real_answerer, question, fact):
    """The council's request restates the citizen's complaint almost word for word, so it is the
    most similar passage; the answer is the city's response under □ 추진내용 / 향후계획."""
    first = real_answerer.retriever.search(real_answerer.analyzer.analyse(question), top_k=3).hits[0].passage
    assert passage_kind(first) in ("audit_action", "audit_plan")
    assert fact in " ".join(first.text.split())


def test_first_stage_lowers_audit_findings_by_the_configured_penalty(fake_index_dir, fake_embedder, analyzer):
    from chatbot.index.store import load_current
    from chatbot.finder.retrieve import HybridRetriever, RetrievalSettings

    index = load_current(fake_index_dir)
    question = analyzer.analyse("뉴딜일자리 불용 대책")
    fused = {penalty: HybridRetriever(index, fake_embedder,
                                      settings=RetrievalSettings(finding_penalty=penalty)).first_stage(question).fused
             for penalty in (0.0, 0.8)}
    findings = np.array([passage_kind(p) == "audit_finding" for p in index.passages])
    assert findings.any() and (~findings).any()
    assert fused[0.0][findings] - fused[0.8][findings] == pytest.approx(np.full(findings.sum(), 0.8))
    assert fused[0.0][~findings] == pytest.approx(fused[0.8][~findings])
