"""The eligibility verdict in words, Korean and English: who the question says the asker is
("서울에 사는 만 25세는", "Someone aged 25 who does not live in Seoul"), the verdict with the clause
that decides it, and what is missing or left to the reader. Like wording.py, every sentence is a
template filled with catalog fields, the report's clauses and the facts the question stated.
"""
from __future__ import annotations

from chatbot.finder.answer.wording import has_batchim
from chatbot.programs.catalog import Program
from chatbot.programs.criteria import Clause, krw_ko
from chatbot.programs.eligibility import CriterionResult, ProgramVerdict
from chatbot.programs.facts import NO_BUSINESS_STATUSES, Facts
from chatbot.programs.fields import INDUSTRIES, STATED_CONDITIONS

# ── Korean particles, numbers, the report's clauses quoted ───────────────────────────────────

def _topic(word: str) -> str:
    return word + ("은" if has_batchim(word) else "는")


def _fmt_num(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,}"


def _quote(clause: Clause, lang: str) -> str:
    line = clause.lines[0]
    return f"“{clause.text}” ({line}행)" if lang == "ko" else f"“{clause.text}” (line {line})"


def _quotes(clauses: list[Clause], lang: str) -> str:
    unique = list({(c.text, c.lines): c for c in clauses}.values())[:3]
    return ", ".join(_quote(c, lang) for c in unique)


def _says(clauses: list[Clause], lang: str) -> str:
    return f"보고서에 {_quotes(clauses, lang)}" if lang == "ko" else f"the report says {_quotes(clauses, lang)}"


# ── describing the person from the facts the question stated ──────────────────────────────────

_STATUS_KO = {"unemployed": "실업자", "employed": "재직자", "day_laborer": "일용근로자", "student": "학생",
              "self_employed": "자영업자", "business_owner": "사업주", "retired": "은퇴자"}
_STATUS_EN = {"unemployed": "is unemployed", "employed": "is employed", "day_laborer": "is a day laborer",
              "student": "is a student", "self_employed": "is self-employed",
              "business_owner": "is a business owner", "retired": "is retired"}
_SIZE = {"sme": ("중소기업", "an SME"), "startup": ("스타트업", "a startup"), "large": ("대기업", "a large company")}
_CEILINGS = (1000.0, 10**15)


_SPAN_WORDS = {"ko": ("{} 이하", "{} 이상", "{}~{}"), "en": ("at most {}", "at least {}", "{} to {}")}


def _span(lo: float, hi: float, show, lang: str) -> str:
    """A stated value or range in words: "80% 이하", "at least ₩100,000,000", "36~39"."""
    at_most, at_least, between = _SPAN_WORDS[lang]
    if lo == hi:
        return show(lo)
    if lo <= 0:
        return at_most.format(show(hi))
    if hi in _CEILINGS:
        return at_least.format(show(lo))
    return between.format(show(lo), show(hi))


_ORDER = ["age", "resident_of_seoul", "is_foreign_student", "employment_status", "business", "business.size",
          "business.years_since_founding", "business.industry", "business.in_seoul", "business.certified", "income_pct_of_median",
          "household_assets_krw", "business.annual_sales_krw", "times_used", "no_shows", *STATED_CONDITIONS]


