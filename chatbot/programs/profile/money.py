"""Income as a share of the median, household assets and a business's sales, each a range with
its bound words ("80% 이하", "at least 5억")."""
from __future__ import annotations

import re
from collections.abc import Iterable

from chatbot.programs.profile.context import Finding, Span, en_bound, ko_rule, scan


# Household assets have no natural ceiling; "재산 5억 이상" becomes [5억, this].
ASSETS_CEILING = 10**15
INCOME_CEILING = 1000.0


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


def money_findings(text: str) -> list[Finding]:
    return [
        *scan(text, _KO_INCOME, "income_pct_of_median", _income, ko_rule),
        *scan(text, _EN_INCOME, "income_pct_of_median", _income, en_bound),
        *scan(text, _KO_ASSETS, "household_assets_krw", _ko_won, ko_rule),
        *scan(text, _EN_ASSETS, "household_assets_krw", _en_won, en_bound),
        *scan(text, _KO_SALES, "business.annual_sales_krw", _ko_sales, ko_rule),
        *scan(text, _EN_SALES, "business.annual_sales_krw", _en_sales, en_bound),
    ]
