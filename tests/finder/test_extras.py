"""Eligibility and schedule extras (chatbot/finder/extras.py): which program a verdict is about."""
from __future__ import annotations

import pytest

from chatbot.programs.catalog import load_catalog
from chatbot.config import Settings
from chatbot.finder.answer.extras import target_program


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Settings().corpus_dir / "programs.yaml")


def target(catalog, analyzer, question, ranked, in_scope):
    found = target_program(catalog, analyzer.analyse(question), ranked, in_scope)
    return (found[0].id, found[1]) if found else None


def test_named_program_wins_over_retrieval(catalog, analyzer):
    ranked = [("youth-academy", 0.6), ("youth-intern", 0.3)]
    assert target(catalog, analyzer, "청년인턴 되나요?", ranked, True) == ("youth-intern", False)
    assert target(catalog, analyzer, "청년인턴 되나요?", [], False) == ("youth-intern", False)


@pytest.mark.parametrize("ranked, in_scope, question, expected", [
    ([("interview-suit", 0.71)], True, "면접 때 입을 양복을 빌려주나요? 41살도 되나요?", "interview-suit"),
    ([("interview-suit", 0.71)], False, "41살인데 빌려주나요?", None),                             # out of scope
    ([("strong-sme", 0.34), ("youth-intern", 0.2)], True, "서울 사는 28살인데 가능해요?", None),    # no clear subject
    ([("interview-suit", 0.71)], True, "30살인데 국민취업지원제도 신청 가능한가요?", None),           # another scheme
    ([("strong-sme", 0.55)], True, "I'm 25, can I get a youth housing subsidy?", None),
    ([("companion-jobs", 0.52)], True, "공공일자리 참여하고 싶은데 중위소득 90%면 가능한가요?", "companion-jobs"),
])
def test_unnamed_program_needs_clear_retrieval_and_no_other_scheme(catalog, analyzer, ranked, in_scope, question,
                                                                   expected):
    found = target(catalog, analyzer, question, ranked, in_scope)
    assert (found[0] if found else None) == expected
    if found:
        assert found[1] is True                         # inferred, and said so in the JSON


def test_an_unnamed_date_question_gets_the_dates_of_the_programs_retrieval_found(catalog, analyzer):
    """A word one program's entry happens to share ("AI") must not answer with that program's
    dates when retrieval found another program; with no program found, no dates at all."""
    from chatbot.finder.answer.extras import pick_schedule

    question = analyzer.analyse("When will construction of the robot and AI science museum be finished?")
    tokenize, idf = analyzer.tokenizer.tokenize, analyzer.idf
    found = pick_schedule(question, catalog, tokenize, idf, {"robot-ai-museum": 0.8, "campus-town": 0.1})
    assert found and {program.id for program, _ in found} == {"robot-ai-museum"}
    assert pick_schedule(question, catalog, tokenize, idf, {}) == []


@pytest.mark.parametrize("ranked, question, expected", [
    # the catalog's wording of the youth academy holds 파이썬, 코딩, 구직자: what the question describes,
    # although retrieval (and the scope classifier, fitted on questions of fact) point elsewhere
    ([("interview-suit", 0.44), ("youth-academy", 0.36)], "29살 구직자인데 파이썬이랑 코딩 무료로 가르쳐주는 곳 다닐 수 있어요?",
     "youth-academy"),
    ([("interview-suit", 0.71)], "면접 때 입을 양복을 빌려주나요? 41살도 되나요?", "interview-suit"),
    # two programs' wording covers it equally (기술, 일자리, 연결): no clear subject
    ([("youth-academy", 0.53), ("tech-school", 0.28)], "우리 딸이 24살인데 몇 년째 방에만 있어요. 서울 살고요, 기술 배우고 "
     "일자리 연결해주는 데 갈 수 있나요?", None),
    # the job café's text mentions 청년수당 participants; the question asks about the allowance itself
    ([("youth-intern", 0.79)], "서울 사는 28살인데 청년수당 신청 가능해요?", None),
])
def test_an_unnamed_program_the_question_describes_is_inferred_out_of_scope(catalog, analyzer, ranked, question,
                                                                            expected):
    found = target(catalog, analyzer, question, ranked, False)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize("ranked, expected", [
    ([("seoul-rnd", 0.85), ("youth-academy", 0.06)], "seoul-rnd"),       # far ahead of any other program
    ([("seoul-rnd", 0.55), ("youth-academy", 0.45)], None),             # two programs close: no subject
    ([("seoul-rnd", 0.45)], None),                                       # not high enough
])
def test_an_unnamed_program_far_ahead_is_taken_out_of_scope(catalog, analyzer, ranked, expected):
    """The scope classifier (fitted on questions of fact) reads a long self-description as
    off-topic; a program whose score stands out is still the one asked about."""
    found = target(catalog, analyzer, "성수동에 있는 직원 8명 핀테크 스타트업인데 시에서 주는 신기술 연구개발비 받을수 있나요?",
                   ranked, False)
    assert (found[0] if found else None) == expected


def test_out_of_scope_a_program_needs_a_fact_its_conditions_read(catalog, analyzer):
    """An everyday question can stand out for one program ("예약" for the Future Lab's bookings);
    without a stated fact any of its conditions reads, it is not the one asked about."""
    question = "치매안심센터 검사 예약하려면 어떻게 해야돼요? 아버지가 요즘 깜빡하셔서 신청 가능할까요"
    assert target(catalog, analyzer, question, [("future-lab", 0.89), ("youth-academy", 0.05)], False) is None


def test_catalog_match_weighs_the_question_words_a_program_wording_holds(analyzer):
    question = analyzer.analyse("29살 구직자인데 파이썬이랑 코딩 무료로 가르쳐주는 곳 다닐 수 있어요?")
    academy, suit = question.catalog["youth-academy"], question.catalog["interview-suit"]
    assert academy.words == 3 and academy.share > 0.7          # 구직자, 파이썬, 코딩 (not 무료)
    assert suit.words == 2 and suit.share < academy.share - 0.3   # 구직자, 무료
    assert analyzer.analyse("help").catalog["youth-academy"].share == 0.0