def _describe_fact(name: str, facts: Facts, lang: str) -> tuple[str, str] | None:
    """The person's stated value of one criterion field as ``(role, words)``.

    Korean roles: ``age`` ("만 40세"), ``head`` (a noun for the person: "실업자") or ``mod`` (a
    modifier before it: "서울에 사는"). English roles: ``age`` ("aged 40") or ``mod`` ("who …").
    """
    ko = lang == "ko"
    if name.startswith("business"):
        owns = facts.owns_business()
        if owns is False:
            if facts.has_business is None and facts.employment_status in NO_BUSINESS_STATUSES:
                return _describe_fact("employment_status", facts, lang)   # the status is why
            return ("mod", "사업체가 없는") if ko else ("mod", "who does not run a business")
        if name == "business":
            return (("mod", "사업체를 운영하는") if ko else ("mod", "who runs a business")) if owns else None
    span = facts.span(name)
    if span is None:
        return None
    lo, hi = span
    if name in STATED_CONDITIONS:
        condition = STATED_CONDITIONS[name]
        return "mod", (condition.person_yes if lo else condition.person_no)[0 if ko else 1]
    if name == "age":
        if ko:
            return "age", (f"만 {lo}세" if lo == hi else f"만 {lo}~{hi}세")
        return "age", (f"aged {lo}" if lo == hi else f"aged {lo} to {hi}")
    if name == "employment_status":
        return ("head", _STATUS_KO[lo]) if ko else ("mod", f"who {_STATUS_EN[lo]}")
    if ko:
        words = {
            "resident_of_seoul": lambda: "서울에 사는" if lo else "서울에 살지 않는",
            "is_foreign_student": lambda: "외국인 유학생인" if lo else "외국인 유학생이 아닌",
            "income_pct_of_median": lambda: f"소득이 기준중위소득 {_span(lo, hi, lambda v: _fmt_num(v) + '%', 'ko')}인",
            "household_assets_krw": lambda: f"가구 재산이 {_span(lo, hi, krw_ko, 'ko')}인",
            "business.size": lambda: f"{_SIZE[lo][0]}을 운영하는",
            "business.years_since_founding": lambda: f"창업한 지 {lo}년 된 사업체를 운영하는",
            "business.annual_sales_krw": lambda: f"연 매출이 {_span(lo, hi, krw_ko, 'ko')}인 사업체를 운영하는",
            "business.industry": lambda: f"{_industry_name(lo, 'ko')} 업종 사업체를 운영하는",
            "times_used": lambda: f"이미 {lo}회 이용·참여한",
            "no_shows": lambda: f"예약하고 {lo}회 오지 않은",
            "business.in_seoul": lambda: "서울에 있는 사업체를 운영하는" if lo else "서울 밖에 있는 사업체를 운영하는",
            "business.certified": lambda: "공공기관 인증을 받은 사업체를 운영하는" if lo else "공공기관 인증이 없는 사업체를 운영하는",
        }
    else:
        words = {
            "resident_of_seoul": lambda: "who lives in Seoul" if lo else "who does not live in Seoul",
            "is_foreign_student": lambda: "who is a foreign student" if lo else "who is not a foreign student",
            "income_pct_of_median": lambda:
                f"whose household income is {_span(lo, hi, lambda v: _fmt_num(v) + '%', 'en')} of the median income",
            "household_assets_krw": lambda:
                f"whose household assets are {_span(lo, hi, lambda v: '₩' + _fmt_num(v), 'en')}",
            "business.size": lambda: f"whose business is {_SIZE[lo][1]}",
            "business.years_since_founding": lambda: f"whose business was founded {lo} years ago",
            "business.annual_sales_krw": lambda:
                f"whose business's annual sales are {_span(lo, hi, lambda v: '₩' + _fmt_num(v), 'en')}",
            "business.industry": lambda: f"whose business is in {_industry_name(lo, 'en')}",
            "times_used": lambda: f"who already used or joined it {lo} time{'s' if lo != 1 else ''}",
            "no_shows": lambda: f"who missed {lo} booking{'s' if lo != 1 else ''}",
            "business.in_seoul": lambda: "whose business is in Seoul" if lo else "whose business is outside Seoul",
            "business.certified": lambda: ("whose business holds a public agency certification" if lo
                                           else "whose business holds no public agency certification"),
        }
    return ("mod", words[name]()) if name in words else None


def _person(fields: list[str], facts: Facts, lang: str) -> str | None:
    """"서울에 살지 않는 만 25세는" / "Someone aged 25 who does not live in Seoul"; None if nothing fits."""
    roles: dict[str, list[str]] = {"age": [], "head": [], "mod": []}
    names = sorted(set(fields), key=lambda f: _ORDER.index(f) if f in _ORDER else len(_ORDER))
    business = [n for n in names if n.startswith("business")]
    if business and facts.owns_business():
        # one business, said once: "서울에 있는 공공기관 인증 중소기업을 운영하는", not four clauses
        roles["mod"].append(_business_words(business, facts, lang))
        names = [n for n in names if n not in business]
    for name in names:
        found = _describe_fact(name, facts, lang)
        if found and found[1] not in roles[found[0]]:
            roles[found[0]].append(found[1])
    if not any(roles.values()):
        return None
    if lang == "ko":
        head = " ".join(roles["age"] + roles["head"]) or "분"
        return _topic(", ".join(roles["mod"]) + (" " if roles["mod"] else "") + head)
    return " ".join(["Someone", *roles["age"], " and ".join(roles["mod"])]).strip()


def _industry_name(slug: str, lang: str) -> str:
    return INDUSTRIES.get(slug, (slug, slug))[0 if lang == "ko" else 1]


