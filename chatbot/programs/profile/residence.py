"""Where the asker lives (in Seoul or elsewhere) and whether they are a foreign student."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chatbot.programs.profile.context import (Check, Finding, KO_NEGATED_AFTER, alternation, constant,
                                              en_rule, ko_rule, ko_rule_or_topic, not_negated, scan,
                                              text_after)


KO_REGIONS = (
    "경기", "인천", "부산", "대구", "대전", "광주", "울산", "세종", "강원", "충북", "충남", "충청", "전북", "전남",
    "전라", "경북", "경남", "경상", "제주", "수원", "성남", "고양", "용인", "부천", "안산", "안양", "남양주",
    "화성", "평택", "의정부", "시흥", "파주", "김포", "광명", "하남", "군포", "구리", "분당", "일산", "판교",
)
EN_REGIONS = (
    "gyeonggi", "incheon", "busan", "daegu", "daejeon", "gwangju", "ulsan", "sejong", "gangwon", "jeju",
    "suwon", "seongnam", "goyang", "yongin", "bucheon", "ansan", "anyang", "bundang", "ilsan", "pyeongtaek", "pangyo",
)
# Present tense only: "서울에 살았는데" or "광주에서 살다가" is where someone used to live.
KO_LIVE = r"\s*(?:에서|에)?\s*(?P<neg>안\s*)?(?:거주(?!했|하다가)|살(?!았|던|다가)|사는|삽니다)"
# Seoul's districts whose names no other city uses (중구 and 강서구 repeat in Busan, Daegu, …).
SEOUL_DISTRICTS = (
    "종로", "용산", "성동", "광진", "동대문", "중랑", "성북", "강북", "도봉", "노원", "은평", "서대문", "마포", "양천",
    "구로", "금천", "영등포", "동작", "관악", "서초", "강남", "송파", "강동",
)
EN_DISTRICTS = (
    "jongno", "yongsan", "seongdong", "gwangjin", "dongdaemun", "jungnang", "seongbuk", "gangbuk", "dobong", "nowon",
    "eunpyeong", "seodaemun", "mapo", "yangcheon", "guro", "geumcheon", "yeongdeungpo", "dongjak", "gwanak", "seocho",
    "gangnam", "songpa", "gangdong",
)
_KO_SEOUL = re.compile(
    rf"서울(?:특별)?시?(?:{KO_LIVE}|\s*(?:시민|주민))|서울(?:로|으로)\s*이사\s*(?:왔|했|온)"
)
_KO_DISTRICT = re.compile(rf"(?<![가-힣])(?:{alternation(SEOUL_DISTRICTS)})구?(?:{KO_LIVE}|\s*(?:구민|주민))")
_KO_OUTSIDE_SEOUL = re.compile(r"서울\s*(?:밖|외\s*지역|이\s*아닌\s*곳|근교)(?:에서|에)?\s*(?:거주|살|사는|삽니다)")
_KO_ELSEWHERE = re.compile(
    rf"(?<![가-힣])(?:{alternation(KO_REGIONS)})(?:특별자치도|특별자치시|광역시|도|시)?(?:\s+[가-힣]{{1,4}}(?:시|구|군|동|읍|면)?(?=\s*(?:에서|에)?\s*(?:거주|살|사는|삽니다)))?"
    rf"(?:{KO_LIVE}|\s*(?:도민|시민|주민))"
)
_EN_SEOUL = re.compile(
    rf"\b(?:i\s+(?:currently\s+)?(?:live|reside|stay)\s+in|"
    r"i(?:'m|\s+am)\s+(?:currently\s+)?(?:living|based|residing)\s+in|"
    r"(?<!not\s)living\s+in|resident\s+of|(?:\b(?:and|but|who)|,)\s+(?:currently\s+)?(?:live|lives|reside|resides)\s+in)"
    rf"\s+(?:seoul|(?:{'|'.join(EN_DISTRICTS)})(?:-?gu)?)\b|\bseoul\s+(?:resident|citizen)\b(?!s)",
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
    rf"(?:[a-z]+(?:-(?:gu|si|gun|dong))?,\s+)?(?:{alternation(EN_REGIONS)})\b",          # "in Bupyeong, Incheon"
    re.I,
)
_KO_FOREIGN_STUDENT = re.compile(r"유학생|외국인\s*(?:유학생|학생)|교환\s*학생")
_EN_FOREIGN_STUDENT = re.compile(
    r"\b(?P<neg>not\s+(?:an?\s+)?)?(?:international|foreign|exchange)\s+student\b(?!s)", re.I
)


def _ko_affirmed(text: str) -> Callable[[re.Match], bool]:
    """True for a plain statement, False when negated ("서울 안 살아요", "유학생이 아니에요")."""
    def value(m: re.Match) -> bool:
        return not (m.groupdict().get("neg") or KO_NEGATED_AFTER.match(text_after(text, m)))
    return value


def _ko_elsewhere(text: str) -> Callable[[re.Match], bool | None]:
    """Living outside Seoul says no; "경기도 안 살아요" says nothing about Seoul."""
    affirmed = _ko_affirmed(text)
    return lambda m: False if affirmed(m) else None


def residence_findings(text: str) -> list[Finding]:
    scans: list[tuple[re.Pattern, Callable[[re.Match], Any], Check]] = [
        (_KO_SEOUL, _ko_affirmed(text), ko_rule),
        (_KO_DISTRICT, _ko_affirmed(text), ko_rule),
        (_KO_OUTSIDE_SEOUL, constant(False), ko_rule),
        (_KO_ELSEWHERE, _ko_elsewhere(text), ko_rule),
        (_EN_NOT_SEOUL, constant(False), en_rule),
        (_EN_SEOUL, constant(True), en_rule),
        (_EN_ELSEWHERE, constant(False), en_rule),
    ]
    return [f for pattern, value, skip in scans for f in scan(text, pattern, "resident_of_seoul", value, skip)]


def foreign_student_findings(text: str) -> list[Finding]:
    return [
        *scan(text, _KO_FOREIGN_STUDENT, "is_foreign_student", _ko_affirmed(text), ko_rule_or_topic),
        *scan(text, _EN_FOREIGN_STUDENT, "is_foreign_student", not_negated, en_rule),
    ]
