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
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chatbot.programs.catalog import STATED_CONDITIONS
from chatbot.programs.eligibility import Facts

Span = tuple[float, float]
Check = Callable[[str, re.Match], bool]

# Household assets have no natural ceiling; "재산 5억 이상" becomes [5억, this].
ASSETS_CEILING = 10**15
INCOME_CEILING = 1000.0


@dataclass(frozen=True)
class Finding:
    """One understood phrase; ``value`` is a (lo, hi) range for numbers, else the value itself."""

    field: str
    phrase: str
    value: Any
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    facts: Facts
    understood: tuple[Finding, ...]


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
_KO_NEGATED_AFTER = re.compile(r"^[가-힣\s]{0,6}?(?:않|아니)")

_EN_RULE_BEFORE = re.compile(
    r"\b(?:only|for|must(?:\s+be)?|needs?\s+to\s+be|have\s+to\s+be|required(?:\s+to\s+be)?|eligible|"
    r"limited\s+to|open\s+to|restricted\s+to|whether|if\s+you(?:'re|\s+are)?)\s*(?:an?\s+|the\s+)?$",
    re.I,
)
_EN_RULE_AFTER = re.compile(r"^\s*(?:people|persons|residents|citizens|applicants|ones)\b", re.I)
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


def _before(text: str, m: re.Match) -> str:
    return text[: m.start()]


def _after(text: str, m: re.Match) -> str:
    return text[m.end():]


def _ko_rule(text: str, m: re.Match) -> bool:
    after = _after(text, m)
    return bool(_KO_RULE_BEFORE.search(_before(text, m)) or _KO_RULE_AFTER.match(after) or _KO_RULE_LATER.match(after))


def _ko_rule_or_topic(text: str, m: re.Match) -> bool:
    return _ko_rule(text, m) or bool(_KO_TOPIC_AFTER.match(_after(text, m)))


def _ko_bound(text: str, m: re.Match) -> bool:
    """A Korean number in a range or under a comparison is a rule's bound, not a person's."""
    return _ko_rule(text, m) or bool(
        _KO_RANGE_BEFORE.search(_before(text, m)) or _KO_BOUND_AFTER.match(_after(text, m))
    )


def _ko_decade_bound(text: str, m: re.Match) -> bool:
    """"20·30대", "20대와 30대" list age groups, as rules do."""
    return _ko_bound(text, m) or bool(
        _KO_LIST_BEFORE.search(_before(text, m)) or _KO_LIST_AFTER.match(_after(text, m))
    )


def _en_rule(text: str, m: re.Match) -> bool:
    return bool(
        _EN_RULE_BEFORE.search(_before(text, m))
        or _EN_RULE_AFTER.match(_after(text, m))
        or _EN_TOPIC_AFTER.match(_after(text, m))
    )


def _en_bound(text: str, m: re.Match) -> bool:
    return bool(_EN_BOUND_BEFORE.search(_before(text, m)) or _EN_BOUND_AFTER.match(_after(text, m)))


def _scan(text: str, pattern: re.Pattern, field: str, value: Callable[[re.Match], Any], skip: Check) -> list[Finding]:
    """Findings for every match whose value is understood and whose context is not a rule."""
    found = []
    for m in pattern.finditer(text):
        v = value(m)
        if v is not None and not skip(text, m):
            found.append(Finding(field, m.group(0).strip(), v, m.start(), m.end()))
    return found


def _constant(v: Any) -> Callable[[re.Match], Any]:
    return lambda _m: v


def _alt(words: Iterable[str]) -> str:
    """Regex alternation, longest first so "스물" wins over "스무" prefixes and "sixteen" over "six"."""
    return "|".join(sorted(words, key=len, reverse=True))


# ── numbers ────────────────────────────────────────────────────────────────────────────────────