# A business's stated details in words, in the order they are said (Korean before the noun,
# English after "who runs an SME").
_BUSINESS_DETAILS = {
    "ko": (("business.in_seoul", lambda v, _: "서울에 있는" if v else "서울 밖에 있는"),
           ("business.certified", lambda v, _: "공공기관 인증" if v else "공공기관 인증이 없는"),
           ("business.years_since_founding", lambda v, _: f"창업한 지 {v}년 된"),
           ("business.annual_sales_krw", lambda lo, hi: f"연 매출 {_span(lo, hi, krw_ko, 'ko')}인"),
           ("business.industry", lambda v, _: f"{_industry_name(v, 'ko')} 업종")),
    "en": (("business.in_seoul", lambda v, _: "in Seoul" if v else "outside Seoul"),
           ("business.industry", lambda v, _: f"in {_industry_name(v, 'en')}"),
           ("business.years_since_founding", lambda v, _: f"founded {v} years ago"),
           ("business.annual_sales_krw", lambda lo, hi: f"with annual sales of {_span(lo, hi, lambda v: '₩' + _fmt_num(v), 'en')}"),
           ("business.certified", lambda v, _: "holding a public agency certification" if v
            else "holding no public agency certification")),
}


def _business_words(names: list[str], facts: Facts, lang: str) -> str:
    """The business a person runs, with each stated detail among ``names`` once:
    "서울에 있는 공공기관 인증 창업 3년 차 중소기업을 운영하는" / "who runs an SME in Seoul, …"."""
    spans = {n: facts.span(n) for n in names if n != "business" and facts.span(n) is not None}
    size = spans["business.size"][0] if "business.size" in spans else None
    words = [say(*spans[n]) for n, say in _BUSINESS_DETAILS["ko" if lang == "ko" else "en"] if n in spans]
    if lang == "ko":
        noun = _SIZE[size][0] if size else "사업체"
        return " ".join([*words, noun + ("을" if has_batchim(noun) else "를"), "운영하는"])
    head = f"who runs {_SIZE[size][1] if size else 'a business'}"
    return ", ".join([" ".join([head, *words[:1]]), *words[1:]])


# ── eligibility ────────────────────────────────────────────────────────────────────────────────

_MISSING_KO = {
    "age": "나이", "resident_of_seoul": "서울 거주 여부", "employment_status": "취업 상태",
    "income_pct_of_median": "기준중위소득 대비 소득", "household_assets_krw": "가구 재산",
    "is_foreign_student": "외국인 유학생 여부", "business": "사업체 운영 여부", "business.size": "기업 규모",
    "business.years_since_founding": "창업 경과연수", "business.industry": "업종", "times_used": "이용·참여 횟수",
    "business.in_seoul": "사업체 소재지", "no_shows": "노쇼 횟수", "business.certified": "공공기관 인증 여부",
    "business.annual_sales_krw": "연 매출",
    **{name: c.missing[0] for name, c in STATED_CONDITIONS.items()},
}
_MISSING_EN = {
    "age": "your age", "resident_of_seoul": "whether you live in Seoul", "employment_status": "your employment status",
    "income_pct_of_median": "your household income as a share of the median income",
    "household_assets_krw": "your household assets", "is_foreign_student": "whether you are a foreign student",
    "business": "whether you run a business", "business.size": "the size of your business",
    "business.years_since_founding": "how long ago your business was founded",
    "business.industry": "your business's industry", "times_used": "how often you already used or joined it",
    "business.in_seoul": "where your business is located", "no_shows": "how many bookings you missed",
    "business.certified": "whether your business holds a public agency certification",
    "business.annual_sales_krw": "your business's annual sales",
    **{name: c.missing[1] for name, c in STATED_CONDITIONS.items()},
}
_STATUS_WORD = {"met": ("충족", "met"), "unmet": ("미충족", "not met")}


