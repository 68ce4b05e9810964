"""Personal data a citizen may type (주민등록번호, 외국인등록번호, phone numbers, e-mail, account and
card numbers, passport numbers, street addresses) is masked before anything is logged or stored.
Profile answers are never logged at all.

Each pattern has a label (what the masked text shows) and a kind. The kinds in :data:`BLOCKING`
identify one person (an ID or passport number, a mobile number, a private e-mail, an account or
card); an uploaded document with such a line needs an explicit, audited override before staff may
accept it. Landline numbers, e-mail at a public body's domain (go.kr, seoul.kr, gov) and street
addresses only warn: official reports list office phones and e-mail and the addresses of facilities. Plain numbers (years, amounts, percentages, ages, counts) are left alone."""
from __future__ import annotations

import re

# stops a street number from being read off an amount, an age, a count or a date: "으로 150%", "주로 2024년"
_NOT_A_NUMBER_AFTER = r"(?!\d|[.,]\d|[가·]|\s?[년월일세개명만천억원회시분차위층건곳여대배㎡%~])"
_ROAD = r"[가-힣]{1,12}\d{0,3}(?:대로|로|길)"

_PATTERNS: list[tuple[str, str, re.Pattern]] = [
    ("[외국인등록번호]", "foreigner_number", re.compile(
        r"(?<!\d)\d{6}\s*-\s*[5-8]\d{6}(?!\d)"
        r"|(?<!\d)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s?[5-8]\d{6}(?!\d)")),
    ("[주민등록번호]", "resident_number", re.compile(
        r"(?<!\d)\d{6}\s*-\s*[1-8]\d{6}(?!\d)"
        r"|(?<!\d)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s?[1-8]\d{6}(?!\d)")),
    # an office address of a public body (jobs@seoul.go.kr) only warns; any other e-mail identifies a person
    ("[이메일]", "office_email", re.compile(r"[\w.+-]+@([\w-]+\.)*(go\.kr|seoul\.kr|gov)(?![\w.-]*\w)")),
    ("[이메일]", "email", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")),
    ("[카드번호]", "card", re.compile(r"(?<!\d)\d{4}([\s-]?)\d{4}\1\d{4}\1\d{4}(?!\d)"
                                    r"|(?<!\d)\d{4}([\s-]?)\d{6}\2\d{5}(?!\d)")),
    ("[전화번호]", "mobile", re.compile(r"(?<![\d(])(\+?82[\s-]?)?\(?0?1[016789]\)?[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")),
    ("[전화번호]", "landline", re.compile(r"(?<![\d(])(\+?82[\s-]?)?\(?0(2|[3-6][1-5]|70)\)?[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")),
    ("[계좌번호]", "account", re.compile(r"(?<!\d)(?!(19|20)\d\d-(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])(?!\d))"   # not a date
                                       r"\d{2,6}-\d{2,6}-\d{2,8}(-\d{1,4})?(?!\d)|(?<!\d)\d{11,16}(?!\d)")),
    ("[여권번호]", "passport", re.compile(r"(?<![A-Za-z0-9])[MSRGDTmsrgdt]\d{3}(?:\d|[A-Za-z])\d{4}(?![A-Za-z0-9])")),
    ("[주소]", "address", re.compile(
        r"\d{1,4}\s?동\s?\d{1,5}\s?호"                                                     # 101동 1203호
        rf"|{_ROAD}\s?\d{{1,4}}(?:-\d{{1,4}})?(?:\s?번?길\s?\d{{1,4}}(?:-\d{{1,4}})?)?{_NOT_A_NUMBER_AFTER}"
        rf"|(?:[가-힣]{{1,8}}\d{{0,2}}동|[가-힣]{{1,8}}\d{{1,2}}가)\s?\d{{1,4}}(?:-\d{{1,4}})?(?:\s?번지)?{_NOT_A_NUMBER_AFTER}"
        r"|(?<!\d)\d{1,5}(?:-\d{1,4})?,?\s+(?:[A-Z][a-z]+\s+){1,3}"
        r"(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Boulevard|Blvd\.|Lane|Drive|Way|Court|Place)(?![A-Za-z])"
        r"|(?<!\d)\d{1,5}(?:-\d{1,4})?,?\s+[A-Z][a-z]+-(?:daero|ro|gil)\b"
        r"|\b[A-Z][a-z]+-(?:daero|ro|gil)(?:\s?\d{1,4}-gil)?,?\s+\d{1,5}(?:-\d{1,4})?(?!\d)")),
]

LABELS: tuple[str, ...] = tuple(dict.fromkeys(label for label, _, _ in _PATTERNS))
KINDS: tuple[str, ...] = tuple(kind for _, kind, _ in _PATTERNS)
# identify one person: a document with these cannot be accepted without an audited override
BLOCKING: frozenset[str] = frozenset({"resident_number", "foreigner_number", "mobile", "email", "account",
                                      "card", "passport"})


def mask_pii(text: str) -> str:
    """The text with every identifying number or address replaced by a label."""
    for label, _, pattern in _PATTERNS:
        text = pattern.sub(label, text)
    return text


def pii_kinds(text: str) -> tuple[str, ...]:
    """The kinds of personal data found in ``text`` (in pattern order, each once)."""
    found = []
    for label, kind, pattern in _PATTERNS:
        text, count = pattern.subn(label, text)
        if count:
            found.append(kind)
    return tuple(found)


def contains_pii(text: str) -> bool:
    return mask_pii(text) != text
