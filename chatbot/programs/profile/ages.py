"""The asker's age: a counter ("40살"), a first-person frame ("I'm 40"), a native number before a
copula or a word for a person ("마흔인데", "서른여섯 구직자"), a decade ("30대 후반")."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chatbot.programs.profile.context import (Check, Finding, Span, alternation, en_bound, ko_bound,
                                              ko_decade_bound, scan)
from chatbot.programs.profile.numbers import (EN_DECADES, EN_NUM, KO_SINO_TENS, KO_TENS, KO_UNITS, en_number,
                                              ko_number)


def _age(n: int) -> Span | None:
    return (n, n) if 0 < n <= 120 else None


def _decade(base: int, part: str | None) -> Span:
    """초반/early = x0–x3, 중반/mid = x3–x6, 후반/late = x6–x9, no qualifier = the whole decade."""
    offsets = {"초반": (0, 3), "early": (0, 3), "중반": (3, 6), "mid": (3, 6), "후반": (6, 9), "late": (6, 9)}
    lo, hi = offsets.get((part or "").lower(), (0, 9))
    return base + lo, base + hi


# ── ages ───────────────────────────────────────────────────────────────────────────────────────

# 세 not as in 세대/세금/세계, 살 not as the verb 살다 (살아요, 살고, 살면서).
_COUNTER = r"(?:세(?![대금계율기상])|살(?![아고며면지았던겠]))"
_KO_COPULA = r"(?=\s*(?:이에요|예요|에요|입니다|이고|인데|이야|이라|이지만|이니까|이거든|인\s|인$|임|이\s*됐|이\s*되|이면|[.,!?]|$))"
_KO_TENS_BARE = alternation(t for t, v in KO_TENS.items() if v >= 20 and t != "스무")

_KO_DIGIT_AGE = re.compile(rf"(?<![\d.,])(?:만\s*)?(\d{{1,3}})\s*{_COUNTER}")
_KO_WORD_AGE = re.compile(
    rf"(?<![가-힣])(?:(?P<tens>{alternation(KO_TENS)})\s?(?P<units>{alternation(KO_UNITS)})?|(?P<units_only>{alternation(KO_UNITS)}))"
    r"\s*살(?![아고며면지았던겠])"
)
_KO_WORD_AGE_BARE = re.compile(rf"(?<![가-힣])(?P<tens>{_KO_TENS_BARE})\s?(?P<units>{alternation(KO_UNITS)})?{_KO_COPULA}")
# a native number before a word for a person: "서른여섯 구직자인데", "스물다섯 대학생"
_KO_WORD_AGE_PERSON = re.compile(
    rf"(?<![가-힣])(?P<tens>{_KO_TENS_BARE})\s?(?P<units>{alternation(KO_UNITS)})?"
    r"\s+(?=대학생|학생|구직자|취준생|직장인|회사원|백수|청년|주부|실직자|자영업자|사장|프리랜서|여자|남자|여성|남성|엄마|아빠"
    r"|졸업생|재직자|퇴직자|은퇴자|외국인|유학생|비전공자|전공자|개발자|디자이너)"
)
_KO_AGE_IS = re.compile(r"나이(?:는|가|:)?\s*(?:만\s*)?(\d{1,3})(?![\d%,]|\.\d|\s*(?:만|원|년|회|명|%))")
_KO_DECADE = re.compile(
    rf"(?<!\d)(?:(?P<digit>[1-9])0|(?P<sino>{alternation(KO_SINO_TENS)}))\s*대(?:\s*(?P<part>초반|중반|후반))?"
)
# Someone the asker asks for ("My mum is 45 … can she borrow a suit?"): their facts are the applicant's.
_RELATIVE = (r"(?:son|daughter|child|kid|brother|sister|husband|wife|dad|father|mom|mum|mother|boyfriend|girlfriend|"
             r"partner|friend|nephew|niece|uncle|aunt|grandson|granddaughter)")
_EN_IM_AGE = re.compile(
    rf"\b(?:i\s+am|i'm|im|(?:(?:my\s+{_RELATIVE})|he|she)(?:\s+is|'s))"
    rf"\s+(?:only\s+|just\s+|now\s+|currently\s+)?({EN_NUM})"
    r"(?=\s*(?:(?:years?|yrs?)\b(?!\s+(?:into|in|of|since|ago|at|with|working)\b)|y/?o\b|[,.!?;]|and\b|but\b|so\b|now\b|$))",
    re.I,
)
# "a 2-year-old startup" is the business's age (_EN_FOUNDED), not the person's
_EN_YEARS_OLD = re.compile(rf"\b({EN_NUM})[-\s]*(?:years?|yrs?)[-\s]*old\b(?!s)"
                           r"(?!\s+(?:startup|start-up|company|business|firm|shop|venture|factory)\b)", re.I)
_EN_AGE_IS = re.compile(rf"\b(?:my\s+age\s+is|aged|turned|turning)\s+({EN_NUM})\b", re.I)
# "My dad (63)", "My brother (26)", "아들(24)": an age in brackets after the person it is about
_AGE_IN_BRACKETS = re.compile(
    rf"(?:\b(?:i|me|my\s+{_RELATIVE})"
    r"|(?:아들|딸|남편|아내|엄마|아빠|어머니|아버지|형|누나|언니|오빠|동생|조카|남친|여친|남자친구|여자친구|친구|저))"
    r"\s*\(\s*(?:만\s*)?(\d{1,2})\s*(?:살|세|y/?o)?\s*\)",
    re.I,
)
_EN_DECADE = re.compile(
    rf"\b(?:in\s+(?:my|his|her)\s+)?(?:(?P<part>early|mid|late)[-\s]?)?(?P<decade>{alternation(EN_DECADES)})(?![\w'])",
    re.I,
)


def _digit_age(m: re.Match) -> Span | None:
    return _age(int(m.group(1)))


def _en_age(m: re.Match) -> Span | None:
    return _age(en_number(m.group(1)))


def _ko_word_age(m: re.Match) -> Span | None:
    return _age(ko_number(m))


def _ko_decade(m: re.Match) -> Span:
    base = int(m.group("digit")) * 10 if m.group("digit") else KO_SINO_TENS[m.group("sino")]
    return _decade(base, m.group("part"))


def _en_decade(m: re.Match) -> Span | None:
    """A bare "thirties" is too loose; it needs "in my/his/her" or a qualifier ("late twenties")."""
    if not (m.group("part") or m.group(0).lower().startswith("in ")):
        return None
    return _decade(EN_DECADES[m.group("decade").lower()], m.group("part"))


def age_findings(text: str) -> list[Finding]:
    scans: list[tuple[re.Pattern, Callable[[re.Match], Any], Check]] = [
        (_KO_DIGIT_AGE, _digit_age, ko_bound),
        (_KO_WORD_AGE, _ko_word_age, ko_bound),
        (_KO_WORD_AGE_BARE, _ko_word_age, ko_bound),
        (_KO_WORD_AGE_PERSON, _ko_word_age, ko_bound),
        (_KO_AGE_IS, _digit_age, ko_bound),
        (_KO_DECADE, _ko_decade, ko_decade_bound),
        (_EN_IM_AGE, _en_age, en_bound),
        (_EN_YEARS_OLD, _en_age, en_bound),
        (_EN_AGE_IS, _en_age, en_bound),
        (_AGE_IN_BRACKETS, _digit_age, en_bound),
        (_EN_DECADE, _en_decade, en_bound),
    ]
    return [f for pattern, value, skip in scans for f in scan(text, pattern, "age", value, skip)]