def _missing_words(missing: list[str], facts: Facts, lang: str) -> str:
    words = []
    for name in missing:
        stated_range = (name in ("age", "income_pct_of_median", "household_assets_krw", "business.annual_sales_krw")
                        and facts.span(name) is not None)
        if lang == "ko":
            words.append(("정확한 " if stated_range else "") + _MISSING_KO.get(name, name))
        else:
            word = _MISSING_EN.get(name, name)
            words.append(word.replace("your ", "your exact ", 1) if stated_range else word)
    if lang == "ko":
        return ", ".join(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _results(verdict: ProgramVerdict, status: str) -> list[CriterionResult]:
    """The criteria in this status that the answer speaks of: a part's conditions only when the
    question names the part (the JSON lists them all)."""
    return [r for r in verdict.criteria
            if r.status == status and (r.part is None or r.part_named) and not r.answered_elsewhere]


def eligibility_sentences(program: Program, verdict: ProgramVerdict, facts: Facts, lang: str) -> list[str]:
    """The verdict sentence (verdict + deciding clause), then at most one more: the conditions
    stated only in words that a positive or open verdict leaves to the reader, or, for an open
    verdict, the conditions already checked, or a cap on repeated use. No clause is quoted twice."""
    ko = lang == "ko"
    name = program.name.get(lang)
    part = next((r.part for r in verdict.criteria if r.part_named), None)     # "엔젤펀드": the part asked about
    title = f"「{name}」 {part}" if ko and part else f"「{name}」"
    name = f"{name} ({part})" if part and not ko else name
    unmet, met, unknown, shown = (_results(verdict, s) for s in ("unmet", "met", "unknown", "info"))
    limits = [r for r in shown if r.note]          # caps not reached; how applicants are chosen
    info = [r for r in shown if not r.note]        # stated only in words
    out: list[str] = []
    if verdict.verdict in ("ineligible", "eligible"):
        deciding = unmet if verdict.verdict == "ineligible" else met
        who = _person([r.decided_by for r in deciding if r.decided_by], facts, lang)
        says = _says([r.clause for r in deciding], lang)
        if ko:
            outcome = "대상이 아닙니다" if verdict.verdict == "ineligible" else "대상에 해당합니다"
            out.append(f"{who or '말씀하신 조건으로는'} {title} {outcome}: {says}.")
        else:
            outcome = "not eligible" if verdict.verdict == "ineligible" else "eligible"
            out.append(f"{who or 'From what you said, you are'} {'is ' if who else ''}{outcome} for {name}: {says}.")
    elif verdict.missing:
        words = _missing_words(verdict.missing, facts, lang)
        clauses = [r.clause for r in unknown]
        if ko:
            out.append(f"{title} 대상인지 판단하려면 {words} 정보가 더 필요합니다: {_says(clauses, lang)}.")
        else:
            out.append(f"Whether you can join {name} depends on {words}, which the question does not settle: "
                       f"{_says(clauses, lang)}.")
    elif info and met:
        fresh = [r.clause for r in info if (r.clause.text, r.clause.lines) not in {(m.clause.text, m.clause.lines) for m in met}]
        rules = ", ".join(r.rule for r in met)      # "age 39 or under", "for businesses": a label, not a phrase
        if ko:
            out.append(f"{title}의 조건({rules})은 충족하지만, 보고서에 말로만 적힌 조건은 직접 확인하세요: "
                       f"{_says(fresh or [r.clause for r in info], lang)}.")
        else:
            out.append(f"You meet {name}'s stated condition{'s' if len(met) > 1 else ''} ({rules}), but check the "
                       f"conditions the report states only in words: {_says(fresh or [r.clause for r in info], lang)}.")
        return out
    elif info:
        if ko:
            out.append(f"{title} 대상 여부는 보고서에 말로만 적혀 있어 자동으로 판단하지 않습니다: "
                       f"{_says([r.clause for r in info], lang)}.")
        else:
            out.append(f"The report states who can join {name} only in words, so I do not decide it: "
                       f"{_says([r.clause for r in info], lang)}.")
        return out
    else:
        out.append(f"보고서에는 {title}의 참여 자격이 적혀 있지 않아 대상인지 판단할 수 없습니다." if ko else
                   f"The report states no eligibility conditions for {name}, so I cannot say whether you can join.")
        if limits:
            out.append(_limit_sentence(limits, lang))
        return out
    if info and verdict.verdict != "ineligible":
        # the one caveat a positive or open verdict needs: conditions stated only in words
        quoted = {(r.clause.text, r.clause.lines) for r in (met if verdict.verdict == "eligible" else unknown)}
        fresh = [r for r in info if (r.clause.text, r.clause.lines) not in quoted]
        if ko:
            tail = f": {_quotes([r.clause for r in fresh], lang)}" if fresh else ""
            which = "보고서의 다음 조건" if len(fresh) == len(info) else "인용한 문장의 나머지 조건"
            out.append(f"다만 {which}은 자동으로 판단하지 않으니 직접 확인하세요{tail}.")
        else:
            out.append("Not decided automatically, please check yourself: " + "; ".join(r.rule for r in info) + ".")
    elif limits and verdict.verdict != "ineligible":
        out.append(_limit_sentence(limits, lang))
    elif verdict.verdict == "unknown":
        decided = [r for r in verdict.criteria if r.status in ("met", "unmet")]
        if decided:
            items = [f"{r.rule} — {_STATUS_WORD[r.status][0 if ko else 1]}" for r in decided]
            out.append(("확인한 조건: " + ", ".join(items) + ".") if ko else
                       ("Conditions checked: " + "; ".join(items) + "."))
    return out


def _limit_sentence(limits: list, lang: str) -> str:
    """A cap the question did not say it reached (uses, no-shows) or how applicants are selected:
    shown, never deciding."""
    says = _says([r.clause for r in limits], lang)
    if all(r.selection for r in limits):
        return f"신청한 곳 가운데 선정은 심사로 정해집니다: {says}." if lang == "ko" else \
            f"Applicants who meet the conditions are then selected: {says}."
    return f"이용에는 제한이 있습니다: {says}." if lang == "ko" else f"Use is limited: {says}."
