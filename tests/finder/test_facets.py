"""Question facets: which kind of fact a question asks for, and which passages state one."""
from __future__ import annotations

import pytest

from chatbot.finder.facets import FACETS, passage_facets, question_facets


@pytest.mark.parametrize("question, facet", [
    ("서울패션위크 언제 해요?", "when"),
    ("핀테크랩 어디 있어?", "where"),
    ("뉴딜일자리 시급 얼마야?", "money"),
    ("솔루션앵커 몇 군데 있어요", "count"),
    ("마곡 입주율 몇프로임", "rate"),
    ("사관학교 수료하면 취업률 어때?", "rate"),
    ("면접 정장 빌리면 며칠 동안 입을 수 있어?", "duration"),
    ("교육 몇달 인턴 몇달이에요", "duration"),
    ("How long can I keep the suit?", "duration"),
    ("서른둘도 신청 자격 돼?", "who"),
])
def test_question_asks_for_the_kind_of_fact(question, facet):
    assert facet in question_facets(question)


def test_how_many_days_is_a_duration_not_a_date():
    assert question_facets("며칠 동안 빌려줘요?") == ["duration"]
    assert "when" in question_facets("며칠에 열려요?")


@pytest.mark.parametrize("text, facet", [
    ("ㅇ 취업률 74.8% 달성", "rate"),
    ("면접정장 무료대여 서비스 제공(10회, 3박4일/1인)", "duration"),
    ("(기업) 직무훈련 (3개월) ✚ 인턴십 (3개월)", "duration"),
    ("ㅇ 통합공고 3월, 과제선정 및 협약체결 4~7월", "when"),
    ("생활임금(시간당 11,436원) 적용", "money"),
])
def test_passage_states_the_kind_of_fact(text, facet):
    flags = passage_facets([text, "ㅇ 추진근거 : 조례"])
    assert list(flags[facet]) == [1.0, 0.0]
    assert set(flags) == set(FACETS)


@pytest.mark.parametrize("question, absent", [
    ("How many early-stage startup teams does campus town support each year?", {"when", "who"}),
    ("Is there a cafe with good coffee near the fintech lab?", {"money"}),
    ("Which corporate partners join the program?", {"rate"}),
    ("Who can update the candidates list?", {"when"}),
])
def test_english_facet_words_are_whole_words(question, absent):
    """"startup" is not "start", "early-stage" not "age", "coffee" not "fee", "corporate" not "rate"."""
    assert not absent & set(question_facets(question))
