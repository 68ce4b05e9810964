"""Eligibility and schedule answers inside /api/ask, built only from catalog data.

:class:`chatbot.answer.Answerer` calls :func:`augment` after retrieval. It adds up to two things,
each a lead sentence of the answer plus a JSON field:

``eligibility``
    when the question asks whether someone can join a program. The rule (tested both ways):

    - an *eligibility word* alone is enough ("자격", "대상이 되나요", "나이 제한", "eligible",
      "qualify", "who can join", "requirements", "open to me"); or
    - a *join word* ("가능", "신청", "들을 수", "할 수", "이용", "참여", "되나요", "can I", "can a",
      "join", "apply", "sign up", "use") together with at least one profile fact stated in the
      question (:func:`chatbot.profile_extract.extract`: age, residence, employment, income, …).

    A join word without a stated fact ("청년인턴 신청은 어디서 하나요?", "How do I apply?") is a
    how-to question and gets no verdict. The program is the first one the question names (the
    retriever's ``named_programs``, ranked by retrieval) or, when none is named, the top retrieved
    program if retrieval clearly points at it and the question names no other kind of benefit
    (:func:`target_program`); otherwise no verdict is given. The verdict comes from :func:`chatbot.eligibility.evaluate`
    on the facts of the question only, so it is ``eligible`` only when every decidable criterion is
    met by what the person said; a range ("30대 후반" = 36–39) decides only what the whole range
    decides.

``schedule``
    when the question asks *when* (언제, 일정, 기간, 시기, 몇 월, when, what date, schedule, …) and a
    catalog schedule entry fits: the named program's entries, or, when none is named, every
    program's entries, scored by shared words and by a few date topics (opening, recruitment,
    start, event, survey, construction). Dates are stated as the report's plan and compared with
    today's date: a past date is said to have passed, never presented as upcoming.

Every sentence is a template filled with catalog fields (names, readable rules, clauses with their
line numbers, ``when``) and the facts the question stated; nothing else is said.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from typing import Any

from .catalog import INDUSTRIES, Catalog, Clause, Program, ScheduleEntry, _krw_ko
from .eligibility import (
    NO_BUSINESS_STATUSES, CriterionResult, DateResult, Facts, ProgramVerdict, evaluate, schedule_status, when_span,
)
from .profile_extract import Extraction, extract

# ── is it an eligibility / schedule question? ─────────────────────────────────────────────────

ELIGIBILITY_WORDS = re.compile(
    r"자격|요건|(?:신청|참여|지원|이용|참가)\s*조건|(?:나이|연령)\s*(?:제한|조건|기준|요건)"
    r"|대상(?:이|은|는|자)?\s*(?:누구|어떻게|어떤|되|될|돼|인가|인지|일까|에\s*해당|이에요|예요|입니까|인가요)"
    r"|누가\s*(?:신청|참여|지원|이용|받|들을|들어|할)|해당(?:되|돼|하나|할까|하는지|될까)"
    r"|\beligib|\bqualif|\bwho\s+(?:can|may|is\s+allowed\s+to)\s+(?:join|apply|use|take|get|participate|enrol)"
    r"|\brequirements?\b|\bcriteria\b|\bage\s+limit\b|\bwho\s+is\s+it\s+for\b"
    r"|\bopen\s+to\s+(?:me|us|someone|people|anyone|a|an)\b|\bam\s+i\s+(?:eligible|allowed|able)\b",
    re.I,
)
JOIN_WORDS = re.compile(
    r"가능|신청|들을\s*수|들어갈\s*수|할\s*수|될\s*수|받을\s*수|빌릴\s*수|이용|참여|참가|지원해도|지원하면|지원할"
    r"|다닐\s*수|갈\s*수|수\s*있(?:나요|나|어요|어|을까|는지|습니까|니|지)"
    r"|되나요|될까요|되나|될까|되요|돼요|되는지|괜찮|입학|등록|가입"
    r"|\bcan\s+(?:i|we|a|an|someone|my|he|she|they|people)\b|\bcould\s+(?:i|we|a|an|someone)\b|\bmay\s+i\b"
    r"|\bam\s+i\s+(?:able|allowed)\b|\bjoin\b|\bapply\b|\bsign\s+up\b|\benrol+\b|\bregister\b"
    r"|\bparticipate\b|\btake\s+part\b|\buse\b|\ballowed\b",
    re.I,
)
WHEN_WORDS = re.compile(
    r"언제|일정|기간|시기|몇\s*월|며칠|날짜|개관일|오픈일"
    r"|\bwhen\b|\bwhat\s+(?:date|month|day|time)\b|\bschedule[sd]?\b|\btimeline\b|\bdates?\b|\bhow\s+soon\b",
    re.I,
)


def is_eligibility_question(question: str, extraction: Extraction | None = None) -> bool:
    """An eligibility word, or a join word plus a stated profile fact (module docstring)."""
    if ELIGIBILITY_WORDS.search(question):
        return True
    if not JOIN_WORDS.search(question):
        return False
    extraction = extraction or extract(question)
    return bool(extraction.understood)


def is_schedule_question(question: str) -> bool:
    return bool(WHEN_WORDS.search(question))


# ── JSON shapes shared with /api/match ─────────────────────────────────────────────────────────

def clause_json(clause: Clause) -> dict:
    return {"text": clause.text, "document": clause.document, "lines": list(clause.lines)}


def criterion_json(result: CriterionResult) -> dict:
    return {"field": result.field, "rule": result.rule, "status": result.status, "clause": clause_json(result.clause)}


def date_json(d: DateResult) -> dict:
    return {"what": d.what, "when": d.when, "start": d.start.isoformat(), "end": d.end.isoformat(),
            "status": d.status, "clause": clause_json(d.clause)}


# ── Korean helpers ─────────────────────────────────────────────────────────────────────────────

_DIGIT_BATCHIM = set("013678")


def _has_batchim(word: str) -> bool:
    last = word.rstrip()[-1:]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return last in _DIGIT_BATCHIM


def _topic(word: str) -> str:
    return word + ("은" if _has_batchim(word) else "는")


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
          "business.years_since_founding", "business.industry", "income_pct_of_median", "household_assets_krw"]


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
            "household_assets_krw": lambda: f"가구 재산이 {_span(lo, hi, _krw_ko, 'ko')}인",
            "business.size": lambda: f"{_SIZE[lo][0]}을 운영하는",
            "business.years_since_founding": lambda: f"창업 {lo}년 차 사업체를 운영하는",
            "business.industry": lambda: f"{INDUSTRIES.get(lo, (lo, lo))[0]} 업종 사업체를 운영하는",
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
            "business.industry": lambda: f"whose business is in {INDUSTRIES.get(lo, (lo, lo))[1]}",
        }
    return ("mod", words[name]()) if name in words else None


def _person(fields: list[str], facts: Facts, lang: str) -> str | None:
    """"서울에 살지 않는 만 25세는" / "Someone aged 25 who does not live in Seoul"; None if nothing fits."""
    roles: dict[str, list[str]] = {"age": [], "head": [], "mod": []}
    for name in sorted(set(fields), key=lambda f: _ORDER.index(f) if f in _ORDER else len(_ORDER)):
        found = _describe_fact(name, facts, lang)
        if found and found[1] not in roles[found[0]]:
            roles[found[0]].append(found[1])
    if not any(roles.values()):
        return None
    if lang == "ko":
        head = " ".join(roles["age"] + roles["head"]) or "분"
        return _topic(", ".join(roles["mod"]) + (" " if roles["mod"] else "") + head)
    return " ".join(["Someone", *roles["age"], " and ".join(roles["mod"])]).strip()


# ── eligibility ────────────────────────────────────────────────────────────────────────────────

_MISSING_KO = {
    "age": "나이", "resident_of_seoul": "서울 거주 여부", "employment_status": "취업 상태",
    "income_pct_of_median": "기준중위소득 대비 소득", "household_assets_krw": "가구 재산",
    "is_foreign_student": "외국인 유학생 여부", "business": "사업체 운영 여부", "business.size": "기업 규모",
    "business.years_since_founding": "창업 경과연수", "business.industry": "업종",
}
_MISSING_EN = {
    "age": "your age", "resident_of_seoul": "whether you live in Seoul", "employment_status": "your employment status",
    "income_pct_of_median": "your household income as a share of the median income",
    "household_assets_krw": "your household assets", "is_foreign_student": "whether you are a foreign student",
    "business": "whether you run a business", "business.size": "the size of your business",
    "business.years_since_founding": "how long ago your business was founded",
    "business.industry": "your business's industry",
}
_STATUS_WORD = {"met": ("충족", "met"), "unmet": ("미충족", "not met")}


def _missing_words(missing: list[str], facts: Facts, lang: str) -> str:
    words = []
    for name in missing:
        stated_range = name in ("age", "income_pct_of_median", "household_assets_krw") and facts.span(name) is not None
        if lang == "ko":
            words.append(("정확한 " if stated_range else "") + _MISSING_KO.get(name, name))
        else:
            word = _MISSING_EN.get(name, name)
            words.append(word.replace("your ", "your exact ", 1) if stated_range else word)
    if lang == "ko":
        return ", ".join(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _results(verdict: ProgramVerdict, status: str) -> list[CriterionResult]:
    return [r for r in verdict.criteria if r.status == status]


def eligibility_sentences(program: Program, verdict: ProgramVerdict, facts: Facts, lang: str) -> list[str]:
    """The verdict sentence (verdict + clause) first, then the checked and the undecided conditions."""
    ko = lang == "ko"
    name = program.name.ko if ko else program.name.en
    unmet, met, unknown, info = (_results(verdict, s) for s in ("unmet", "met", "unknown", "info"))
    out: list[str] = []
    if verdict.verdict in ("ineligible", "eligible"):
        deciding = unmet if verdict.verdict == "ineligible" else met
        who = _person([r.field for r in deciding], facts, lang)
        says = _says([r.clause for r in deciding], lang)
        if ko:
            outcome = "대상이 아닙니다" if verdict.verdict == "ineligible" else "대상에 해당합니다"
            out.append(f"{who or '말씀하신 조건으로는'} 「{name}」 {outcome}: {says}.")
        else:
            outcome = "not eligible" if verdict.verdict == "ineligible" else "eligible"
            out.append(f"{who or 'From what you said, you are'} {'is ' if who else ''}{outcome} for {name}: {says}.")
    elif verdict.missing:
        words = _missing_words(verdict.missing, facts, lang)
        clauses = [r.clause for r in unknown]
        if ko:
            out.append(f"「{name}」 대상인지 판단하려면 {words} 정보가 더 필요합니다: {_says(clauses, lang)}.")
        else:
            out.append(f"Whether you can join {name} depends on {words}, which the question does not settle: "
                       f"{_says(clauses, lang)}.")
    elif info:
        if ko:
            out.append(f"「{name}」 대상 여부는 보고서에 말로만 적혀 있어 자동으로 판단하지 않습니다: "
                       f"{_says([r.clause for r in info], lang)}.")
        else:
            out.append(f"The report states who can join {name} only in words, so I do not decide it: "
                       f"{_says([r.clause for r in info], lang)}.")
        return out
    else:
        out.append(f"보고서에는 「{name}」의 참여 자격이 적혀 있지 않아 대상인지 판단할 수 없습니다." if ko else
                   f"The report states no eligibility conditions for {name}, so I cannot say whether you can join.")
        return out
    decided = [r for r in verdict.criteria if r.status in ("met", "unmet")]
    if decided:
        items = [f"{r.rule} — {_STATUS_WORD[r.status][0 if ko else 1]}" for r in decided]
        out.append(("확인한 조건: " + ", ".join(items) + ".") if ko else ("Conditions checked: " + "; ".join(items) + "."))
    if info and verdict.verdict != "ineligible":
        quoted = {(r.clause.text, r.clause.lines) for r in (met if verdict.verdict == "eligible" else unknown)}
        if ko:
            fresh = [r for r in info if (r.clause.text, r.clause.lines) not in quoted]
            same = len(fresh) < len(info)          # some are in a sentence already quoted
            which = "인용한 문장의 나머지 조건" + ("과 다음 조건" if same and fresh else "") if same else "보고서의 다음 조건"
            tail = f": {_quotes([r.clause for r in fresh], lang)}" if fresh else ""
            out.append(f"다만 {which}은 자동으로 판단하지 않으니 직접 확인하세요{tail}.")
        else:
            out.append("Not decided automatically, please check yourself: " + "; ".join(r.rule for r in info) + ".")
    return out


def eligibility_json(program: Program, verdict: ProgramVerdict, extraction: Extraction, lang: str) -> dict:
    return {
        "program": {"id": program.id, "name": program.name.ko if lang == "ko" else program.name.en},
        "verdict": verdict.verdict,
        "criteria": [criterion_json(r) for r in verdict.criteria],
        "missing": list(verdict.missing),
        "understood": [
            {"field": f.field, "phrase": f.phrase, "value": list(f.value) if isinstance(f.value, tuple) else f.value}
            for f in extraction.understood
        ],
    }


# ── schedule ───────────────────────────────────────────────────────────────────────────────────

# Date topics: a question word and an entry word in the same group count as shared.
_TOPICS: dict[str, tuple[str, ...]] = {
    "open": ("개관", "개장", "개소", "개원", "오픈", "열", "열리", "조성", "문", "시범운영", "open", "opening", "opens",
             "opened", "launch", "campus", "new"),
    "recruit": ("모집", "신청", "접수", "선정", "공모", "recruit", "recruitment", "recruiting", "apply", "application",
                "applications", "selection", "call"),
    "start": ("시작", "개시", "시행", "운영", "착수", "start", "starts", "begin", "begins", "run", "runs"),
    "event": ("개최", "행사", "페스티벌", "축제", "박람회", "대회", "festival", "event", "fair", "held", "contest"),
    "survey": ("조사", "설문", "survey"),
    "build": ("준공", "공사", "착공", "건립", "construction", "built", "build", "completed", "complete"),
}
_TOPIC_OF = {w: t for t, words in _TOPICS.items() for w in words}
_STOP = {
    "언제", "일정", "기간", "시기", "몇", "월", "날짜", "며칠", "하", "되", "있", "것", "수", "어요", "요", "나요",
    "when", "does", "do", "did", "the", "a", "an", "is", "are", "was", "will", "what", "date", "month", "day", "time",
    "schedule", "of", "for", "to", "in", "it", "and", "be", "how", "soon", "dates", "seoul", "서울", "서울시",
}
_MONTHS = ("January February March April May June July August September October November December").split()
MAX_SCHEDULE = 3
TOPIC_WEIGHT = 100.0


def _stem(token: str) -> str:
    if token.isascii() and len(token) > 4:
        for suffix in ("ing", "ed", "es", "s"):
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                return token[: -len(suffix)]
    return token


def _when_text(when: str, lang: str) -> str:
    start, end = when_span(when)
    ko = lang == "ko"
    quarter = re.match(r"^(\d{4})-Q([1-4])$", when)
    if quarter:
        return f"{quarter[1]}년 {quarter[2]}분기" if ko else f"Q{quarter[2]} {quarter[1]}"
    first, _, last = when.partition("..")
    last = last or first

    def point(p: str, d: date, with_year: bool = True) -> str:
        day = len(p.split("-")) == 3
        if ko:
            return (f"{d.year}년 " if with_year else "") + f"{d.month}월" + (f" {d.day}일" if day else "")
        return (f"{d.day} " if day else "") + _MONTHS[d.month - 1] + (f" {d.year}" if with_year else "")

    if first == last:
        return point(first, start)
    same_year = start.year == end.year
    if ko:
        return f"{point(first, start)}~{point(last, end, with_year=not same_year)}"
    return f"{point(first, start, with_year=not same_year)} to {point(last, end)}"


@dataclass
class _Scored:
    program: Program
    entry: ScheduleEntry
    score: float
    shared_words: int


@lru_cache(maxsize=4096)
def _entry_tokens(tokenize, entry: ScheduleEntry) -> frozenset[str]:
    """Catalog entries are frozen (hashable), so each is tokenised once per process."""
    return frozenset(_stem(t) for t in tokenize(" ".join([entry.what.ko, entry.what.en, entry.clause.text])))


def _score_entries(question_tokens: set[str], programs: list[Program], tokenize, idf: dict[str, float],
                   prior: dict[str, float]) -> list[_Scored]:
    words = {t for t in question_tokens if t not in _STOP and t not in _TOPIC_OF}
    topics = {_TOPIC_OF[t] for t in question_tokens if t in _TOPIC_OF}
    default_idf = max(idf.values(), default=1.0) / 2 or 1.0
    scored = []
    for program in programs:
        for entry in program.schedule:
            tokens = _entry_tokens(tokenize, entry)
            shared = words & tokens
            entry_topics = {_TOPIC_OF[t] for t in tokens if t in _TOPIC_OF}
            # A shared date topic (opening, recruitment, …) outweighs any number of shared words.
            score = sum(idf.get(t, default_idf) for t in shared) + TOPIC_WEIGHT * len(topics & entry_topics)
            score += prior.get(program.id, 0.0)
            scored.append(_Scored(program, entry, score, len(shared)))
    return scored


def pick_schedule(question: str, named: list[str], catalog: Catalog, tokenize, idf: dict[str, float],
                  prior: dict[str, float]) -> list[tuple[Program, ScheduleEntry]]:
    """The entries that best fit the question (ties kept, at most MAX_SCHEDULE), date order.

    A named program with dated entries restricts the search to them; if none of its entries shares
    a word or a topic with the question, all of them are listed (the question asked "when" about
    that program). With no program named, an entry needs at least one shared content word.
    """
    tokens = {_stem(t) for t in tokenize(question)}
    candidates = [p for pid in named if (p := catalog.get(pid)) is not None and p.schedule]
    if candidates:
        candidates = candidates[:1]
        scored = _score_entries(tokens, candidates, tokenize, idf, {})
        best = max(s.score for s in scored)
        chosen = [s for s in scored if s.score == best] if best > 0 else scored
    else:
        scored = [s for s in _score_entries(tokens, list(catalog), tokenize, idf, prior) if s.shared_words]
        if not scored:
            return []
        best = max(s.score for s in scored)
        chosen = [s for s in scored if s.score >= best - 1e-9]
    chosen = sorted(chosen, key=lambda s: when_span(s.entry.when))[:MAX_SCHEDULE]
    return [(s.program, s.entry) for s in chosen]


def schedule_sentence(program: Program, entry: ScheduleEntry, status: str, edition: str, lang: str) -> str:
    name = program.name.ko if lang == "ko" else program.name.en
    line = entry.clause.lines[0]
    source = f"“{entry.clause.text}”, {line}행" if lang == "ko" else f"“{entry.clause.text}”, line {line}"
    when = _when_text(entry.when, lang)
    if lang == "ko":
        head = f"보고서의 {edition}년 계획상 「{name}」 ‘{entry.what.ko}’ 시기는 {when}({source})"
        if status == "past":
            return f"{head}이었으며, 이 날짜는 이미 지났습니다."
        if status == "ongoing":
            return f"{head}이며, 오늘은 그 기간에 속합니다."
        return f"{head}입니다."
    head = f"Under the {edition} report's plan, “{entry.what.en}” ({name})"
    if status == "past":
        return f"{head} was planned for {when} ({source}); that date has already passed."
    if status == "ongoing":
        return f"{head} is planned for {when} ({source}), which includes today."
    return f"{head} is planned for {when} ({source})."


def schedule_json(program: Program, entry: ScheduleEntry, status: str, edition: str, lang: str) -> dict:
    start, end = when_span(entry.when)
    return {
        "program": {"id": program.id, "name": program.name.ko if lang == "ko" else program.name.en},
        "what": entry.what.ko if lang == "ko" else entry.what.en,
        "when": entry.when, "start": start.isoformat(), "end": end.isoformat(),
        "status": status, "edition": edition,
        "clause": clause_json(entry.clause),
    }


# ── putting it together ────────────────────────────────────────────────────────────────────────

@dataclass
class Addition:
    sentences: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


# Words for benefits the catalog may not hold (national schemes, allowances, loans, housing …). An
# unnamed question using one is likely about a scheme outside the report, so the top retrieved
# program is not assumed to be the one meant (unless the program's own text uses the word).
OTHER_SCHEME = re.compile(
    r"[가-힣]*(?:제도|수당|지원금|급여|연금|대출|바우처|장려금|보조금|월세|전세|주거|주택|청약|보험)"
    r"|\b(?:subsid\w*|allowances?|loans?|pensions?|benefits?|vouchers?|housing|rent|insurance|unemployment)\b",
    re.I,
)
# Retrieval share the top program needs to be taken as the subject of an unnamed question.
MIN_UNNAMED_SHARE = 0.4


def _program_text(program: Program) -> str:
    parts = [program.name.ko, program.name.en, program.summary.ko, program.summary.en]
    parts += [b.text.ko + " " + b.text.en for b in program.benefits]
    return " ".join(parts).lower()


def target_program(catalog: Catalog, named: list[str], ranked: list[tuple[str, float]], grounded: bool,
                   question: str = "") -> Program | None:
    """The program an eligibility question is about, or None when it cannot be told.

    The first named program (in retrieval order) in the catalog. With none named, the top
    retrieved program, but only when the answer is grounded, the program holds at least
    MIN_UNNAMED_SHARE of the retrieval weight, and the question uses no benefit word
    (OTHER_SCHEME: "국민취업지원제도", "청년수당", "housing subsidy") that the program's own text lacks.
    """
    ids = [pid for pid, _ in ranked]
    order = [pid for pid in ids if pid in named] + [pid for pid in named if pid not in ids]
    for pid in order:
        if pid in catalog:
            return catalog.get(pid)
    if not (grounded and ranked and ranked[0][0] in catalog and ranked[0][1] >= MIN_UNNAMED_SHARE):
        return None
    program = catalog.get(ranked[0][0])
    text = _program_text(program)
    if any(m.group(0).lower() not in text for m in OTHER_SCHEME.finditer(question)):
        return None
    return program


def augment(question: str, lang: str, catalog: Catalog, named: list[str], ranked: list[tuple[str, float]],
            grounded: bool, tokenize, idf: dict[str, float], today: date) -> Addition:
    """Lead sentences and JSON fields for an eligibility and/or schedule question (else empty)."""
    addition = Addition()
    extraction = extract(question)
    if is_eligibility_question(question, extraction):
        program = target_program(catalog, named, ranked, grounded, question)
        if program is not None:
            verdict = evaluate(program, extraction.facts, lang, today)
            addition.sentences += eligibility_sentences(program, verdict, extraction.facts, lang)
            addition.extra["eligibility"] = eligibility_json(program, verdict, extraction, lang)
    if is_schedule_question(question):
        prior = {pid: share for pid, share in ranked[:5]} if grounded else {}
        picked = pick_schedule(question, named, catalog, tokenize, idf, prior)
        if picked:
            rows = []
            for program, entry in picked:
                status = schedule_status(entry, today)
                addition.sentences.append(schedule_sentence(program, entry, status, catalog.edition, lang))
                rows.append(schedule_json(program, entry, status, catalog.edition, lang))
            addition.extra["schedule"] = rows
    return addition


__all__ = [
    "Addition", "augment", "clause_json", "criterion_json", "date_json", "eligibility_json", "eligibility_sentences",
    "is_eligibility_question", "is_schedule_question", "pick_schedule", "schedule_sentence", "target_program",
]
