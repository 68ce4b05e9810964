"""Numbers in words, Korean (native and Sino-Korean) and English, as the age and count patterns
read them."""
from __future__ import annotations

import re

from chatbot.programs.profile.context import alternation


KO_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70, "여든": 80, "아흔": 90}
KO_UNITS = {
    "하나": 1, "한": 1, "둘": 2, "두": 2, "셋": 3, "세": 3, "넷": 4, "네": 4,
    "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9,
}
KO_SINO_TENS = {"십": 10, "이십": 20, "삼십": 30, "사십": 40, "오십": 50, "육십": 60, "칠십": 70}
_EN_SMALL = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_EN_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
EN_DECADES = {
    **{"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70},
    **{f"{v}s": v for v in range(10, 80, 10)}, **{f"{v}'s": v for v in range(10, 80, 10)},
}
_EN_DIGIT_WORDS = alternation(w for w, i in _EN_SMALL.items() if 0 < i < 10)
EN_NUM = rf"(?:\d{{1,3}}|(?:{alternation(_EN_TENS)})(?:[-\s](?:{_EN_DIGIT_WORDS}))?|{alternation(_EN_SMALL)})"


def en_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    return sum(_EN_TENS.get(p, _EN_SMALL.get(p, 0)) for p in re.split(r"[-\s]+", s.lower()))


def ko_number(m: re.Match) -> int:
    groups = m.groupdict()
    units = groups.get("units") or groups.get("units_only") or ""
    return KO_TENS.get(groups.get("tens") or "", 0) + KO_UNITS.get(units, 0)