_KO_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70, "여든": 80, "아흔": 90}
_KO_UNITS = {
    "하나": 1, "한": 1, "둘": 2, "두": 2, "셋": 3, "세": 3, "넷": 4, "네": 4,
    "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9,
}
_KO_SINO_TENS = {"십": 10, "이십": 20, "삼십": 30, "사십": 40, "오십": 50, "육십": 60, "칠십": 70}
_EN_SMALL = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_EN_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_EN_DECADES = {
    **{"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70},
    **{f"{v}s": v for v in range(10, 80, 10)}, **{f"{v}'s": v for v in range(10, 80, 10)},
}
_EN_DIGIT_WORDS = _alt(w for w, i in _EN_SMALL.items() if 0 < i < 10)
_EN_NUM = rf"(?:\d{{1,3}}|(?:{_alt(_EN_TENS)})(?:[-\s](?:{_EN_DIGIT_WORDS}))?|{_alt(_EN_SMALL)})"


def _en_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    return sum(_EN_TENS.get(p, _EN_SMALL.get(p, 0)) for p in re.split(r"[-\s]+", s.lower()))


def _ko_number(m: re.Match) -> int:
    groups = m.groupdict()
    units = groups.get("units") or groups.get("units_only") or ""
    return _KO_TENS.get(groups.get("tens") or "", 0) + _KO_UNITS.get(units, 0)


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
_KO_TENS_BARE = _alt(t for t, v in _KO_TENS.items() if v >= 20 and t != "스무")

_KO_DIGIT_AGE = re.compile(rf"(?<![\d.,])(?:만\s*)?(\d{{1,3}})\s*{_COUNTER}")
_KO_WORD_AGE = re.compile(
    rf"(?<![가-힣])(?:(?P<tens>{_alt(_KO_TENS)})\s?(?P<units>{_alt(_KO_UNITS)})?|(?P<units_only>{_alt(_KO_UNITS)}))"
    r"\s*살(?![아고며면지았던겠])"
)
_KO_WORD_AGE_BARE = re.compile(rf"(?<![가-힣])(?P<tens>{_KO_TENS_BARE})\s?(?P<units>{_alt(_KO_UNITS)})?{_KO_COPULA}")
# a native number before a word for a person: "서른여섯 구직자인데", "스물다섯 대학생"
_KO_WORD_AGE_PERSON = re.compile(
    rf"(?<![가-힣])(?P<tens>{_KO_TENS_BARE})\s?(?P<units>{_alt(_KO_UNITS)})?"
    r"\s+(?=대학생|학생|구직자|취준생|직장인|회사원|백수|청년|주부|실직자|자영업자|사장|프리랜서|여자|남자|여성|남성|엄마|아빠"
    r"|졸업생|재직자|퇴직자|은퇴자|외국인|유학생|비전공자|전공자|개발자|디자이너)"
)
_KO_AGE_IS = re.compile(r"나이(?:는|가|:)?\s*(?:만\s*)?(\d{1,3})(?![\d%,]|\.\d|\s*(?:만|원|년|회|명|%))")
_KO_DECADE = re.compile(
    rf"(?<!\d)(?:(?P<digit>[1-9])0|(?P<sino>{_alt(_KO_SINO_TENS)}))\s*대(?:\s*(?P<part>초반|중반|후반))?"
)
# Someone the asker asks for ("My mum is 45 … can she borrow a suit?"): their facts are the applicant's.
_RELATIVE = (r"(?:son|daughter|child|kid|brother|sister|husband|wife|dad|father|mom|mum|mother|boyfriend|girlfriend|"
             r"partner|friend|nephew|niece|uncle|aunt|grandson|granddaughter)")
_EN_IM_AGE = re.compile(
    rf"\b(?:i\s+am|i'm|im|(?:(?:my\s+{_RELATIVE})|he|she)(?:\s+is|'s))"
    rf"\s+(?:only\s+|just\s+|now\s+|currently\s+)?({_EN_NUM})"
    r"(?=\s*(?:(?:years?|yrs?)\b(?!\s+(?:into|in|of|since|ago|at|with|working)\b)|y/?o\b|[,.!?;]|and\b|but\b|so\b|now\b|$))",
    re.I,
)
# "a 2-year-old startup" is the business's age (_EN_FOUNDED), not the person's
_EN_YEARS_OLD = re.compile(rf"\b({_EN_NUM})[-\s]*(?:years?|yrs?)[-\s]*old\b(?!s)"
                           r"(?!\s+(?:startup|start-up|company|business|firm|shop|venture|factory)\b)", re.I)
_EN_AGE_IS = re.compile(rf"\b(?:my\s+age\s+is|aged|turned|turning)\s+({_EN_NUM})\b", re.I)
# "My dad (63)", "My brother (26)", "아들(24)": an age in brackets after the person it is about
_AGE_IN_BRACKETS = re.compile(
    rf"(?:\b(?:i|me|my\s+{_RELATIVE})"
    r"|(?:아들|딸|남편|아내|엄마|아빠|어머니|아버지|형|누나|언니|오빠|동생|조카|남친|여친|남자친구|여자친구|친구|저))"
    r"\s*\(\s*(?:만\s*)?(\d{1,2})\s*(?:살|세|y/?o)?\s*\)",
    re.I,
)
_EN_DECADE = re.compile(
    rf"\b(?:in\s+(?:my|his|her)\s+)?(?:(?P<part>early|mid|late)[-\s]?)?(?P<decade>{_alt(_EN_DECADES)})(?![\w'])",
    re.I,
)


def _digit_age(m: re.Match) -> Span | None:
    return _age(int(m.group(1)))


def _en_age(m: re.Match) -> Span | None:
    return _age(_en_number(m.group(1)))


def _ko_word_age(m: re.Match) -> Span | None:
    return _age(_ko_number(m))


def _ko_decade(m: re.Match) -> Span:
    base = int(m.group("digit")) * 10 if m.group("digit") else _KO_SINO_TENS[m.group("sino")]
    return _decade(base, m.group("part"))


def _en_decade(m: re.Match) -> Span | None:
    """A bare "thirties" is too loose; it needs "in my/his/her" or a qualifier ("late twenties")."""
    if not (m.group("part") or m.group(0).lower().startswith("in ")):
        return None
    return _decade(_EN_DECADES[m.group("decade").lower()], m.group("part"))


def _age_findings(text: str) -> list[Finding]:
    scans: list[tuple[re.Pattern, Callable[[re.Match], Any], Check]] = [
        (_KO_DIGIT_AGE, _digit_age, _ko_bound),
        (_KO_WORD_AGE, _ko_word_age, _ko_bound),
        (_KO_WORD_AGE_BARE, _ko_word_age, _ko_bound),
        (_KO_WORD_AGE_PERSON, _ko_word_age, _ko_bound),
        (_KO_AGE_IS, _digit_age, _ko_bound),
        (_KO_DECADE, _ko_decade, _ko_decade_bound),
        (_EN_IM_AGE, _en_age, _en_bound),
        (_EN_YEARS_OLD, _en_age, _en_bound),
        (_EN_AGE_IS, _en_age, _en_bound),
        (_AGE_IN_BRACKETS, _digit_age, _en_bound),
        (_EN_DECADE, _en_decade, _en_bound),
    ]
    return [f for pattern, value, skip in scans for f in _scan(text, pattern, "age", value, skip)]


# ── residence and foreign student ──────────────────────────────────────────────────────────────

_KO_REGIONS = (
    "경기", "인천", "부산", "대구", "대전", "광주", "울산", "세종", "강원", "충북", "충남", "충청", "전북", "전남",
    "전라", "경북", "경남", "경상", "제주", "수원", "성남", "고양", "용인", "부천", "안산", "안양", "남양주",
    "화성", "평택", "의정부", "시흥", "파주", "김포", "광명", "하남", "군포", "구리", "분당", "일산", "판교",
)
_EN_REGIONS = (
    "gyeonggi", "incheon", "busan", "daegu", "daejeon", "gwangju", "ulsan", "sejong", "gangwon", "jeju",
    "suwon", "seongnam", "goyang", "yongin", "bucheon", "ansan", "anyang", "bundang", "ilsan", "pyeongtaek", "pangyo",
)
# Present tense only: "서울에 살았는데" or "광주에서 살다가" is where someone used to live.
_KO_LIVE = r"\s*(?:에서|에)?\s*(?P<neg>안\s*)?(?:거주(?!했|하다가)|살(?!았|던|다가)|사는|삽니다)"
# Seoul's districts whose names no other city uses (중구 and 강서구 repeat in Busan, Daegu, …).
SEOUL_DISTRICTS = (
    "종로", "용산", "성동", "광진", "동대문", "중랑", "성북", "강북", "도봉", "노원", "은평", "서대문", "마포", "양천",
    "구로", "금천", "영등포", "동작", "관악", "서초", "강남", "송파", "강동",
)
_EN_DISTRICTS = (
    "jongno", "yongsan", "seongdong", "gwangjin", "dongdaemun", "jungnang", "seongbuk", "gangbuk", "dobong", "nowon",
    "eunpyeong", "seodaemun", "mapo", "yangcheon", "guro", "geumcheon", "yeongdeungpo", "dongjak", "gwanak", "seocho",
    "gangnam", "songpa", "gangdong",
)
_KO_SEOUL = re.compile(
    rf"서울(?:특별)?시?(?:{_KO_LIVE}|\s*(?:시민|주민))|서울(?:로|으로)\s*이사\s*(?:왔|했|온)"
)
_KO_DISTRICT = re.compile(rf"(?<![가-힣])(?:{_alt(SEOUL_DISTRICTS)})구?(?:{_KO_LIVE}|\s*(?:구민|주민))")
_KO_OUTSIDE_SEOUL = re.compile(r"서울\s*(?:밖|외\s*지역|이\s*아닌\s*곳|근교)(?:에서|에)?\s*(?:거주|살|사는|삽니다)")
_KO_ELSEWHERE = re.compile(
    rf"(?<![가-힣])(?:{_alt(_KO_REGIONS)})(?:특별자치도|특별자치시|광역시|도|시)?(?:\s+[가-힣]{{1,4}}(?:시|구|군|동|읍|면)?(?=\s*(?:에서|에)?\s*(?:거주|살|사는|삽니다)))?"
    rf"(?:{_KO_LIVE}|\s*(?:도민|시민|주민))"
)
_EN_SEOUL = re.compile(
    rf"\b(?:i\s+(?:currently\s+)?(?:live|reside|stay)\s+in|"
    r"i(?:'m|\s+am)\s+(?:currently\s+)?(?:living|based|residing)\s+in|"
    r"(?<!not\s)living\s+in|resident\s+of|(?:\b(?:and|but|who)|,)\s+(?:currently\s+)?(?:live|lives|reside|resides)\s+in)"
    rf"\s+(?:seoul|(?:{'|'.join(_EN_DISTRICTS)})(?:-?gu)?)\b|\bseoul\s+(?:resident|citizen)\b(?!s)",
    re.I,
)
_EN_NOT_SEOUL = re.compile(
    r"\b(?:(?:don't|do\s+not|doesn't|does\s+not)\s+live\s+in\s+seoul|not\s+(?:a\s+)?seoul\s+resident|"
    r"not\s+living\s+in\s+seoul|(?:live|living|reside|based)\s+outside\s+(?:of\s+)?seoul)\b",
    re.I,
)
_WITH_SOMEONE = r"(?:\s+with\s+(?:my|our|his|her|their)\s+\w+)?"      # "living with our parents in Goyang"
_EN_ELSEWHERE = re.compile(
    rf"\b(?:(?:live|lives|living|reside|residing){_WITH_SOMEONE}|based|from|resident\s+of)\s+(?:in\s+)?"
    rf"(?:[a-z]+(?:-(?:gu|si|gun|dong))?,\s+)?(?:{_alt(_EN_REGIONS)})\b",          # "in Bupyeong, Incheon"
    re.I,
)
_KO_FOREIGN_STUDENT = re.compile(r"유학생|외국인\s*(?:유학생|학생)|교환\s*학생")
_EN_FOREIGN_STUDENT = re.compile(
    r"\b(?P<neg>not\s+(?:an?\s+)?)?(?:international|foreign|exchange)\s+student\b(?!s)", re.I
)


def _ko_affirmed(text: str) -> Callable[[re.Match], bool]:
    """True for a plain statement, False when negated ("서울 안 살아요", "유학생이 아니에요")."""
    def value(m: re.Match) -> bool:
        return not (m.groupdict().get("neg") or _KO_NEGATED_AFTER.match(_after(text, m)))
    return value


def _ko_elsewhere(text: str) -> Callable[[re.Match], bool | None]:
    """Living outside Seoul says no; "경기도 안 살아요" says nothing about Seoul."""
    affirmed = _ko_affirmed(text)
    return lambda m: False if affirmed(m) else None


def _not_negated(m: re.Match) -> bool:
    """A pattern with an optional ``neg`` group: true unless it matched ("not an international student")."""
    return not m.group("neg")


def _residence_findings(text: str) -> list[Finding]:
    scans: list[tuple[re.Pattern, Callable[[re.Match], Any], Check]] = [
        (_KO_SEOUL, _ko_affirmed(text), _ko_rule),
        (_KO_DISTRICT, _ko_affirmed(text), _ko_rule),
        (_KO_OUTSIDE_SEOUL, _constant(False), _ko_rule),
        (_KO_ELSEWHERE, _ko_elsewhere(text), _ko_rule),
        (_EN_NOT_SEOUL, _constant(False), _en_rule),
        (_EN_SEOUL, _constant(True), _en_rule),
        (_EN_ELSEWHERE, _constant(False), _en_rule),
    ]
    return [f for pattern, value, skip in scans for f in _scan(text, pattern, "resident_of_seoul", value, skip)]


def _foreign_student_findings(text: str) -> list[Finding]:
    return [
        *_scan(text, _KO_FOREIGN_STUDENT, "is_foreign_student", _ko_affirmed(text), _ko_rule_or_topic),
        *_scan(text, _EN_FOREIGN_STUDENT, "is_foreign_student", _not_negated, _en_rule),
    ]


# ── employment ─────────────────────────────────────────────────────────────────────────────────

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


def _status_findings(text: str) -> list[Finding]:
    found = []
    for status, (ko, en) in _STATUS_RES.items():
        found += _scan(text, ko, "employment_status", _constant(status), _ko_rule_or_topic)
        found += _scan(text, en, "employment_status", _constant(status), _en_rule)
    return found


# ── income and assets ──────────────────────────────────────────────────────────────────────────

_UPPER = {"이하", "미만", "이내", "below", "under", "less than", "at most", "up to", "or less", "or below", "and under"}
_LOWER = {"이상", "초과", "above", "over", "more than", "at least", "or more", "or above", "and over"}
_EN_PRE = (
    r"(?:(?P<{0}>below|under|less\s+than|at\s+most|up\s+to|above|over|more\s+than|at\s+least|"
    r"about|around|roughly)\s+)?"
)
_EN_POST = r"(?:\s*(?P<post>or\s+less|or\s+below|and\s+under|or\s+more|or\s+above|and\s+over))?"
_KO_POST = r"\s*(?P<post>이하|미만|이내|이상|초과|정도|수준|쯤|가량|(?:이|가|도)?\s*안\s*(?:돼|되|넘))?"
_KO_SHORT_OF = re.compile(r"안\s*(?:돼|되|넘)")        # "1억이 안 돼요": below the amount
_PCT = r"\d{1,3}(?:\.\d+)?"

_KO_INCOME = re.compile(rf"(?:기준\s*)?중위\s*소득\s*(?:의\s*)?(?P<v>{_PCT})\s*(?:%|퍼센트|프로){_KO_POST}")
_EN_INCOME = re.compile(
    rf"(?:{_EN_PRE.format('pre')}(?P<v>{_PCT})\s*(?:%|percent)\s+of\s+(?:the\s+)?(?:standard\s+)?median(?:\s+income)?"
    rf"|median\s+income\s+(?:of\s+|is\s+|at\s+|:\s*)?{_EN_PRE.format('pre2')}(?P<v2>{_PCT})\s*(?:%|percent)){_EN_POST}",
    re.I,
)
_KRW_AMOUNT = r"(?:\d[\d,]*(?:\.\d+)?\s*(?:억|천만|백만|만|천|백)\s*)+원?|\d[\d,]{3,}\s*원"
_KO_ASSETS = re.compile(
    rf"(?:가구\s*|가족\s*(?:합산\s*)?|총\s*)?(?:재산|자산)(?:이|은|는|:)?\s*"
    rf"(?:[가-힣]{{1,8}}(?:\s+[가-힣]{{1,8}})?\s*(?:포함해서|포함하면|포함|까지)\s*)?"     # "전세보증금 포함해서 1억 5천"
    rf"(?:(?:다\s*|모두\s*|전부\s*)?(?:합쳐서|합쳐도|합치면|합하면|합해서|합해도|합산하면|더하면|더해도)\s*)?(?:약|대략|총)?\s*(?P<amount>{_KRW_AMOUNT}){_KO_POST}"
)
_EN_MONEY = r"(?:₩\s*|krw\s*)?(?P<{0}>\d[\d,]*(?:\.\d+)?)\s*(?P<{1}>million|billion)?\s*(?:won|krw)?"
_EN_ASSETS = re.compile(
    rf"(?:\b(?:household\s+)?(?:assets?|net\s+worth|property)\s+(?:of\s+|worth\s+|are\s+|is\s+|total(?:ing)?\s+|:\s*)?"
    rf"{_EN_PRE.format('pre')}{_EN_MONEY.format('n', 'unit')}"
    rf"|{_EN_PRE.format('pre2')}{_EN_MONEY.format('n2', 'unit2')}\s+(?:in|of|worth\s+of)\s+(?:household\s+)?"
    rf"(?:assets|property|wealth)\b){_EN_POST}",
    re.I,
)
_KRW_UNITS = {"억": 10**8, "천만": 10**7, "백만": 10**6, "만": 10**4, "천": 10**3, "백": 10**2}


def _krw(amount: str) -> int | None:
    """'3억5천만원' → 350,000,000; a bare 천/백 after 억 means 천만/백만, as people say it."""
    total, after_eok = 0.0, False
    for number, unit in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(억|천만|백만|만|천|백)?", amount):
        scale = _KRW_UNITS.get(unit, 1)
        if after_eok and unit in ("천", "백"):
            scale *= 10**4
        total += float(number.replace(",", "")) * scale
        after_eok = after_eok or unit == "억"
    return int(total) if total > 0 else None


def _bounded(v: float, bounds: Iterable[str | None], ceiling: float) -> Span:
    """A stated value, or the range a bound word gives it ("80% 이하" → 0–80)."""
    words = {"미만" if _KO_SHORT_OF.search(b) else re.sub(r"\s+", " ", b.lower()) for b in bounds if b}
    if words & _UPPER:
        return 0, v
    if words & _LOWER:
        return v, ceiling
    return v, v


def _bound_words(m: re.Match) -> list[str | None]:
    return [m.groupdict().get(k) for k in ("pre", "pre2", "post")]


def _income(m: re.Match) -> Span:
    return _bounded(float(m.group("v") or m.group("v2")), _bound_words(m), INCOME_CEILING)


def _ko_won(m: re.Match) -> Span | None:
    """A Korean amount in won ("1억 5천") from ``amount``, with its bound words ("이하", "이 안 돼요")."""
    v = _krw(m.group("amount"))
    return None if v is None else _bounded(v, _bound_words(m), ASSETS_CEILING)


def _en_won(m: re.Match, zero: bool = False) -> Span | None:
    """An English amount in won from ``n``/``unit`` (or ``n2``/``unit2``), with its bound words;
    under a million is not an amount ("assets of 3"), except an exact zero where ``zero`` allows."""
    n, unit = (m.group("n"), m.group("unit")) if m.group("n") else (m.group("n2"), m.group("unit2"))
    v = float(n.replace(",", "")) * {"million": 10**6, "billion": 10**9}.get((unit or "").lower(), 1)
    if v < 10**6 and not (zero and v == 0):
        return None
    return _bounded(int(v), _bound_words(m), ASSETS_CEILING)


# A business's sales: "작년 매출이 35억이에요", "연 매출 20억 이하", "매출이 0원", "last year's revenue was
# about 1.2 billion won", "annual sales of 500 million won".
_KO_SALES = re.compile(
    rf"(?:작년|지난해|연|연간|올해)?\s*매출(?:액)?(?:이|은|는|:)?\s*(?:약|대략|한)?\s*(?P<amount>{_KRW_AMOUNT}|0\s*원){_KO_POST}"
)
_EN_SALES = re.compile(
    rf"\b(?:revenue|sales|turnover)\s+(?:last\s+year\s+)?(?:was|were|is|are|of|:)?\s*{_EN_PRE.format('pre')}"
    rf"{_EN_MONEY.format('n', 'unit')}{_EN_POST}",
    re.I,
)


def _ko_sales(m: re.Match) -> Span | None:
    if re.fullmatch(r"0\s*원", m.group("amount")):
        return 0, 0
    return _ko_won(m)


def _en_sales(m: re.Match) -> Span | None:
    return _en_won(m, zero=True)       # "revenue was 0 won": no sales yet


def _money_findings(text: str) -> list[Finding]:
    return [
        *_scan(text, _KO_INCOME, "income_pct_of_median", _income, _ko_rule),
        *_scan(text, _EN_INCOME, "income_pct_of_median", _income, _en_bound),
        *_scan(text, _KO_ASSETS, "household_assets_krw", _ko_won, _ko_rule),
        *_scan(text, _EN_ASSETS, "household_assets_krw", _en_won, _en_bound),
        *_scan(text, _KO_SALES, "business.annual_sales_krw", _ko_sales, _ko_rule),
        *_scan(text, _EN_SALES, "business.annual_sales_krw", _en_sales, _en_bound),
    ]


# ── a business the person runs ─────────────────────────────────────────────────────────────────

_KO_FOUNDED = re.compile(
    r"(?:창업|설립|개업)(?:한\s*지|하고|한지|된\s*지|된지)?\s*(?P<n>\d{1,2})\s*년\s*(?P<nth>차|째)?"
    r"|(?P<n2>\d{1,2})\s*년\s*(?:된|됐|되었|차|째)\s*(?:회사|기업|스타트업|법인|업체|가게)"
)
_EN_FOUNDED = re.compile(
    rf"\b(?:founded|started|set\s+up|established|opened)\s+(?P<n>{_EN_NUM})\s+years?\s+ago\b"
    rf"|\b(?P<n2>{_EN_NUM})[-\s]years?[-\s]old\s+(?:startup|start-up|company|business|firm|shop)\b",
    re.I,
)
_SIZE_PATTERNS = {
    "startup": (r"스타트업|벤처기업|창업\s*기업|초기\s*기업", r"\bstart-?ups?\b|\bventure\s+(?:company|firm)\b"),
    "sme": (r"중소\s*기업|소상공인|작은\s*(?:회사|기업|공장|업체)",
            r"\bsmes?\b|\bsmall(?:\s+or\s+medium)?\s+(?:[a-z]+-[a-z]+\s+)?(?:company|business|firm|factory|workshop)\b|\b\d{1,3}-person\s+(?:company|firm|team)\b"),
    "large": (r"대기업|중견기업", r"\blarge\s+(?:company|corporation|firm)\b|\bconglomerate\b"),
}
_SIZE_RES = {size: (re.compile(ko), re.compile(en, re.I)) for size, (ko, en) in _SIZE_PATTERNS.items()}
_KO_OWNS = re.compile(r"(?:우리|저희|제)\s*(?:회사|기업|업체|공장|가게|스타트업)|(?:회사|기업|업체|공장|스타트업)(?:을|를)?\s*(?:운영|하는데|해요|합니다)"
                      r"|(?:개발사|제작사)(?:인데|예요|이에요|입니다|이고)")
_EN_OWNS = re.compile(r"\b(?:our|my)\s+(?:own\s+)?(?:company|startup|start-up|business|firm|factory|workshop|shop)\b"
                      r"|\bwe(?:'re|\s+are)\s+an?\s+", re.I)


# A public agency's certification of the business (이노비즈, 메인비즈, 벤처기업 확인 …): said held,
# or said not held ("공공기관 인증 같은 건 받은 게 하나도 없어요").
_CERT_NAMES = r"(?:이노비즈|메인비즈|벤처(?:기업)?|가족친화|여성기업|사회적\s*기업|공공기관|강소기업)?"
_KO_CERTIFIED = re.compile(
    rf"{_CERT_NAMES}\s*인증(?:\s*\([^()]{{0,20}}\))?(?:을|은|도|이|서)?\s*(?:같은\s*(?:건|것은?)\s*)?"
    r"(?P<neg>(?:하나도\s*|아직\s*|전혀\s*)?(?:없|안\s*받|못\s*받|받은\s*(?:게|것이?|건)\s*(?:하나도\s*|전혀\s*)?없))?"
    r"(?(neg)|(?:받았|받은\s*(?:회사|기업|업체)|있|보유|취득))"
)
_EN_CERTIFIED = re.compile(
    r"\b(?P<neg>not|never\s+been|no|without\s+any|don't\s+have\s+(?:any|a)|do\s+not\s+have\s+(?:any|a))?\s*"
    r"(?:(?:venture|inno-?biz|main-?biz|government|public)[-\s])?certifi(?:ed|cation)\b(?!\s+(?:requirement|needed|required))",
    re.I,
)


def _founded(m: re.Match) -> Span | None:
    raw = m.group("n") or m.group("n2")
    n = int(raw) if raw.isdigit() else _en_number(raw)
    if not 0 <= n <= 100:
        return None
    nth = m.groupdict().get("nth")           # "창업 5년차" is the fifth year: four full years
    return (n - 1, n - 1) if nth and n > 0 else (n, n)


# ── how often the person already used the program ─────────────────────────────────────────────

_KO_COUNTS = {**_KO_UNITS, "열": _KO_TENS["열"]}     # "두 번", "열 번"
_KO_TIMES = re.compile(
    rf"(?P<n>\d{{1,2}}|{_alt(_KO_COUNTS)})\s*(?:번|회)\s*(?:이나|정도|쯤|다|째|씩)?\s*"
    r"(?:[가-힣]{1,4}(?:을|를)?\s+)?(?:빌렸|빌려\s*(?:봤|썼|갔)|대여했|이용했|참여했|참가했|해\s*봤|했)"
)
_EN_TIMES = re.compile(
    r"\b(?:done|used|rented|borrowed|joined|attended|taken\s+part\s+in|participated\s+in|did)\b[^.?!]{0,60}?"
    rf"\b(?:(?P<word>once|twice|thrice)|(?P<n>{_EN_NUM})\s+times)\b",
    re.I,
)
_EN_COUNT_WORDS = {"one": 1, "a": 1, "an": 1, "once": 1, "twice": 2, "thrice": 3}


def _ko_count(m: re.Match) -> Span:
    """A past count (uses, no-shows) from a pattern's ``n`` or ``n2`` group: digits or a native word."""
    raw = m.group("n") or m.groupdict().get("n2")
    n = int(raw) if raw.isdigit() else _KO_COUNTS[raw]
    return n, n


def _en_count(m: re.Match) -> Span:
    """The same in English: a word ("twice", "one") from ``word``/``word2``, else a number."""
    groups = m.groupdict()
    word = groups.get("word") or groups.get("word2")
    n = _EN_COUNT_WORDS[word.lower()] if word else _en_number(groups.get("n") or groups.get("n2"))
    return n, n


# Bookings missed: "두 번 노쇼했는데", "노쇼 2회", "예약하고 한 번 안 갔어요", "I missed one booking",
# "no-showed twice", "didn't show up two times".
_KO_NO_SHOWS = re.compile(
    rf"(?:(?P<n>\d{{1,2}}|{_alt(_KO_COUNTS)})\s*(?:번|회)\s*(?:이나|정도|쯤|다|씩)?\s*(?:노쇼|no-?show|안\s*갔|못\s*갔|불참)"
    rf"|노쇼\s*(?:를|가)?\s*(?P<n2>\d{{1,2}}|{_alt(_KO_COUNTS)})\s*(?:번|회))",
    re.I,
)
_EN_NO_SHOWS = re.compile(
    rf"\b(?:missed|skipped)\s+(?:(?P<word>one|a|an)|(?P<n>{_EN_NUM}))\s+"
    r"(?:booking|reservation|appointment|session|visit)s?\b"
    rf"|\b(?:no-?show(?:ed)?|(?:didn't|did\s+not)\s+show\s+up)\s+(?:(?P<word2>once|twice)|(?P<n2>{_EN_NUM})\s+times)\b",
    re.I,
)


def _times_findings(text: str) -> list[Finding]:
    """"올해 벌써 10번 빌렸는데", "I've done it twice": a past count, never a rule's ("연 10회까지")."""
    return [*_scan(text, _KO_TIMES, "times_used", _ko_count, _ko_bound),
            *_scan(text, _EN_TIMES, "times_used", _en_count, _en_bound),
            *_scan(text, _KO_NO_SHOWS, "no_shows", _ko_count, _ko_bound),
            *_scan(text, _EN_NO_SHOWS, "no_shows", _en_count, _en_bound)]


# Where a business is: a place, then "에 있는 / 소재 / 위치한" and a business noun ("판교에 있는 로봇
# 중소기업", "서울 구로에 있는 직원 40명 중소기업"), or a business noun "in/based in" a place.
_KO_BUSINESS_NOUN = r"(?:회사|기업|중소기업|스타트업|벤처|공장|업체|가게|법인|사무실|작업장|공방)"
_SEOUL_PLACES_KO = ("서울", *SEOUL_DISTRICTS, "성수", "여의도", "가산", "마곡", "홍대", "을지로", "동대문", "구로디지털단지")
_SEOUL_PLACES_EN = ("seoul", *_EN_DISTRICTS, "seongsu", "yeouido", "gasan", "magok", "hongdae", "euljiro")
_KO_BUSINESS_PLACE = re.compile(
    rf"(?<![가-힣])(?P<place>{_alt((*_SEOUL_PLACES_KO, *_KO_REGIONS))})(?:특별시|광역시|시|도|구|동)?"
    rf"(?:\s+[가-힣]+(?:구|동))?\s*(?:에\s*있는|에\s*위치한|소재(?:의)?|에서\s*(?:하는|운영하는|운영\s*중인))"
    rf"\s*[^.?!]{{0,25}}?{_KO_BUSINESS_NOUN}"
)
# "저희는 AI 스타트업이고 서울 강남에 있어요": the business first, owned ("저희/우리"), then its place
_KO_OWN_BUSINESS_PLACE = re.compile(
    rf"(?:저희|우리)\s*(?:는|도)?\s*[^.?!]{{0,20}}?{_KO_BUSINESS_NOUN}(?:은|는|이|가|이고|인데|이며|예요|이에요)?"
    rf"[\s,]*[^.?!]{{0,10}}?(?<![가-힣])(?P<place>{_alt((*_SEOUL_PLACES_KO, *_KO_REGIONS))})(?:특별시|광역시|시|도|구|동)?"
    r"(?:\s+[가-힣]+(?:구|동))?\s*(?:에\s*있|에\s*위치|소재)"
)
_EN_BUSINESS_PLACE = re.compile(
    r"\b(?:company|business|startup|start-up|firm|factory|workshop|shop|office|sme)s?\b[^.?!]{0,30}?"
    rf"\b(?:based\s+in|located\s+in|in)\s+(?P<place>{_alt((*_SEOUL_PLACES_EN, *_EN_REGIONS))})(?:-?(?:gu|dong))?\b",
    re.I,
)

# "We're a Seoul SME", "our Gangnam-based startup": the place before the business noun, only after
# words that make the business the asker's own; a facility's name after it ("our Seoul Startup
# Hub tenancy") is skipped by _or_name
_EN_PLACE_BUSINESS = re.compile(
    r"\b(?:we(?:'re|\s+are)|i\s+(?:run|own|have)|i(?:'m|\s+am)\s+running|our|my)\s+(?:(?:a|an|small|little|tiny|young)\s+)*"
    rf"(?P<place>{_alt((*_SEOUL_PLACES_EN, *_EN_REGIONS))})(?:-?(?:gu|dong))?(?:-based|\s+based)?\s+(?:[a-z-]+\s+){{0,2}}?"
    r"(?:company|business|startup|start-up|firm|factory|workshop|shop|sme)s?\b",
    re.I,
)

# The industry of the asker's business: its word right before a business noun ("봉제공장", "핀테크
# 스타트업인데", "빵집 해요") or after "I run / we are" ("I run a small bakery"). A program's name
# ("핀테크랩", "바이오허브") is not the asker's industry.
_INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "bio": ("바이오", "제약", "신약", "biotech", "bio", "pharma", "pharmaceutical"),
    "medical": ("의료기기", "헬스케어", "medical device", "medical-device", "medtech", "healthcare"),
    "fintech": ("핀테크", "fintech"),
    "garment-sewing": ("봉제", "의류제조", "의류 제조", "옷 만드는", "garment", "sewing", "clothing", "apparel"),
    "metal-machinery": ("기계금속", "금속가공", "금속 가공", "기계가공", "금속", "metalwork", "metal", "machining", "machinery"),
    "jewelry": ("주얼리", "귀금속", "jewelry", "jewellery"),
    "printing": ("인쇄", "printing", "print"),
    "handmade-shoes": ("수제화", "수제 구두", "구두", "handmade shoe", "shoemaking", "shoe"),
    "food": ("빵", "베이커리", "카페", "커피", "식당", "음식점", "요식업", "반찬", "bakery", "café", "cafe", "coffee",
             "restaurant", "food"),
    "software": ("소프트웨어", "앱 개발", "IT", "software", "app", "saas"),
    "content": ("웹툰", "게임", "영상", "콘텐츠", "webtoon", "game", "video", "content"),
    "ai": ("인공지능", "AI", "ai", "artificial intelligence", "machine learning", "computer vision", "computer-vision"),
    "robot": ("로봇", "로보틱스", "robot", "robotics"),
    "quantum": ("양자", "양자기술", "quantum"),
}
_INDUSTRY_OF = {w.lower(): slug for slug, words in _INDUSTRY_WORDS.items() for w in words}
_LATIN = re.compile(r"[a-zé\- ]+")
_KO_LATIN_INDUSTRY = ("it", "ai")       # written in capitals inside Korean: "IT 회사", "AI 스타트업"
_KO_INDUSTRY_WORDS = [w for w in _INDUSTRY_OF if not _LATIN.fullmatch(w) or w in _KO_LATIN_INDUSTRY]
_KO_INDUSTRY = re.compile(
    rf"(?P<ind>{_alt(w.upper() if w in _KO_LATIN_INDUSTRY else w for w in _KO_INDUSTRY_WORDS)})"
    r"(?!\s*(?:랩|허브|아카데미|펀드|클러스터|센터|캠퍼스|축제|페스티벌|위크))"
    r"\s*(?:관련\s*|쪽\s*)?(?:스타트업|벤처\s*기업|벤처|기업|회사|개발사|제작사|공장|업체|공방|가게|사업|집|소|샵|업)"
    r"(?:\s*\([^()]{0,20}\))?"                       # "AI 벤처기업(직원 15명)입니다"
    r"\s*(?:을|를|이고|인데|이에요|예요|입니다|해요|하는데|운영|차렸|하고|해서)"
)
_EN_INDUSTRY_WORD = rf"(?:(?:small|little|tiny|new|young|\d+-year-old|\d+-person|family|local|foreign|[a-z]+-(?:invested|backed|based|stage|owned|run))\s+)*(?P<ind>{_alt(w for w in _INDUSTRY_OF if _LATIN.fullmatch(w) and w != 'it')})s?(?:\s+[a-z]+-[a-z]+)?"
_EN_INDUSTRY = re.compile(
    rf"\b(?:i|we)\s+(?:run|own|have|operate|started|opened)\s+(?:an?\s+|our\s+|my\s+)?{_EN_INDUSTRY_WORD}\b"
    rf"|\b(?:i|we)\s*(?:'re|'m|\s+am|\s+are)\s+an?\s+{_EN_INDUSTRY_WORD.replace('?P<ind>', '?P<ind2>')}\s+"
    r"(?:startup|start-up|company|business|firm|shop|factory|workshop|studio|maker|manufacturer)\b",
    re.I,
)


