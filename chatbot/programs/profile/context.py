"""Is a phrase about the asker, or a rule, a bound or a topic ("18~34세", "서울 거주자만", "student
loan")? The checks every scan runs, and :func:`scan` itself."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


Span = tuple[float, float]
Check = Callable[[str, re.Match], bool]


@dataclass(frozen=True)
class Finding:
    """One understood phrase; ``value`` is a (lo, hi) range for numbers, else the value itself."""

    field: str
    phrase: str
    value: Any
    start: int
    end: int


# ── context: is a phrase a rule, a bound or a topic rather than a statement? ───────────────────

_KO_RULE_BEFORE = re.compile(
    r"(?:대상|요건|조건|자격|기준|제한|상한|하한|최대|최소|최고|까지|이하|이상)\s*(?:은|는|이|가|:|으로|로)?\s*$"
)
_KO_RULE_AFTER = re.compile(
    r"^\s*(?:자|인|이|들|인\s*사람|청년|사람|분|시민|구직자|학생)?\s*"
    r"(?:만(?!\s*\d)|대상|요건|조건|자격|기준|여부|인지|인가요|한정|에\s*한|[가-힣\s]{0,6}?(?:어|아|여|해)야\s*(?:하|되|돼|함|만))"
)
# "실업 상태인 서울시민만 되나요": the rule word may come a few words on, but not past a clause
# ending ("40살 실업자인데 서울 거주자만 되나요" still says the asker is unemployed).
_KO_RULE_LATER = re.compile(
    r"^(?:(?!인데|이고|이에요|예요|입니다|고\s)[^.?!,]){0,14}?"
    r"(?:만\s*(?:되|가능|신청|해당)|대상(?:인가|이에|인지|으로|이|은)|이어야|여야)"
)
_KO_TOPIC_AFTER = re.compile(
    r"^\s*(?:을|를)?\s*(?:위한|인턴|프로그램|지원(?![하했해할])|사업(?![자체주])|창업(?![했한해하])|전용|특화|과정|채용|일자리|정책|혜택)"
)
_KO_BOUND_AFTER = re.compile(
    r"^\s*(?:청년|사람|분|시민|구직자)?\s*(?:이하|이상|미만|초과|까지|부터|이내|넘|안팎|에서|[~\-–∼〜])"
)
_KO_RANGE_BEFORE = re.compile(r"(?:[~\-–∼〜]|에서|부터)\s*(?:만\s*)?$")
_KO_LIST_BEFORE = re.compile(r"(?:[·/]|\d\s*,|\d대?\s*(?:와|과|및))\s*$")
_KO_LIST_AFTER = re.compile(r"^\s*(?:[~\-–∼〜·,/]|와\s|과\s|및)")
KO_NEGATED_AFTER = re.compile(r"^[가-힣\s]{0,6}?(?:않|아니)")

EN_RULE_BEFORE = re.compile(
    r"\b(?:only|for|must(?:\s+be)?|needs?\s+to\s+be|have\s+to\s+be|required(?:\s+to\s+be)?|eligible|"
    r"limited\s+to|open\s+to|restricted\s+to|whether|if\s+you(?:'re|\s+are)?)\s*(?:an?\s+|the\s+)?$",
    re.I,
)
EN_RULE_AFTER = re.compile(r"^\s*(?:people|persons|residents|citizens|applicants|ones)\b", re.I)
_EN_TOPIC_AFTER = re.compile(
    r"^\s*(?:internships?|programs?|programmes?|support|startups?|loans?|visas?|benefits?|discounts?)\b", re.I
)
_EN_BOUND_BEFORE = re.compile(
    r"(?:\b(?:under|over|below|above|than|to|through|between|from|up\s+to|at\s+least|at\s+most|until|"
    r"limit(?:\s+is)?|maximum|minimum|max|min|cut-?off|threshold|their|only|must\s+be)|\d\s*(?:and|or)|[-–~])"
    r"\s*(?:an?\s+|the\s+)?$",
    re.I,
)
_EN_BOUND_AFTER = re.compile(
    r"^\s*(?:\+|(?:years?[-\s]old\s+)?(?:or|and)\s+(?:younger|older|under|over|below|above|less|more|up)\b|"
    r"(?:to|through|-|–)\s*\d|and\s+\d)",
    re.I,
)


def text_before(text: str, m: re.Match) -> str:
    return text[: m.start()]


def text_after(text: str, m: re.Match) -> str:
    return text[m.end():]


def ko_rule(text: str, m: re.Match) -> bool:
    after = text_after(text, m)
    return bool(_KO_RULE_BEFORE.search(text_before(text, m)) or _KO_RULE_AFTER.match(after) or _KO_RULE_LATER.match(after))


def ko_rule_or_topic(text: str, m: re.Match) -> bool:
    return ko_rule(text, m) or bool(_KO_TOPIC_AFTER.match(text_after(text, m)))


def ko_bound(text: str, m: re.Match) -> bool:
    """A Korean number in a range or under a comparison is a rule's bound, not a person's."""
    return ko_rule(text, m) or bool(
        _KO_RANGE_BEFORE.search(text_before(text, m)) or _KO_BOUND_AFTER.match(text_after(text, m))
    )


def ko_decade_bound(text: str, m: re.Match) -> bool:
    """"20·30대", "20대와 30대" list age groups, as rules do."""
    return ko_bound(text, m) or bool(
        _KO_LIST_BEFORE.search(text_before(text, m)) or _KO_LIST_AFTER.match(text_after(text, m))
    )


def en_rule(text: str, m: re.Match) -> bool:
    return bool(
        EN_RULE_BEFORE.search(text_before(text, m))
        or EN_RULE_AFTER.match(text_after(text, m))
        or _EN_TOPIC_AFTER.match(text_after(text, m))
    )


def en_bound(text: str, m: re.Match) -> bool:
    return bool(_EN_BOUND_BEFORE.search(text_before(text, m)) or _EN_BOUND_AFTER.match(text_after(text, m)))


def scan(text: str, pattern: re.Pattern, field: str, value: Callable[[re.Match], Any], skip: Check) -> list[Finding]:
    """Findings for every match whose value is understood and whose context is not a rule."""
    found = []
    for m in pattern.finditer(text):
        v = value(m)
        if v is not None and not skip(text, m):
            found.append(Finding(field, m.group(0).strip(), v, m.start(), m.end()))
    return found


def constant(v: Any) -> Callable[[re.Match], Any]:
    return lambda _m: v


def alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest first so "스물" wins over "스무" prefixes and "sixteen" over "six"."""
    return "|".join(sorted(words, key=len, reverse=True))


def not_negated(m: re.Match) -> bool:
    """A pattern with an optional ``neg`` group: true unless it matched ("not an international student")."""
    return not m.group("neg")
