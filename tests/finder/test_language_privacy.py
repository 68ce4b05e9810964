"""Language detection (seeded, Hangul-guarded) and masking of personal data."""
from __future__ import annotations

import pytest

from chatbot.finder.language import answer_language, detect_language
from chatbot.feedback.privacy import contains_pii, mask_pii


@pytest.mark.parametrize("text, expected", [
    ("취업날개 나이?", "ko"),
    ("뉴딜 시급", "ko"),
    ("AI 허브 어디?", "ko"),
    ("How many times a year can I borrow an interview suit?", "en"),
    ("面接用のスーツを借りられますか", "ja"),
    ("¿Puedo pedir prestado un traje para una entrevista de trabajo?", "es"),
    ("2024", "ko"),
    ("interview suit", "en"),                                     # short Latin script: English
    ("Залуучуудын дадлагад хэрхэн бүртгүүлэх вэ?", "mn"),          # Mongolian's ө and ү: not Russian
    ("Как подать заявку на стажировку?", "ru"),
])
def test_detect_language(text, expected):
    assert detect_language(text) == expected
    assert detect_language(text) == detect_language(text)      # seeded: stable


def test_answers_are_korean_or_english():
    assert answer_language("ko") == "ko" and answer_language("en") == "en"
    assert answer_language("ja") == "en" and answer_language("zh-cn") == "en"


@pytest.mark.parametrize("language, script", [
    ("zh-cn", r"[\u4e00-\u9fff]"), ("zh-tw", r"[\u4e00-\u9fff]"), ("ja", r"[\u3040-\u30ff]"), ("vi", r"ả|ờ|ế"),
    ("ru", r"[а-я]"), ("mn", r"[өү]"), ("th", r"[\u0e00-\u0e7f]"),
])
def test_a_language_we_do_not_answer_in_gets_one_sentence_in_its_own_script(language, script):
    import re

    from chatbot.finder.answer.wording import other_language_note
    note = other_language_note(language)
    assert re.search(script, note) and note.count(".") + note.count("。") + note.count("；") <= 2
    assert other_language_note("es") == "I can answer in English or Korean; this answer is in English."
    assert other_language_note("ko") == other_language_note("en") == ""


@pytest.mark.parametrize("text, leaked", [
    ("제 주민번호는 900101-1234567 입니다", "1234567"),
    ("연락처 010-1234-5678 로 주세요", "5678"),
    ("01012345678", "12345678"),
    ("메일 hong.gildong@example.com", "example.com"),
    ("계좌 110-234-567890 으로", "567890"),
    ("서울 02-2133-1234", "2133"),
])
def test_mask_pii_removes_identifiers(text, leaked):
    masked = mask_pii(text)
    assert leaked not in masked
    assert contains_pii(text)


def test_mask_pii_keeps_ordinary_numbers():
    text = "만 39세 이하, 연 10회, 1일 최대 1만원, 3,500명, ’24.7"
    assert mask_pii(text) == text
