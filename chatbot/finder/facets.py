"""Question facets: what kind of fact a question wants (a date, a place, an amount, a count, a
rate, a duration, who may join) and which passages and lines state that kind of fact. A passage that
carries the wanted kind of fact gets a small boost over its neighbours in the same program, which
is where most first-place misses were (measured on the dev set: Korean hit@1 0.62 → 0.70, English
hit@5 0.93 → 0.97; rate and duration, split from count and date later: README, Measurements).
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np

# facet: (question words in Korean or English, what such a fact looks like in the report)
FACETS: dict[str, tuple[str, str]] = {
    "when": (r"언제|몇\s*월|며칠(?!\s*(동안|간))|일정|시작|개관|오픈|시기|날짜|(?:모집|신청|접수|공모)\s*기간"
             r"|\b(?:when|what month|what date|what day|start(?:s|ed|ing)?|open(?:s|ed|ing)?|deadlines?|schedules?|timeline|dates?|how soon)\b",
             r"’\d{2}\.?\s*\d{1,2}|\d{1,2}\s*월|\d{1,2}\s*~\s*\d{1,2}\s*월|상반기|하반기|\d{4}\.\s*\d"),
    "where": (r"어디|위치|어느\s*(동네|구|곳)|\b(?:where|located|location|address)\b",
              r"위\s*치|일대|소재|[가-힣]+구\b|[가-힣]+동\b"),
    "money": (r"얼마(?!\s*동안)(?!나)|얼마나\s*(?:받|줘|주|나와|나오|들|지원|드|써)|금액|비용|예산|돈|시급|일당|월급|지원금|\b(?:how much|costs?|pay|paid|budgets?|fees?|wages?|salar(?:y|ies)|fund(?:s|ed|ing)?)\b",
              r"\d[\d,]*\s*(원|백만원|억|만원|천원)|[\d,]+억"),
    "count": (r"몇\s*(명|개|군데|곳|번|회|팀|개사|개소)|\b(?:how many|number of)\b",
              r"\d[\d,]*\s*(명|개소|개사|개|회|팀|건|곳)"),
    "rate": (r"몇\s*(프로|퍼|%)|퍼센트|비율|[가-힣][율률]\b|\b(?:what percent|what share|rates?|ratio)\b",
             r"\d+(\.\d+)?\s*%"),
    "duration": (r"며칠\s*(동안|간)|몇\s*(박|달|개월|주|년\s*동안)|(?<!모집)(?<!신청)(?<!접수)(?<!공모)(?<!모집\s)(?<!신청\s)"
                 r"(?<!접수\s)(?<!공모\s)기간|얼마\s*동안|\b(?:how long|how many (?:days|months|weeks))\b",
                 r"\d+\s*박\s*\d+\s*일|\d+\s*개월|\d+\s*주간|\d+\s*일간|\d+\s*년간"),
    "who": (r"누가|누구|대상|자격|나이|몇\s*살|신청할 수|\b(?:who|eligible|eligibility|ages?|aged|qualif\w*|can i)\b",
            r"대\s*상|만\s*\d+세|\d+세|이상|이하|자격"),
}
# Details the report almost never states (a phone number, a web address, opening hours, the
# documents to bring, how to apply): asked about a program it describes, the honest answer is
# "the report does not say" with the program's overview (status ``partial``). Not reranker facets.
DETAILS: dict[str, tuple[str, str]] = {
    "contact": (r"전화|연락처|번호(?!표)|문의처|상담\s*번호|이메일|(?:어느|어떤)\s*(?:과|부서|곳)에\s*(?:연락|문의)"
                r"|\b(?:phone|call|contact|e-?mail)\b|\bwho\s+(?:do|should|can)\s+i\s+(?:call|contact|ask)\b"
                r"|电话|電話|联系方式|聯絡|連絡先|問い合わせ先|số điện thoại|liên hệ|teléfono",
                r"\d{2,4}\s*[-)]\s*\d{3,4}\s*-\s*\d{4}|☎|전화"),
    "web": (r"홈페이지|사이트|웹\s*사이트|링크|온라인\s*(?:으로\s*)?(?:예약|신청|접수)|\burl\b|website|web\s*site|web address|\blink\b"
            r"|\b(?:book|apply|register|sign\s+up|reserve|see|find|check)\b[^.?!]{0,60}\bonline\b"
            r"|网址|网站|官网|網址|サイト|ホームページ|ウェブ|trang web|sitio web|página web",
            r"https?://|www\.|\.kr\b|\.com\b"),       # "홈페이지 상시 정비" names a website, gives no address
    "address": (r"(?<!홈페이지\s)(?<!홈페이지)(?<!사이트\s)(?<!사이트)(?<!웹\s)(?<!웹)주소(?!창)|몇\s*층|찾아가|오시는\s*길|몇\s*번\s*출구|지하철\s*역|가까운\s*역|address|which floor|how (do i|to) get there|(?:subway|metro)\s+(?:station|exit)|nearest (?:station|exit|subway)"
                r"|地址|住所|最寄り駅|最寄駅|地铁站|地鐵站|địa chỉ|dirección",
                r"[가-힣]+[구군]\s+[가-힣\d]+(?:대로|로|길)\s*\d+|\d+\s*층|번\s*출구"),
    "hours": (r"몇\s*시|운영\s*시간|영업\s*시간|이용\s*시간|주말에도|공휴일|휴관"
              r"|[월화수목금토일]요일에\s*(?:도\s*)?(?:문|열|운영|휴)|\b(?:opening hours|open on|closed on|what time|hours)\b"
              r"|开放时间|营业时间|開放時間|開館時間|営業時間|何時から|几点|幾點|giờ mở cửa|mấy giờ|horario",
              r"\d{1,2}\s*:\s*\d{2}|\d{1,2}\s*시\s*(?:부터|~|-)|평일|주말"),
    "documents": (r"서류|준비물|구비|제출|필요한\s*(?:거|것)|양식|서식|신청서|사업계획서|증빙|챙겨\s*(?:가|와)|가져\s*(?:가|와)야|지참"
                  r"|\b(?:documents?|paperwork|what (?:do i|should i) bring|forms?|application form)\b"
                  r"|材料|资料|文件|書類|hồ sơ|giấy tờ|documentos",
                  r"서류|제출|증명서|사본|양식|서식"),
    "fee": (r"입장료|이용료|참가비|수강료|수업료|교재비|수강비|교육비|등록금|재료비|요금|관람료|대여료|임대료|임차료|분양가|대관료"
            r"|(?:돈|비용)\s*(?:내|들)|\brent(?:al)?\b[^.!]{0,50}\bhow much\b|\bhow much\b[^.!]{0,50}\brent"
            r"|가격|입장권|티켓|\b(?:fees?|prices?|admission|tickets?|tuition|how much does .* cost|do i (?:have|need) to pay)\b"
            r"|费用|費用|多少钱|多少錢|料金|いくら|bao nhiêu tiền|học phí|costo|precio",
            r"\d[\d,]*\s*원|무료|무상|유료"),            # a price, not a budget ("15,000백만원"); the report never says 가격
    "parking": (r"주차|\bpark(?:ing)?\s+(?:lot|space|spot|garage|available|there|nearby)|\bparking\b",
                r"주차"),
    "result": (r"(?:결과|발표|합격|선정\s*여부)\S*\s*(?:는|은)?\s*언제|며칠\s*(?:만에|걸려|걸리)"
               r"|\bwhen\s+will\s+(?:i|we)\s+(?:know|hear|find\s+out|be\s+told)\b"
               r"|\bhow\s+long\s+(?:does|will)\s+(?:it\s+take\s+to\s+(?:get\s+)?(?:approved|selected|accepted|processed)"
               r"|(?:the\s+)?(?:approval|review|selection|screening)\s+take)",
               r"발표|통보|결과\s*(?:안내|공지)|소요|처리\s*기간"),
    "exact_date": (r"정확한?\s*(?:날짜|일자|날|일정)|정확히\s*(?:언제|며칠|몇\s*일)|며칠\s*(?:에|부터|까지)|몇\s*일\s*(?:에|부터|까지)"
                   r"|마감일|마감\s*날짜|exact(?:\s+\w+)?\s+(?:date|deadline|day)|which day|what day",
                   # a day, not a footnote mark after a month ("서울콘 : ’24.12~’25.1. 2) OSMU")
                   r"\d{1,2}\s*월\s*\d{1,2}\s*일|[’']\d{2}\s*\.\s*\d{1,2}\s*\.\s*\d{1,2}(?![\d)])|\d{1,2}\s*\.\s*\d{1,2}\s*\.?\s*\([월화수목금토일]"),
    "apply": (r"어떻게\s*신청|신청\s*(?:방법|하는\s*법|어디|은\s*어디|은\s*어떻게)|어디서\s*신청|접수\s*(?:방법|처)"
              r"|신청\S*\s*어디\s*(?:가서|로\s*가|에\s*가)"
              r"|예약\s*(?:은|을)?\s*(?:어떻게|어디서)|앱으로|어플로"
              r"|how (do|can) i apply|how to apply|where (do|can) i apply|how (?:do|can) i (?:book|reserve)"
              r"|怎么申请|怎麼申請|如何申请|申请方法|報名|报名|申し込み方法|申込方法|どうやって申し込|cách đăng ký|đăng ký ở đâu|cómo solicitar",
              r"신청|접수|모집|공모|선발|선정|참여"),
}

_QUESTION = {name: re.compile(words, re.IGNORECASE) for name, (words, _) in FACETS.items()}
_FACT = {name: re.compile(shape) for name, (_, shape) in FACETS.items()}
_DETAIL_QUESTION = {name: re.compile(words, re.IGNORECASE) for name, (words, _) in DETAILS.items()}
_DETAIL_FACT = {name: re.compile(shape, re.IGNORECASE) for name, (_, shape) in DETAILS.items()}


def question_facets(question: str) -> list[str]:
    return [name for name, pattern in _QUESTION.items() if pattern.search(question)]


def question_details(question: str) -> list[str]:
    """The details (DETAILS) a question asks for."""
    return [name for name, pattern in _DETAIL_QUESTION.items() if pattern.search(question)]


def states(kind: str, text: str) -> bool:
    """Does ``text`` state a fact of this facet or detail kind?"""
    pattern = _FACT.get(kind) or _DETAIL_FACT.get(kind)
    return bool(pattern and pattern.search(text))


def passage_facets(texts: Iterable[str]) -> dict[str, np.ndarray]:
    """For each facet, a 0/1 vector: does the passage state that kind of fact?"""
    texts = list(texts)
    return {name: np.array([bool(pattern.search(t)) for t in texts], dtype=np.float32)
            for name, pattern in _FACT.items()}
