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
    ("사무실 (02) 123-4567 입니다", "123-4567"),
    ("02)123-4567로 전화", "123-4567"),
    ("휴대폰 (010) 1234-5678", "1234-5678"),
    ("카드 1234 5678 9012 3456 결제", "9012"),
    ("카드 1234-5678-9012-3456", "9012"),
    ("Amex 3782 822463 10005", "822463"),
    ("여권번호 M12345678", "12345678"),
    ("new passport M123A4567", "123A4567"),
    ("외국인등록번호 900101-5234567", "5234567"),
    ("외국인등록번호 9001016234567", "6234567"),
    ("외국인등록번호 900101 7234567", "7234567"),
    ("주소는 중구 세종대로 110 입니다", "110"),
    ("강남구 테헤란로 123길 45에 살아요", "123길 45"),
    ("역삼동 123-45 거주", "123-45"),
    ("래미안 101동 1203호", "1203"),
    ("I live at 123 Main Street, Seoul", "123 Main"),
])
def test_mask_pii_removes_identifiers(text, leaked):
    masked = mask_pii(text)
    assert leaked not in masked
    assert contains_pii(text)


def test_mask_pii_keeps_ordinary_numbers():
    text = "만 39세 이하, 연 10회, 1일 최대 1만원, 3,500명, ’24.7"
    assert mask_pii(text) == text


@pytest.mark.parametrize("text", [
    "2024년 3월", "2024년 3월 15일부터 신청", "1,200만원", "월 50만원씩 6개월", "중위소득 150%", "기준으로 150% 이하",
    "18~34세", "만 19세~39세", "116개 과정, 3,000명", "주로 2024년에", "새로 3개 과정", "7번 줄", "lines 120-135",
    "2024-07-01", "2024.3.15", "연면적 4,840㎡", "최대 300만원 지원, 자부담 10%", "서울시 25개 자치구",
    "Up to 3,000,000 won for 116 courses in 2024", "aged 18-34, 150% of median income",
])
def test_mask_pii_leaves_years_amounts_percentages_dates_and_counts(text):
    assert mask_pii(text) == text


@pytest.mark.parametrize("text, kind", [
    ("900101-1234567", "resident_number"), ("900101-5234567", "foreigner_number"), ("010-1234-5678", "mobile"),
    ("hong@gmail.com", "email"), ("110-234-567890", "account"), ("1234 5678 9012 3456", "card"),
    ("M123A4567", "passport"), ("02-2133-1234", "landline"), ("jobs@seoul.go.kr", "office_email"),
    ("세종대로 110", "address"),
])
def test_each_kind_and_whether_it_blocks_an_upload(text, kind):
    from chatbot.feedback.privacy import BLOCKING, pii_kinds
    assert pii_kinds(text) == (kind,)
    assert (kind in BLOCKING) == (kind not in ("landline", "office_email", "address"))
