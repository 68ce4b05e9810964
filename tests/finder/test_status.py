"""The status decision (chatbot/finder/status.py): answered, partial, not_in_report, clarify."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chatbot.finder.answer.lines import Line, LineChoice
from chatbot.finder.question import CatalogMatch
from chatbot.finder.answer.status import GROUNDED, STATUSES, decide, is_vague
from chatbot.index.passages import Passage
from chatbot.finder.retrieve import Hit, RetrievalResult

PASSAGE = Passage(id="p", document_id="d", text="ㅇ 모집대상 : 서울 소재 중소기업", start_line=1, end_line=1,
                  section=("Ⅳ", "□ 사업개요"), program_id="strong-sme")


def result(hits: bool = True) -> RetrievalResult:
    return RetrievalResult(hits=[Hit(PASSAGE, 0.9, 0.8, 3.0)] if hits else [],
                           programs=[("strong-sme", 0.9)] if hits else [], confidence=0.9)


def lines(*texts: str, passage: Passage = PASSAGE) -> list[LineChoice]:
    return [LineChoice(Line(t, i + 1, i, frozenset(), frozenset(), frozenset(), "", False), passage, 0, 1.0 - i)
            for i, t in enumerate(texts)]


@pytest.mark.parametrize("question", ["지원금 뭐 있어요?", "help", "뭐 받을 수 있는 거 없나", "창업하려는데 도와주세요",
                                      "교육 프로그램 있나요?", "I need a job", "언제 해요?",
                                      # English words as broad as the report's words the glossary maps them to
                                      "What support is there for young people?", "Any programs for startups?"])
def test_vague_questions_are_asked_back(analyzer, question):
    q = analyzer.analyse(question)
    assert is_vague(q)
    assert decide(q, result(), lines("x"), in_scope=True).status == "clarify"


@pytest.mark.parametrize("question", ["취업날개 연체료 얼마?", "청년 인턴 언제 모집해요?", "마흔 살인데 신청 돼요?",
                                      "How many young people got jobs through the internship?",
                                      "따릉이 정기권 가격이 얼마야?", "면접 정장 빌려주는 곳 있어?",
                                      "首尔创业中心能帮助初创企业进入美国市场吗？"])
def test_questions_with_a_topic_are_not_vague(analyzer, question):
    assert not is_vague(analyzer.analyse(question))


def test_out_of_scope_without_a_named_program_names_none(analyzer):
    decision = decide(analyzer.analyse("따릉이 정기권 가격이 얼마야?"), result(), lines("모집대상"), in_scope=False)
    assert decision.status == "not_in_report" and decision.program_id is None


def test_a_named_program_out_of_scope_is_partial(analyzer):
    decision = decide(analyzer.analyse("취업날개 주말에 택배 되나요?"), result(), lines("x"), in_scope=False)
    assert decision.status == "partial" and decision.program_id == "interview-suit"


def test_an_unstated_detail_is_partial_and_a_stated_one_answered(analyzer):
    phone = analyzer.analyse("서울형 강소기업 담당 전화번호 알려줘")
    assert decide(phone, result(), lines("모집대상 : 서울 소재 중소기업"), True).status == "partial"
    assert decide(phone, result(), lines("문의 : 02-2133-1234"), True).status == "answered"
    both = analyzer.analyse("서울형 강소기업 신청 어디서 해요? 사이트 주소 좀")       # every detail must be stated
    assert decide(both, result(), lines("모집 공고 후 신청 접수"), True).status == "partial"


def test_an_unstated_detail_of_a_program_the_question_neither_names_nor_describes_is_not_in_report(analyzer):
    """"How do I pay a parking fine?" retrieved the suit rental's late fees: no program of ours."""
    q = analyzer.analyse("I got a parking fine near Gangnam station. Where do I pay it?")
    assert not q.named and q.details and not q.catalog["strong-sme"].describes
    assert decide(q, result(), lines("모집대상 : 서울 소재 중소기업"), True).status == "not_in_report"
    described = replace(q, catalog={**q.catalog, "strong-sme": CatalogMatch(0.5, 2)})
    assert decide(described, result(), lines("모집대상 : 서울 소재 중소기업"), True).status == "partial"


def test_a_website_is_stated_only_by_its_address(analyzer):
    q = analyzer.analyse("서울형 강소기업 홈페이지 주소가 뭐에요?")
    assert decide(q, result(), lines("서울형 강소기업 홈페이지 상시 정비 : ’24.1.~"), True).status == "partial"
    assert decide(q, result(), lines("홈페이지 : https://example.seoul.go.kr"), True).status == "answered"


