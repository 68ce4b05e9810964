"""The asker's employment status, the most specific word winning (:data:`STATUS_PRIORITY`)."""
from __future__ import annotations

import re

from chatbot.programs.profile.context import Finding, constant, en_rule, ko_rule_or_topic, scan


_KO_SELF = r"(?=\s*(?:이에요|이예요|입니다|인데|이고|이야|이라|임|으로|님입니다|$|[.,!?]))"
# (Korean, English) patterns per status, most specific first: that order is STATUS_PRIORITY, so
# "일용직으로 일하고 있어요" is a day laborer and "대학생 취준생" a student.
_STATUS_PATTERNS: dict[str, tuple[str, str]] = {
    "day_laborer": (r"일용\s*(?:직|근로|노동)|막노동", r"\bday[-\s]?(?:labou?rer|worker)\b|\bdaily[-\s]wage\s+worker\b"),
    "business_owner": (
        rf"사장{_KO_SELF}|대표(?:이사)?{_KO_SELF}|사업주|사업체를?\s*운영|(?:회사|법인|스타트업)(?:을|를)\s*운영|창업(?:했|한\s*지|해서)",
        r"\bbusiness\s+owner\b|\b(?:own|run|founded|started)\s+(?:a|my|our|my\s+own)\s+(?:small\s+)?"
        r"(?:business|company|startup|firm)\b|\bceo\b|\bfounder\b",
    ),
    "self_employed": (
        r"자영업|개인\s*사업자|소상공인|프리랜서|장사를?\s*(?:하|해)|(?:가게|식당|카페)(?:을|를)\s*(?:운영|하)",
        r"\bself[-\s]employed\b|\bfreelancer?\b|\bsole\s+proprietor\b",
    ),
    "student": (
        r"(?<!유)(?<!외국인)(?<!외국인\s)(?<!교환)(?<!교환\s)학생|대학원생|재학\s*중|재학생|휴학|복학|졸업\s*예정",
        r"(?<!international\s)(?<!foreign\s)(?<!exchange\s)\bstudent\b(?!s)|"
        r"\bi(?:'m|\s+am)\s+(?:studying|in\s+college)\b",
    ),
    "employed": (
        r"직장인|회사원|재직(?!자\s*(?:교육|과정|대상|역량|전용|프로그램|용|만))|근무\s*중|(?:회사|직장)에?\s*다니|정규직|계약직|알바|아르바이트|일하고\s*있",
        r"(?<!self-)(?<!self\s)\bemployed\b|\bi\s+work\s+(?:full[-\s]?time\s+|part[-\s]?time\s+)?(?:at|for|as|in)\b|"
        r"\bi(?:'m|\s+am)\s+(?:currently\s+|now\s+)?working\s+(?:full[-\s]?time\s+|part[-\s]?time\s+)?(?:at|for|as|in)\b|"
        r"\bi\s+work\s+(?:full|part)[-\s]?time\b|\bfull[-\s]?time\s+(?:job|employee|worker)\b|"
        r"\boffice\s+worker\b|\bemployee\b|\bi\s+have\s+a\s+(?:full[-\s]?time\s+)?job\b",
    ),
    "unemployed": (
        r"구직\s*(?:중|하고|활동)|구직자|취준생?|취업\s*준비|실직자?|실업자?|백수|무직|일자리를?\s*(?:잃|찾)|퇴사(?:했|한|하고)|"
        r"(?:회사|직장|일)(?:을|를)?\s*(?:그만|관두)",
        r"\bunemployed\b|\bjob[-\s]?(?:seeker|hunting|hunter)\b|\blooking\s+for\s+(?:a\s+|an\s+)?(?:job|work)\b|"
        r"\bout\s+of\s+work\b|\bjobless\b|\blost\s+my\s+job\b|\bbetween\s+jobs\b|\blaid\s+off\b",
    ),
    "retired": (r"은퇴|정년|연금\s*생활", r"\bretired\b|\bretiree\b|\bpensioner\b"),
}
STATUS_PRIORITY = tuple(_STATUS_PATTERNS)
_STATUS_RES = {s: (re.compile(ko), re.compile(en, re.I)) for s, (ko, en) in _STATUS_PATTERNS.items()}


def status_findings(text: str) -> list[Finding]:
    found = []
    for status, (ko, en) in _STATUS_RES.items():
        found += scan(text, ko, "employment_status", constant(status), ko_rule_or_topic)
        found += scan(text, en, "employment_status", constant(status), en_rule)
    return found
