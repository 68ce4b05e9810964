"""Eligibility engine: which catalog programs fit a citizen, criterion by criterion, with the clause.

The one hard rule: never say ``eligible`` on missing information. Every criterion is met, unmet,
unknown (the profile lacks the field) or info (``op: text``, stated only in words, never decided),
and a program is eligible only when every decidable criterion is met.

Facts, not profiles, are evaluated: a profile from the API gives exact values, but a question such
as "30대 후반인데…" only gives a range. A numeric criterion on a range is met only if every value
in the range meets it, unmet if none does, and unknown otherwise.

Business criteria: ``present`` on ``business`` is met when business details were given. When none
were given but the stated employment status is one that does not run a business (unemployed,
employed, day laborer, student, retired), business criteria are unmet, so a job seeker is not
shown a dozen business programs as "unknown". Owners and the self-employed without details, and
profiles with no status, stay unknown with ``business`` missing. Adding ``business`` to a profile
always overrides the inference.
"""
from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chatbot.programs.catalog import (
    BUSINESS_SIZES, CATEGORIES, EMPLOYMENT_STATUSES, STATED_CONDITIONS, Catalog, Clause, Criterion, Program,
    ScheduleEntry,
)

Status = Literal["met", "unmet", "unknown", "info"]
Verdict = Literal["eligible", "unknown", "ineligible"]
When = Literal["upcoming", "ongoing", "past"]

EmploymentStatus = Literal[EMPLOYMENT_STATUSES]  # type: ignore[valid-type]
BusinessSize = Literal[BUSINESS_SIZES]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]

# Statuses that describe someone who does not run a business (see the module docstring).
NO_BUSINESS_STATUSES = frozenset({"unemployed", "employed", "day_laborer", "student", "retired"})


# ── input: the profile the API accepts ─────────────────────────────────────────────────────────

class _Strict(BaseModel):
    # Strict so "30" for an age or 1 for a yes/no is refused, not silently coerced into a verdict.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Business(_Strict):
    """A citizen's business; every detail is optional so "I run a business" alone can be said."""

    size: BusinessSize | None = None
    years_since_founding: int | None = Field(default=None, ge=0, le=200)
    industry: str | None = Field(default=None, min_length=1, max_length=100)
    in_seoul: bool | None = None        # where the business is ("서울 소재"), apart from where its owner lives
    certified: bool | None = None       # a public agency's certification (공공기관 인증: 이노비즈, 메인비즈, 벤처 …)

    @field_validator("industry")
    @classmethod
    def _slug_case(cls, v: str | None) -> str | None:
        return v.strip().lower() if v is not None else None


class Profile(_Strict):
    age: int | None = Field(default=None, ge=0, le=120)
    resident_of_seoul: bool | None = None
    employment_status: EmploymentStatus | None = None
    income_pct_of_median: float | None = Field(default=None, ge=0, le=1000)
    household_assets_krw: int | None = Field(default=None, ge=0)
    is_foreign_student: bool | None = None
    business: Business | None = None
    interests: list[Category] = Field(default_factory=list)


