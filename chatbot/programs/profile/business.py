"""A business the asker runs: where it is, how old, its size, its industry, its certification."""
from __future__ import annotations

import re

from chatbot.programs.profile.context import (Check, EN_RULE_AFTER, EN_RULE_BEFORE, Finding, Span,
                                              alternation, constant, en_bound, en_rule, ko_bound, ko_rule,
                                              ko_rule_or_topic, not_negated, scan, text_after, text_before)
from chatbot.programs.profile.numbers import EN_NUM, en_number
from chatbot.programs.profile.residence import EN_DISTRICTS, EN_REGIONS, KO_REGIONS, SEOUL_DISTRICTS


_KO_FOUNDED = re.compile(
    r"(?:창업|설립|개업)(?:한\s*지|하고|한지|된\s*지|된지)?\s*(?P<n>\d{1,2})\s*년\s*(?P<nth>차|째)?"
    r"|(?P<n2>\d{1,2})\s*년\s*(?:된|됐|되었|차|째)\s*(?:회사|기업|스타트업|법인|업체|가게)"
)
_EN_FOUNDED = re.compile(
    rf"\b(?:founded|started|set\s+up|established|opened)\s+(?P<n>{EN_NUM})\s+years?\s+ago\b"
    rf"|\b(?P<n2>{EN_NUM})[-\s]years?[-\s]old\s+(?:startup|start-up|company|business|firm|shop)\b",
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
    n = int(raw) if raw.isdigit() else en_number(raw)
    if not 0 <= n <= 100:
        return None
    nth = m.groupdict().get("nth")           # "창업 5년차" is the fifth year: four full years
    return (n - 1, n - 1) if nth and n > 0 else (n, n)


# Where a business is: a place, then "에 있는 / 소재 / 위치한" and a business noun ("판교에 있는 로봇
# 중소기업", "서울 구로에 있는 직원 40명 중소기업"), or a business noun "in/based in" a place.
_KO_BUSINESS_NOUN = r"(?:회사|기업|중소기업|스타트업|벤처|공장|업체|가게|법인|사무실|작업장|공방)"
_SEOUL_PLACES_KO = ("서울", *SEOUL_DISTRICTS, "성수", "여의도", "가산", "마곡", "홍대", "을지로", "동대문", "구로디지털단지")
_SEOUL_PLACES_EN = ("seoul", *EN_DISTRICTS, "seongsu", "yeouido", "gasan", "magok", "hongdae", "euljiro")
_KO_BUSINESS_PLACE = re.compile(
    rf"(?<![가-힣])(?P<place>{alternation((*_SEOUL_PLACES_KO, *KO_REGIONS))})(?:특별시|광역시|시|도|구|동)?"
    rf"(?:\s+[가-힣]+(?:구|동))?\s*(?:에\s*있는|에\s*위치한|소재(?:의)?|에서\s*(?:하는|운영하는|운영\s*중인))"
    rf"\s*[^.?!]{{0,25}}?{_KO_BUSINESS_NOUN}"
)
# "저희는 AI 스타트업이고 서울 강남에 있어요": the business first, owned ("저희/우리"), then its place
_KO_OWN_BUSINESS_PLACE = re.compile(
    rf"(?:저희|우리)\s*(?:는|도)?\s*[^.?!]{{0,20}}?{_KO_BUSINESS_NOUN}(?:은|는|이|가|이고|인데|이며|예요|이에요)?"
    rf"[\s,]*[^.?!]{{0,10}}?(?<![가-힣])(?P<place>{alternation((*_SEOUL_PLACES_KO, *KO_REGIONS))})(?:특별시|광역시|시|도|구|동)?"
    r"(?:\s+[가-힣]+(?:구|동))?\s*(?:에\s*있|에\s*위치|소재)"
)
_EN_BUSINESS_PLACE = re.compile(
    r"\b(?:company|business|startup|start-up|firm|factory|workshop|shop|office|sme)s?\b[^.?!]{0,30}?"
    rf"\b(?:based\s+in|located\s+in|in)\s+(?P<place>{alternation((*_SEOUL_PLACES_EN, *EN_REGIONS))})(?:-?(?:gu|dong))?\b",
    re.I,
)

# "We're a Seoul SME", "our Gangnam-based startup": the place before the business noun, only after
# words that make the business the asker's own; a facility's name after it ("our Seoul Startup
# Hub tenancy") is skipped by _or_name
_EN_PLACE_BUSINESS = re.compile(
    r"\b(?:we(?:'re|\s+are)|i\s+(?:run|own|have)|i(?:'m|\s+am)\s+running|our|my)\s+(?:(?:a|an|small|little|tiny|young)\s+)*"
    rf"(?P<place>{alternation((*_SEOUL_PLACES_EN, *EN_REGIONS))})(?:-?(?:gu|dong))?(?:-based|\s+based)?\s+(?:[a-z-]+\s+){{0,2}}?"
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
    rf"(?P<ind>{alternation(w.upper() if w in _KO_LATIN_INDUSTRY else w for w in _KO_INDUSTRY_WORDS)})"
    r"(?!\s*(?:랩|허브|아카데미|펀드|클러스터|센터|캠퍼스|축제|페스티벌|위크))"
    r"\s*(?:관련\s*|쪽\s*)?(?:스타트업|벤처\s*기업|벤처|기업|회사|개발사|제작사|공장|업체|공방|가게|사업|집|소|샵|업)"
    r"(?:\s*\([^()]{0,20}\))?"                       # "AI 벤처기업(직원 15명)입니다"
    r"\s*(?:을|를|이고|인데|이에요|예요|입니다|해요|하는데|운영|차렸|하고|해서)"
)
_EN_INDUSTRY_WORD = rf"(?:(?:small|little|tiny|new|young|\d+-year-old|\d+-person|family|local|foreign|[a-z]+-(?:invested|backed|based|stage|owned|run))\s+)*(?P<ind>{alternation(w for w in _INDUSTRY_OF if _LATIN.fullmatch(w) and w != 'it')})s?(?:\s+[a-z]+-[a-z]+)?"
_EN_INDUSTRY = re.compile(
    rf"\b(?:i|we)\s+(?:run|own|have|operate|started|opened)\s+(?:an?\s+|our\s+|my\s+)?{_EN_INDUSTRY_WORD}\b"
    rf"|\b(?:i|we)\s*(?:'re|'m|\s+am|\s+are)\s+an?\s+{_EN_INDUSTRY_WORD.replace('?P<ind>', '?P<ind2>')}\s+"
    r"(?:startup|start-up|company|business|firm|shop|factory|workshop|studio|maker|manufacturer)\b",
    re.I,
)


def _en_rule_only(text: str, m: re.Match) -> bool:
    """A rule's words around it ("is it only for biotech?"); "a biotech startup" is the asker's."""
    return bool(EN_RULE_BEFORE.search(text_before(text, m)) or EN_RULE_AFTER.match(text_after(text, m)))


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
    return lambda text, m: check(text, m) or bool(_KO_WORKS_THERE.match(text_after(text, m))
                                                  or _EN_WORKS_AT.search(text_before(text, m)))


# "Seoul Startup Hub", "스타트업 허브", "SME fund": a size word in a facility's or a scheme's name
_NAME_AFTER = re.compile(r"^[\s-]*(?:hubs?|cent(?:er|re)s?|campus|labs?|funds?|programs?|programmes?|academy|"
                         r"festival|week|plaza|허브|센터|캠퍼스|펀드)\b", re.I)


def _or_name(check: Check) -> Check:
    """``check``, and also skip a size word that names a facility or a scheme, not the asker's business."""
    return lambda text, m: check(text, m) or bool(_NAME_AFTER.match(text_after(text, m)))


def business_findings(text: str) -> list[Finding]:
    found = [
        *scan(text, _KO_BUSINESS_PLACE, "business.in_seoul", _in_seoul, _employer(ko_rule)),
        *scan(text, _EN_BUSINESS_PLACE, "business.in_seoul", _in_seoul, _employer(en_rule)),
        *scan(text, _EN_PLACE_BUSINESS, "business.in_seoul", _in_seoul, _or_name(_employer(en_rule))),
        *scan(text, _KO_OWN_BUSINESS_PLACE, "business.in_seoul", _in_seoul, _employer(ko_rule)),
        *scan(text, _KO_FOUNDED, "business.years_since_founding", _founded, ko_bound),
        *scan(text, _EN_FOUNDED, "business.years_since_founding", _founded, en_bound),
        *scan(text, _KO_INDUSTRY, "business.industry", _industry, _employer(ko_rule)),
        *scan(text, _EN_INDUSTRY, "business.industry", _industry, _employer(_en_rule_only)),
        *scan(text, _KO_CERTIFIED, "business.certified", not_negated, ko_rule),
        *scan(text, _EN_CERTIFIED, "business.certified", not_negated, en_rule),
        *scan(text, _KO_OWNS, "business", constant(True), ko_rule),
        *scan(text, _EN_OWNS, "business", constant(True), en_rule),
    ]
    for size, (ko, en) in _SIZE_RES.items():
        found += scan(text, ko, "business.size", constant(size), _or_name(_employer(ko_rule_or_topic)))
        found += scan(text, en, "business.size", constant(size), _or_name(_employer(en_rule)))
    return found