def _en_rule_only(text: str, m: re.Match) -> bool:
    """A rule's words around it ("is it only for biotech?"); "a biotech startup" is the asker's."""
    return bool(_EN_RULE_BEFORE.search(_before(text, m)) or _EN_RULE_AFTER.match(_after(text, m)))


def _industry(m: re.Match) -> str | None:
    return _INDUSTRY_OF.get((m.group("ind") or m.groupdict().get("ind2") or "").lower())


def _in_seoul(m: re.Match) -> bool:
    place = m.group("place").lower()
    return place in _SEOUL_PLACES_KO or place in _SEOUL_PLACES_EN


# "I work at a small company in Seoul", "가산동 소프트웨어 회사 다니는 27살": the company is the
# asker's employer, not a business they run.
_KO_WORKS_THERE = re.compile(r"^\s*(?:에|에서)?\s*(?:다니|다녀|근무|재직|일하|일해|출근)")
_EN_WORKS_AT = re.compile(
    r"\bwork(?:s|ing)?\s+(?:full[-\s]?time\s+|part[-\s]?time\s+)?(?:at|for|in)\s+(?:an?\s+|the\s+|my\s+)?(?:[\w-]+\s+){0,3}$",
    re.I,
)


def _employer(check: Check) -> Check:
    """``check``, and also skip a business the asker works at."""
    return lambda text, m: check(text, m) or bool(_KO_WORKS_THERE.match(_after(text, m))
                                                  or _EN_WORKS_AT.search(_before(text, m)))


