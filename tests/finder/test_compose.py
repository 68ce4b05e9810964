"""Composing the answer (chatbot/finder/compose.py, wording.py): short, no quote twice."""
from __future__ import annotations

import re

import pytest

from bench.eval_answers import sentences  # the benchmark's own sentence count
from chatbot.finder.answer import wording


@pytest.mark.parametrize("questions", [[
    "마흔 살인데 취업날개 이용 가능한가요?", "서울 사는 25살인데 청년인턴 신청할 수 있나요? 모집 기간은 언제예요?",
    "취업날개 연체료 얼마?", "청년인턴 신청 자격이 뭐예요?", "27살 구직자인데 일자리카페 이용할 수 있나요?",
    "I'm 30 and unemployed, can I join the new deal jobs?", "面接用のスーツは何回借りられますか",
]])
def test_at_most_three_sentences_and_never_the_same_quote_twice(client, questions):
    for question in questions:
        body = client.post("/api/ask", json={"question": question}).get_json()
        assert sentences(body["answer"]) <= 3, body["answer"]
        quoted = re.findall(r"“([^”]*)”", body["answer"])
        assert len(quoted) == len(set(quoted)), body["answer"]
        assert "근거가 된 보고서 문단을 아래에" not in body["answer"]          # no stock sentence


def test_korean_particles_follow_the_last_syllable():
    assert wording.partial_sentence("취업날개", ("contact",), "ko").endswith("연락처가 나와 있지 않습니다.")
    assert wording.partial_sentence("취업날개", ("exact_date",), "ko").endswith("날짜가 나와 있지 않습니다.")
    assert "신청 방법이 나와" in wording.partial_sentence("취업날개", ("apply",), "ko")


def test_quote_sentences_cite_their_line():
    assert wording.quote_sentence("취업날개", "연 10회까지", 2029, "ko") == \
        "「취업날개」에 대해 2024 업무보고는 “연 10회까지”라고 적고 있습니다 (2029행)."
    assert wording.quote_sentence("", "연 10회까지", 2029, "en", first=False) == "It also says: “연 10회까지” (line 2029)."


def test_clarify_offers_three_to_five_choices_in_both_languages():
    for lang in ("ko", "en"):
        choices = wording.clarify_choices(lang)
        assert 3 <= len(choices) <= 5 and all(c["label"] for c in choices)
        assert any(c.get("action") == "profile" for c in choices)


def test_a_line_is_said_only_when_an_earlier_quote_holds_most_of_it():
    from chatbot.finder.answer.compose import already_said

    verdict = ["보고서에 “지원대상 : 서울 소재 중소·벤처·창업기업” (1041행)."]
    assert not already_said("지원대상 : 서울 소재 중소·벤처·창업기업 ※ 대학·연구기관 컨소시엄 가능", verdict)
    assert already_said("지원대상 : 서울 소재 중소·벤처·창업기업", verdict)
    assert already_said("서울 소재 중소·벤처·창업기업", verdict)            # a part of what was quoted
    assert already_said("지원대상: 서울 소재 중소·벤처·창업기업 등", verdict)  # nearly all of it