def profile_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as ``[{"field": "profile.age", "message": ...}]`` for a 400 response."""
    out = []
    for err in exc.errors(include_url=False):
        path = "profile"
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        out.append({"field": path, "message": err["msg"].removeprefix("Value error, ")})
    return out


# ── facts: what the engine decides on ──────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Facts:
    """What is known about the person. Numbers are closed ranges; ``None`` means not stated.

    A profile gives points (min == max); text can give ranges ("30대 후반" = 36–39,
    "중위소득 80% 이하" = 0–80).
    """

    age_min: int | None = None
    age_max: int | None = None
    resident_of_seoul: bool | None = None
    employment_status: str | None = None
    income_min: float | None = None
    income_max: float | None = None
    assets_min: int | None = None
    assets_max: int | None = None
    is_foreign_student: bool | None = None
    has_business: bool | None = None
    business_size: str | None = None
    business_years_since_founding: int | None = None
    business_industry: str | None = None
    business_in_seoul: bool | None = None    # "판교에 있는 중소기업"; profile.business.in_seoul
    business_certified: bool | None = None   # "이노비즈 인증 있어요"; profile.business.certified
    business_sales_min: int | None = None     # "작년 매출이 35억" (a range: "20억 이하"); no form field
    business_sales_max: int | None = None
    times_used: int | None = None           # stated in a question ("올해 벌써 10번 빌렸는데"); no form field
    no_shows: int | None = None             # bookings missed ("두 번 노쇼했는데"); no form field
    stated: tuple[tuple[str, bool], ...] = ()   # catalog.STATED_CONDITIONS a question settles; no form field
    interests: tuple[str, ...] = ()

    @classmethod
    def from_profile(cls, profile: Profile) -> Facts:
        b = profile.business
        return cls(
            age_min=profile.age, age_max=profile.age,
            resident_of_seoul=profile.resident_of_seoul,
            employment_status=profile.employment_status,
            income_min=profile.income_pct_of_median, income_max=profile.income_pct_of_median,
            assets_min=profile.household_assets_krw, assets_max=profile.household_assets_krw,
            is_foreign_student=profile.is_foreign_student,
            has_business=True if b is not None else None,
            business_size=b.size if b else None,
            business_years_since_founding=b.years_since_founding if b else None,
            business_industry=b.industry if b else None,
            business_in_seoul=b.in_seoul if b else None,
            business_certified=b.certified if b else None,
            interests=tuple(profile.interests),
        )

    def merge(self, fallback: Facts) -> Facts:
        """These facts, with gaps filled from ``fallback`` (e.g. a profile over facts from text)."""
        gaps = {f.name: getattr(fallback, f.name) for f in fields(self) if getattr(self, f.name) in (None, ())}
        return replace(self, **gaps)

    def span(self, field_name: str) -> tuple[Any, Any] | None:
        """The known value of a criterion field as ``(lo, hi)``; scalars give ``(v, v)``."""
        if field_name in STATED_CONDITIONS:
            value = dict(self.stated).get(field_name)
            if value is None and STATED_CONDITIONS[field_name].residence and self.resident_of_seoul is not None:
                value = False       # said where they live, and it was not here (it would be stated)
            return None if value is None else (value, value)
        lo_attr, hi_attr = _SPAN_ATTRS[field_name]
        lo, hi = getattr(self, lo_attr), getattr(self, hi_attr)
        if lo is None or hi is None:
            return None
        return lo, hi

    def owns_business(self) -> bool | None:
        """Given business details win; else inferred from the employment status (module docstring)."""
        if self.has_business is not None:
            return self.has_business
        if self.employment_status in NO_BUSINESS_STATUSES:
            return False
        return None


_SPAN_ATTRS = {
    "age": ("age_min", "age_max"),
    "resident_of_seoul": ("resident_of_seoul", "resident_of_seoul"),
    "employment_status": ("employment_status", "employment_status"),
    "income_pct_of_median": ("income_min", "income_max"),
    "household_assets_krw": ("assets_min", "assets_max"),
    "is_foreign_student": ("is_foreign_student", "is_foreign_student"),
    "business": ("has_business", "has_business"),
    "business.size": ("business_size", "business_size"),
    "business.years_since_founding": ("business_years_since_founding", "business_years_since_founding"),
    "business.industry": ("business_industry", "business_industry"),
    "business.in_seoul": ("business_in_seoul", "business_in_seoul"),
    "business.certified": ("business_certified", "business_certified"),
    "business.annual_sales_krw": ("business_sales_min", "business_sales_max"),
    "times_used": ("times_used", "times_used"),
    "no_shows": ("no_shows", "no_shows"),
}
# Caps on repeated use: not an entry condition, so unsaid they are shown, not asked for; only
# someone who says they reached the cap is excluded.
LIMIT_FIELDS = frozenset({"times_used", "no_shows"})


# ── one criterion ──────────────────────────────────────────────────────────────────────────────

def _accepts(op: str, value: Any, x: Any) -> bool:
    if op == "<=":
        return x <= value
    if op == ">=":
        return x >= value
    if op == "between":
        return value[0] <= x <= value[1]
    if op == "in":
        return x in value
    return x == value  # "=="


def _accepted_interval(op: str, value: Any) -> tuple[float, float]:
    """The set an interval op accepts, as a closed interval (``in`` is handled separately)."""
    if op == "<=":
        return -math.inf, value
    if op == ">=":
        return value, math.inf
    if op == "between":
        return value[0], value[1]
    return value, value  # "=="


def _range_status(op: str, value: Any, lo: float, hi: float) -> Status:
    """Met if every value in [lo, hi] passes, unmet if none does, else unknown."""
    if op == "in":  # only on whole-number fields, so the integers of the range are the values
        members = [v for v in value if lo <= v <= hi]
        if not members:
            return "unmet"
        every = hi - lo <= 1000 and all(x in value for x in range(math.ceil(lo), math.floor(hi) + 1))
        return "met" if every else "unknown"
    a, b = _accepted_interval(op, value)
    if a <= lo and hi <= b:
        return "met"
    if hi < a or lo > b:
        return "unmet"
    return "unknown"


def met_by_field(criterion: Criterion, facts: Facts) -> str | None:
    """The field whose stated value certainly satisfies a worded condition (``met_by``), or None."""
    return next((f for f, value in criterion.met_by_facts() if facts.span(f) == (value, value)), None)


def criterion_status(criterion: Criterion, facts: Facts, part_named: bool = False) -> Status:
    """Met, unmet, unknown, or "info" (shown, not decided): a worded condition, a cap nobody said
    they reached, or the condition of a part of the program the question does not name
    (``part_named``: it does)."""
    if criterion.part and not part_named:
        return "info"
    op, name = criterion.op, criterion.field
    if op == "text" and criterion.met_by:
        return "met" if met_by_field(criterion, facts) else "info"
    if op == "text" or name is None:
        return "info"
    if name.startswith("business"):
        owns = facts.owns_business()
        if owns is False:
            return "unmet"
        if name == "business":
            return "met" if owns else "unknown"
    span = facts.span(name)
    if span is None:
        return "info" if name in LIMIT_FIELDS else "unknown"
    if op == "present":
        return "met"
    lo, hi = span
    if lo == hi:
        return "met" if _accepts(op, criterion.value, lo) else "unmet"
    return _range_status(op, criterion.value, lo, hi)


# ── schedule ───────────────────────────────────────────────────────────────────────────────────

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _point_span(point: str) -> tuple[date, date]:
    parts = [int(p) for p in point.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    year, month = parts
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def when_span(when: str) -> tuple[date, date]:
    """First and last day a ``when`` string covers: a day, a month, a quarter or ``A..B``."""
    quarter = _QUARTER.match(when)
    if quarter:
        year, q = int(quarter[1]), int(quarter[2])
        return _point_span(f"{year}-{3 * q - 2:02d}")[0], _point_span(f"{year}-{3 * q:02d}")[1]
    first, _, last = when.partition("..")
    return _point_span(first)[0], _point_span(last or first)[1]


def schedule_status(entry: ScheduleEntry | str, today: date) -> When:
    """A month ("2024-07", also used for "from July") counts as ongoing for the whole month."""
    start, end = when_span(entry if isinstance(entry, str) else entry.when)
    if today < start:
        return "upcoming"
    return "ongoing" if today <= end else "past"


# ── verdicts ───────────────────────────────────────────────────────────────────────────────────

class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CriterionResult(_Out):
    field: str | None
    rule: str
    status: Status
    clause: Clause
    part: str | None = Field(None, description="the part of the program the condition is for, named in the asked language")
    part_named: bool = Field(False, description="the question names that part: the condition decides")
    selection: bool = Field(False, description="how applicants who meet the conditions are chosen: shown, "
                                               "never an entry condition")
    decided_by: str | None = Field(None, description="the profile field whose value decides it (for a worded "
                                                     "condition, the stated value that certainly meets it)")
    alternative: str | None = Field(None, description="criteria with the same name are alternatives: one met "
                                                      "is enough, and the others are then shown as info")
    answered_elsewhere: bool = Field(False, description="shown, neither asked nor left to the reader: an "
                                                        "alternative whose sibling decides, or a worded condition "
                                                        "of the whole program on a field the named part's own "
                                                        "conditions decide (the fund's 'depends on the sub-fund' "
                                                        "once the angel fund is named)")

    @property
    def note(self) -> bool:
        """A cap on repeated use or how applicants are selected: shown, never an entry condition."""
        return self.field in LIMIT_FIELDS or self.selection


class DateResult(_Out):
    what: str
    when: str
    start: date
    end: date
    status: Literal["upcoming", "ongoing"]
    clause: Clause


class ProgramVerdict(_Out):
    program_id: str
    name: str
    category: str
    verdict: Verdict
    # Profile fields (criterion field names) whose values would decide an ``unknown`` verdict.
    missing: list[str]
    criteria: list[CriterionResult]
    # Schedule entries not yet over on ``today`` (past ones are left out), soonest first.
    next_dates: list[DateResult]
    relevance: int
    decidable: bool = Field(description="at least one criterion can be decided from a profile")


def _with_alternatives(results: list[CriterionResult]) -> list[CriterionResult]:
    """Alternatives ("창업 3년 이내 또는 매출 20억 이하") decide as one condition: one met is enough
    (the others become info), all unmet fail it, and otherwise an unmet one is info, not a failure,
    while the first unknown one says what is missing ("서울 거주 여부", not also "군포시 거주 여부")."""
    groups: dict[str, list[str]] = {}
    for r in results:
        if r.alternative:
            groups.setdefault(r.alternative, []).append(r.status)
    asked: set[str] = set()
    out = []
    for r in results:
        statuses = set(groups.get(r.alternative or "", []))
        settled = "met" in statuses or (r.status == "unmet" and statuses != {"unmet"})
        repeated = r.status == "unknown" and r.alternative in asked
        if r.alternative and r.status != "met" and (settled or repeated):
            r = r.model_copy(update={"status": "info", "answered_elsewhere": True})
        elif r.alternative and r.status == "unknown":
            asked.add(r.alternative)
        out.append(r)
    return out


def _verdict(results: list[CriterionResult]) -> tuple[Verdict, list[str]]:
    statuses = [r.status for r in results]
    if "unmet" in statuses:
        return "ineligible", []
    missing = list(dict.fromkeys(r.field for r in results if r.status == "unknown"))
    if missing or "met" not in statuses:
        return "unknown", missing
    if all(r.field == "business" for r in results if r.status == "met"):
        # "for businesses" and nothing more (Invest Seoul, the Magok complex): the report does not
        # say which businesses, so running one is not enough to be told "eligible"
        return "unknown", []
    return "eligible", []


def _audiences(facts: Facts) -> set[str]:
    """Catalog audiences the person belongs to, for ranking only (never for eligibility).

    Youth is 18–39 as the Seoul youth ordinance reads; senior is 50+ as the 50 Plus Foundation's
    programs are.
    """
    out: set[str] = set()
    if facts.age_min is not None and facts.age_max is not None:
        if 18 <= facts.age_min and facts.age_max <= 39:
            out.add("youth")
        if facts.age_min >= 50:
            out.add("senior")
    status = facts.employment_status
    if status in ("unemployed", "day_laborer"):
        out.add("job-seeker")
    if status == "student":
        out.add("student")
    if facts.is_foreign_student:
        out.add("foreign-student")
    if facts.owns_business() or status in ("business_owner", "self_employed"):
        out.add("business")
    if facts.business_size == "startup":
        out.add("startup")
    if facts.resident_of_seoul:
        out.add("citizen")
    return out


def relevance(program: Program, facts: Facts) -> int:
    """Stated interest in the category counts double; each shared audience counts once."""
    interest = 2 if program.category in facts.interests else 0
    return interest + len(set(program.audience) & _audiences(facts))


def _next_dates(program: Program, today: date, lang: str) -> list[DateResult]:
    dated = []
    for entry in program.schedule:
        status = schedule_status(entry, today)
        if status == "past":
            continue
        start, end = when_span(entry.when)
        what = entry.what.get(lang)
        dated.append(DateResult(what=what, when=entry.when, start=start, end=end, status=status, clause=entry.clause))
    return sorted(dated, key=lambda d: (d.start, d.end))


def evaluate(program: Program, facts: Facts, lang: str = "en", today: date | None = None,
             question: str | None = None) -> ProgramVerdict:
    """``question``: the text asked, when there is one; a part's conditions decide only when it
    names the part (a profile match names none)."""
    named = [bool(c.part and question and c.names_part(question)) for c in program.eligibility]
    results = [
        CriterionResult(field=c.field, rule=c.describe(lang), status=criterion_status(c, facts, part_named),
                        clause=c.clause, part=c.part_name(lang), part_named=part_named, selection=c.selection,
                        decided_by=(met_by_field(c, facts) if c.op == "text" else c.field), alternative=c.alternative)
        for c, part_named in zip(program.eligibility, named)
    ]
    results = _with_alternatives(results)
    part_fields = {r.field for r in results if r.part_named and r.field}
    results = [r.model_copy(update={"answered_elsewhere": True})
               if r.part is None and r.status == "info" and r.field in part_fields else r for r in results]
    verdict, missing = _verdict(results)
    return ProgramVerdict(
        program_id=program.id,
        name=program.name.get(lang),
        category=program.category,
        verdict=verdict,
        missing=missing,
        criteria=results,
        next_dates=_next_dates(program, today or date.today(), lang),
        relevance=relevance(program, facts),
        decidable=any(r.status != "info" for r in results),
    )


def _rank(verdict: ProgramVerdict) -> tuple:
    """Eligible by relevance; unknown by fewest missing fields, programs nothing can decide last."""
    group = ("eligible", "unknown", "ineligible").index(verdict.verdict)
    undecidable = verdict.verdict == "unknown" and not verdict.decidable
    return group, undecidable, len(verdict.missing), -verdict.relevance


def match(
    catalog: Catalog | Iterable[Program],
    facts: Facts,
    lang: str = "en",
    include_ineligible: bool = False,
    today: date | None = None,
) -> list[ProgramVerdict]:
    """All programs worth showing: eligible first, then unknown; ineligible only when asked.

    Ties keep catalog order (the sort is stable), so results are deterministic.
    """
    verdicts = [evaluate(p, facts, lang, today) for p in catalog]
    if not include_ineligible:
        verdicts = [v for v in verdicts if v.verdict != "ineligible"]
    return sorted(verdicts, key=_rank)


# ── JSON shapes (shared by /api/match and the eligibility answer of /api/ask) ─────────────────

def clause_json(clause: Clause) -> dict:
    return {"text": clause.text, "document": clause.document, "lines": list(clause.lines)}


def criterion_json(result: CriterionResult) -> dict:
    return {"field": result.field, "rule": result.rule, "status": result.status, "part": result.part,
            "part_named": result.part_named, "selection": result.selection, "alternative": result.alternative,
            "clause": clause_json(result.clause)}


def date_json(d: DateResult) -> dict:
    return {"what": d.what, "when": d.when, "start": d.start.isoformat(), "end": d.end.isoformat(),
            "status": d.status, "clause": clause_json(d.clause)}