# "Seoul Startup Hub", "스타트업 허브", "SME fund": a size word in a facility's or a scheme's name
_NAME_AFTER = re.compile(r"^[\s-]*(?:hubs?|cent(?:er|re)s?|campus|labs?|funds?|programs?|programmes?|academy|"
                         r"festival|week|plaza|허브|센터|캠퍼스|펀드)\b", re.I)


def _or_name(check: Check) -> Check:
    """``check``, and also skip a size word that names a facility or a scheme, not the asker's business."""
    return lambda text, m: check(text, m) or bool(_NAME_AFTER.match(_after(text, m)))


def _business_findings(text: str) -> list[Finding]:
    found = [
        *_scan(text, _KO_BUSINESS_PLACE, "business.in_seoul", _in_seoul, _employer(_ko_rule)),
        *_scan(text, _EN_BUSINESS_PLACE, "business.in_seoul", _in_seoul, _employer(_en_rule)),
        *_scan(text, _EN_PLACE_BUSINESS, "business.in_seoul", _in_seoul, _or_name(_employer(_en_rule))),
        *_scan(text, _KO_OWN_BUSINESS_PLACE, "business.in_seoul", _in_seoul, _employer(_ko_rule)),
        *_scan(text, _KO_FOUNDED, "business.years_since_founding", _founded, _ko_bound),
        *_scan(text, _EN_FOUNDED, "business.years_since_founding", _founded, _en_bound),
        *_scan(text, _KO_INDUSTRY, "business.industry", _industry, _employer(_ko_rule)),
        *_scan(text, _EN_INDUSTRY, "business.industry", _industry, _employer(_en_rule_only)),
        *_scan(text, _KO_CERTIFIED, "business.certified", _not_negated, _ko_rule),
        *_scan(text, _EN_CERTIFIED, "business.certified", _not_negated, _en_rule),
        *_scan(text, _KO_OWNS, "business", _constant(True), _ko_rule),
        *_scan(text, _EN_OWNS, "business", _constant(True), _en_rule),
    ]
    for size, (ko, en) in _SIZE_RES.items():
        found += _scan(text, ko, "business.size", _constant(size), _or_name(_employer(_ko_rule_or_topic)))
        found += _scan(text, en, "business.size", _constant(size), _or_name(_employer(_en_rule)))
    return found