def test_an_exact_date_counts_only_in_the_lines_the_answer_would_quote(analyzer):
    """The passages about a program hold the full dates of other events; a month is not a day, and
    a footnote mark after a month ("’25.1. 2)") is not one either."""
    q = analyzer.analyse("서울콘 올해 정확한 날짜 나왔어요? 며칠부터임")
    creative = Passage(id="c", document_id="d", text="…", start_line=1, end_line=1, section=("Ⅳ",),
                       program_id=q.named[0])
    assert decide(q, result(), lines("서울콘 : ’24.12~’25.1. 2) OSMU: 하나의 콘텐츠", "행사 : 6월",
                                     "선포식 개최(’23.9.12.)", passage=creative), True).status == "partial"
    assert decide(q, result(), lines("서울콘 개최 : ’24.12.20.~’25.1.5.", passage=creative), True).status == "answered"


OTHER = Passage(id="q", document_id="d", text="ㅇ 기술교육원 주차장 유료화", start_line=2, end_line=2,
                section=("Ⅳ", "□ ’24년 추진계획"), program_id="tech-school")


def test_a_detail_counts_only_in_the_asked_programs_own_lines(analyzer):
    """The technical institutes' "주차장 유료화" says nothing about the strong-SME scheme's parking."""
    q = analyzer.analyse("서울형 강소기업 주차 가능한가요?")
    assert q.details == ("parking",)
    elsewhere = [LineChoice(Line("기술교육원 주차장 유료화 시행", 2, 0, frozenset(), frozenset(), frozenset(), "", False),
                            OTHER, 1, 1.0)]
    assert decide(q, result(), elsewhere, True).status == "partial"
    assert decide(q, result(), lines("주차 : 지하 2층 30면"), True).status == "answered"


@pytest.mark.parametrize("question, detail", [
    ("기술교육원 수업료 얼마예요? 교재비 따로 내요?", "fee"),
    ("How much does the course at the technical institute cost?", "fee"),
    ("Do I have to pay tuition at the coding academy?", "fee"),
    ("강소기업 인증 신청서 양식 어디서 받아요?", "documents"),
    ("Is there parking at the robot museum?", "parking"),
    ("동행일자리 신청하면 결과는 언제 나와요?", "result"),
    ("How long does it take to get approved for the New Deal jobs?", "result"),
    ("How do I book a session online at the job counselling desk?", "web"),
    ("일자리카페 상담 온라인으로 예약할 수 있어요?", "web"),
    ("What's the nearest subway station to the robot museum?", "address"),
    ("Can ordinary people buy tickets to the fashion week shows?", "fee"),
    ("따릉이 정기권 가격이 얼마야?", "fee"),
])
def test_details_citizens_ask_for(analyzer, question, detail):
    assert detail in analyzer.analyse(question).details


@pytest.mark.parametrize("question", ["청년취업사관학교 교육 기간이 얼마나 걸려요?", "How long is the internship?",
                                      "Does the coding academy offer online courses?",
                                      "When will the museum open?", "How much did the robot museum cost to build?"])
def test_a_duration_a_plan_a_budget_or_online_courses_are_no_detail(analyzer, question):
    assert not {"result", "fee", "web"} & set(analyzer.analyse(question).details)


def test_in_scope_is_answered_and_no_passages_is_not_in_report(analyzer):
    q = analyzer.analyse("서울형 강소기업 모집대상이 어떻게 돼요?")
    assert decide(q, result(), lines("모집대상 : 서울 소재 중소기업"), True).status == "answered"
    assert decide(q, result(hits=False), [], False).status == "not_in_report"


def test_grounded_is_answered_or_partial():
    assert set(GROUNDED) == {"answered", "partial"} and set(GROUNDED) < set(STATUSES)


def test_suggestions_only_when_the_question_names_nothing_unknown_and_shares_a_specific_word(analyzer):
    from chatbot.finder.pipeline import shares_words

    idf = {"정장": 3.8, "청년": 1.4}
    assert shares_words(analyzer.analyse("면접 정장 대여"), [frozenset({"정장", "면접"})], idf)
    assert not shares_words(analyzer.analyse("청년 대여"), [frozenset({"청년"})], idf)          # too broad
    assert not shares_words(analyzer.analyse("따릉이 정장 가격"), [frozenset({"정장"})], idf)   # 따릉이: unknown
