"""Facts a citizen states about themselves in a question, in Korean or English.

The danger is reading a rule as a person: "18~34세면 되나요?", "39세 이하", "1년에 10회" or
"is the limit 80% of median?" describe a program, not the asker. Heuristics:

- Numbers count only with an age frame: a counter (살/세, "years old"), a first-person frame
  ("I'm 40", "my age is 40", "나이는 40"), a native Korean number before a copula ("마흔인데",
  "서른다섯이에요") or a word for a person ("서른여섯 구직자") or a decade ("30대 후반", "in my thirties", "late twenties"). A bare number
  ("10회", "2024년", "18~34") never becomes an age.
- A number in a range or under a comparison is a bound, not a person: "18~34세", "20~30대",
  "20·30대", "39세 이하", "만 18세 이상", "까지", "부터", "ages 18 to 34", "under 40",
  "40 or younger", "age limit is 39", "연령 제한 39세".
- Any phrase next to a rule word is dropped: "서울 거주자만", "구직자 대상", "서울에 살아야 하나요",
  "80% 이하인가요", "is it only for a student", "must be", plural groups ("unemployed people"), and
  a program topic ("유학생 인턴십", "student loan").
- Conditionals stay in ("40살이면 신청할 수 있나요?"), as do statements about a subject
  ("a 25-year-old", "대학생도 되나요?"): they describe the case being asked about.

Combining: ages that disagree (no value fits both: "저는 40살, 아들은 20살") leave age unknown, as
the engine must never decide on a guess; overlapping ones intersect ("30대 후반, 38살" → 38).
Contradicting yes/no facts also stay unknown. Employment words resolve by specificity
(``STATUS_PRIORITY``): "대학생 취준생" → student, "은퇴 후 구직 중" → unemployed. "구직 중",
"취준생" and "job seeker" map to ``unemployed``, the closest status; "유학생" sets only
``is_foreign_student``. Seoul districts are not read as residence (some names repeat in other
cities). "from Gyeonggi" reads as living there; "from Seoul" does not read as living in Seoul
(origin is not residence, and a wrong yes could make a verdict eligible).

One module per kind of fact, each a list of findings: ``ages``, ``residence`` (and foreign
student), ``status``, ``money``, ``business``, ``usage`` (past uses, no-shows) and ``stated``,
over the shared rule/bound checks of ``context`` and the number words of ``numbers``; this module
combines them into :class:`Facts`.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from chatbot.programs.fields import STATED_CONDITIONS
from chatbot.programs.facts import Facts
from chatbot.programs.profile.context import Finding, Span
from chatbot.programs.profile.ages import age_findings
from chatbot.programs.profile.residence import foreign_student_findings, residence_findings
from chatbot.programs.profile.status import STATUS_PRIORITY, status_findings
from chatbot.programs.profile.money import money_findings
from chatbot.programs.profile.business import business_findings
from chatbot.programs.profile.usage import times_findings
from chatbot.programs.profile.stated import stated_findings

__all__ = ["Extraction", "Finding", "extract", "extract_facts"]


@dataclass(frozen=True)
class Extraction:
    facts: Facts
    understood: tuple[Finding, ...]


# ── combining ──────────────────────────────────────────────────────────────────────────────────

def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """One phrase is one finding: of overlapping matches for a field, the earliest, longest wins."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.field, f.start, -f.end)):
        if kept and kept[-1].field == f.field and f.start < kept[-1].end:
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _intersect(spans: list[Span]) -> Span | None:
    """The range all statements allow; None when nothing was said or they contradict."""
    if not spans:
        return None
    lo, hi = max(s[0] for s in spans), min(s[1] for s in spans)
    return (lo, hi) if lo <= hi else None


def _exact(spans: list[Span]) -> int | None:
    """One whole number every statement agrees on ("창업 5년차", "I've done it twice"), or None."""
    span = _intersect(spans)
    return int(span[0]) if span and span[0] == span[1] else None


def _agreed(values: list[Any]) -> Any:
    return values[0] if values and all(v == values[0] for v in values) else None


def _facts(findings: list[Finding]) -> Facts:
    said: dict[str, list[Any]] = {}
    for f in findings:
        said.setdefault(f.field, []).append(f.value)
    age = _intersect(said.get("age", []))
    income = _intersect(said.get("income_pct_of_median", []))
    assets = _intersect(said.get("household_assets_krw", []))
    sales = _intersect(said.get("business.annual_sales_krw", []))
    statuses = set(said.get("employment_status", []))
    return Facts(
        age_min=int(age[0]) if age else None,
        age_max=int(age[1]) if age else None,
        resident_of_seoul=_agreed(said.get("resident_of_seoul", [])),
        employment_status=next((s for s in STATUS_PRIORITY if s in statuses), None),
        income_min=income[0] if income else None,
        income_max=income[1] if income else None,
        assets_min=int(assets[0]) if assets else None,
        assets_max=int(assets[1]) if assets else None,
        is_foreign_student=_agreed(said.get("is_foreign_student", [])),
        has_business=True if any(name.startswith("business") for name in said) else None,   # any fact of one
        business_in_seoul=_agreed(said.get("business.in_seoul", [])),
        business_certified=_agreed(said.get("business.certified", [])),
        business_industry=_agreed(said.get("business.industry", [])),     # two industries: undecided
        business_size=_business_size(said.get("business.size", [])),
        business_years_since_founding=_exact(said.get("business.years_since_founding", [])),
        business_sales_min=int(sales[0]) if sales else None,
        business_sales_max=int(sales[1]) if sales else None,
        times_used=_exact(said.get("times_used", [])),
        no_shows=_exact(said.get("no_shows", [])),
        stated=tuple((name, value) for name in STATED_CONDITIONS
                     if (value := _agreed(said.get(name, []))) is not None),
    )


def _business_size(sizes: list[str]) -> str | None:
    """A startup is also small; "startup" is the more specific word, so it wins over "sme"."""
    distinct = set(sizes)
    if distinct <= {"startup", "sme"} and distinct:
        return "startup" if "startup" in distinct else "sme"
    return _agreed(sizes)


def _normalize(question: str) -> str:
    # NFKC folds full-width digits, "～" and "％" into ASCII; curly apostrophes break "I’m".
    return unicodedata.normalize("NFKC", question).replace("’", "'").replace("‘", "'")


def extract(question: str) -> Extraction:
    """Facts from a question, with the phrases they came from (for debugging and answers)."""
    text = _normalize(question)
    findings = _without_overlaps([
        *age_findings(text), *residence_findings(text), *status_findings(text),
        *foreign_student_findings(text), *money_findings(text), *business_findings(text),
        *times_findings(text), *stated_findings(text),
    ])
    return Extraction(facts=_facts(findings), understood=tuple(findings))


def extract_facts(question: str) -> Facts:
    return extract(question).facts