# ── yes/no conditions only a question states (catalog.STATED_CONDITIONS) ──────────────────────

# name -> (Korean yes, English yes, Korean no, English no); "no" patterns are tried too, and a
# question that says both leaves the condition open.
_STATED_PATTERNS: dict[str, tuple[str, str, str, str]] = {
    "prototype_ready": (
        r"(?:기술\s*)?개발(?:이|은|을)?\s*(?:다\s*)?(?:완료|끝났|끝나서|마쳤)|시제품(?:이|은|도)?\s*(?:완성|나왔|만들어\s*놨|있습니다|있어요|있고|있는데)"
        r"|(?:현장|바로)\s*설치\s*(?:가능|할\s*수\s*있)",
        r"\bprototype\s+(?:is|'s)\s+(?:already\s+)?(?:finished|ready|complete|completed|built|done)\b|"
        r"\b(?:(?:our|my)|(?:we|i)\s+have\s+an?)\s+(?:finished|working|completed)\s+prototype\b|"
        r"\b(?:it's|it\s+is|is)\s+(?:ready\s+to\s+(?:be\s+)?install|installable)|"
        r"\bdevelopment\s+is\s+(?:finished|complete|done)\b",
        r"아이디어\s*(?:단계|만\s*있)|시제품(?:은|이|도)?\s*(?:아직\s*)?(?:없|안\s*나왔|못\s*만들)|(?:개발|제작)\s*(?:을\s*)?(?:아직\s*)?(?:안\s*했|시작\s*전)",
        r"\b(?:only|just)\s+(?:have\s+)?an\s+idea\b|\bidea\s+stage\b|\bnothing\s+(?:is\s+)?built\s+yet\b|"
        r"\bno\s+prototype\b|\bprototype\s+(?:is\s+)?not\s+(?:ready|finished|built)\b|\bhaven't\s+built\b",
    ),
    "it_major": (
        r"컴퓨터\s*공학|컴공|전산\s*(?:학|전공)|소프트웨어\s*(?:학과|전공)|(?:IT|it|정보통신)\s*(?:학과|전공)",
        r"\b(?:computer\s+science|cs|software\s+engineering|it)\s+(?:major|degree|graduate)\b|"
        r"\bmajored\s+in\s+(?:computer\s+science|cs|software|it)\b",
        r"비전공|전공(?:이|은)?\s*(?:아니|안\s*했|아닌)",
        r"\bnon-?(?:cs\s+|it\s+)?major\b|\bno\s+(?:coding|programming|cs|it)\s+(?:background|experience)\b|"
        r"\bnever\s+(?:coded|programmed)\b|\bdidn't\s+major\s+in\s+(?:computer|cs|it|software)",
    ),
    "gunpo_resident": (
        rf"(?<![가-힣])군포(?:시)?(?:{_KO_LIVE}|\s*(?:시민|주민))",
        r"\b(?:live|lives|living|reside|resides|residing|based)\s+in\s+gunpo\b|\bgunpo\s+(?:citizen|resident)s?\b(?!s)",
        r"(?<![가-힣])군포(?:시)?(?:에)?\s*(?:안\s*(?:살|사)|살지\s*않)",
        r"\b(?:don't|do\s+not|doesn't|does\s+not)\s+live\s+in\s+gunpo\b",
    ),
    "course_completed": (
        r"수료(?:했|한|생|하고|해서|를\s*했)|과정(?:을|를)?\s*(?:다\s*)?(?:마쳤|끝냈|이수했)",
        r"\b(?:finished|completed|graduated\s+from)\s+(?:a|an|the|my)\s+(?:[\w-]+\s+){0,3}(?:course|program|programme|academy|bootcamp)\b",
        r"수료(?:는|를|도)?\s*(?:안|못)\s*(?:했|한)|수료\s*전|수료하지\s*(?:않|못)",
        r"\b(?:haven't|have\s+not|didn't|did\s+not)\s+(?:finish|complete)(?:ed)?\s+(?:the|a|my)\s+(?:[\w-]+\s+){0,3}course\b",
    ),
}
_STATED_RES = {name: tuple(re.compile(p, re.I) for p in patterns) for name, patterns in _STATED_PATTERNS.items()}


def _stated_findings(text: str) -> list[Finding]:
    found = []
    for name, (ko_yes, en_yes, ko_no, en_no) in _STATED_RES.items():
        found += _scan(text, ko_no, name, _constant(False), _ko_rule_or_topic)
        found += _scan(text, en_no, name, _constant(False), _en_rule)
        found += _scan(text, ko_yes, name, _constant(True), _ko_rule_or_topic)
        found += _scan(text, en_yes, name, _constant(True), _en_rule)
    return found


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
        *_age_findings(text), *_residence_findings(text), *_status_findings(text),
        *_foreign_student_findings(text), *_money_findings(text), *_business_findings(text),
        *_times_findings(text), *_stated_findings(text),
    ])
    return Extraction(facts=_facts(findings), understood=tuple(findings))


def extract_facts(question: str) -> Facts:
    return extract(question).facts
