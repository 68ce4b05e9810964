"""Eligibility engine: which catalog programs fit a citizen, criterion by criterion, with the clause.

The one hard rule: never say ``eligible`` on missing information. Every criterion is met, unmet,
unknown (the profile lacks the field) or info (``op: text``, stated only in words, never decided),
and a program is eligible only when every decidable criterion is met.

Facts, not profiles, are evaluated (chatbot/programs/facts.py, also for who is taken not to run a
business): a question such as "30대 후반인데…" only gives a range. A numeric criterion on a range
is met only if every value in the range meets it, unmet if none does, and unknown otherwise.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chatbot.programs.catalog import Catalog, Program
from chatbot.programs.criteria import Clause, Criterion
from chatbot.programs.facts import LIMIT_FIELDS, Facts
from chatbot.programs.schedule import schedule_status, when_span

Status = Literal["met", "unmet", "unknown", "info"]
Verdict = Literal["eligible", "unknown", "ineligible"]


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
