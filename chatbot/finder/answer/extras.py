"""Eligibility and schedule extras of an answer, decided from catalog data only.

``eligibility``: a question that asks whether someone can join (``Question.asks_eligibility``)
gets a verdict for the program it means: the first program it names, or, when it names none, the
program retrieval clearly points at (:func:`target_program`). The verdict comes from
:func:`chatbot.eligibility.evaluate` on the facts the question states, so it is ``eligible`` only
when every decidable criterion is met by what the person said, and, stricter than the profile
finder, only when no condition on the person is stated in words alone (those leave it open).

``schedule``: a "when" question (a date, not a duration) gets the catalog's dated entries that
fit it, stated as the report's plan and compared with today's date.

Nothing here words a sentence: wording.py and eligibility_wording.py do, in Korean and English.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from chatbot.programs.catalog import Catalog, Program, ScheduleEntry
from chatbot.programs.eligibility import ProgramVerdict, clause_json, criterion_json, evaluate
from chatbot.programs.schedule import schedule_status, when_span
from chatbot.programs.profile import Extraction
from chatbot.finder.question import CatalogMatch, Question

# An unnamed program (target_program): retrieval share + COVERAGE_WEIGHT × catalog match.
COVERAGE_WEIGHT = 2.0
MIN_UNNAMED_SCORE = 0.9
MIN_MATCH_MARGIN = 0.05
# Out of the scope classifier's scope (fitted on questions of fact, it reads a long self-description
# as off-topic), an unnamed program is still taken when its score is this high and this far ahead
# of the next program's and the asker stated a fact one of its conditions reads. Chosen on the dev
# and training eligibility sets and the blind fitting sets' off-topic questions: it takes five
# programs the asker meant, none of the three wrong ones the bare scores would, and no everyday
# question ("치매안심센터 검사 예약하려면 어떻게 해야돼요?" stands out for the Future Lab's bookings).
MIN_OUT_OF_SCOPE_SCORE = 1.0
MIN_OUT_OF_SCOPE_GAP = 0.5
MAX_SCHEDULE = 3
TOPIC_WEIGHT = 100.0
SCHEDULE_PROGRAMS = 5         # unnamed: only the dates of the programs retrieval ranks first
PRIOR_WEIGHT = 3.0            # retrieval's share: between two entries sharing words, the likelier program


@dataclass(frozen=True)
class EligibilityExtra:
    program: Program
    verdict: ProgramVerdict
    profile: Extraction
    inferred: bool                 # the program was inferred from retrieval, not named
    next_steps: dict | None = None  # the city's next steps (JSON in the answer's language), not the report's

    def to_json(self, lang: str) -> dict:
        return {
            "program": {"id": self.program.id, "name": self.program.name.get(lang)},
            "verdict": self.verdict.verdict,
            "criteria": [criterion_json(r) for r in self.verdict.criteria],
            "missing": list(self.verdict.missing),
            "understood": [
                {"field": f.field, "phrase": f.phrase, "value": list(f.value) if isinstance(f.value, tuple) else f.value}
                for f in self.profile.understood
            ],
            "program_inferred": self.inferred,
            # what to do next, from the city's staff: after any verdict but "not eligible"
            "next_steps": self.next_steps if self.verdict.verdict != "ineligible" else None,
        }


@dataclass(frozen=True)
class ScheduleItem:
    program: Program
    entry: ScheduleEntry
    status: str                    # upcoming, ongoing, past
    edition: str

    def to_json(self, lang: str) -> dict:
        start, end = when_span(self.entry.when)
        return {
            "program": {"id": self.program.id, "name": self.program.name.get(lang)},
            "what": self.entry.what.get(lang),
            "when": self.entry.when, "start": start.isoformat(), "end": end.isoformat(),
            "status": self.status, "edition": self.edition,
            "clause": clause_json(self.entry.clause),
        }


# ── eligibility ────────────────────────────────────────────────────────────────────────────────

def _program_text(program: Program) -> str:
    parts = [program.name.ko, program.name.en, program.summary.ko, program.summary.en]
    parts += [b.text.ko + " " + b.text.en for b in program.benefits]
    return " ".join(parts).lower()


def target_program(catalog: Catalog, question: Question, ranked: list[tuple[str, float]],
                   in_scope: bool) -> tuple[Program, bool] | None:
    """The program an eligibility question is about and whether it was inferred, or None.

    The first named program (in retrieval order) in the catalog. With none named, the program
    with the best retrieval share plus COVERAGE_WEIGHT × its catalog match (``Question.catalog``:
    how much of the question its own wording covers), taken when the question is in the report's scope and
    that score reaches MIN_UNNAMED_SCORE, or, since the scope classifier is fitted on questions
    of fact and reads a long self-description as off-topic, when the question describes the
    program (``CatalogMatch.describes``: its wording covers at least a quarter of the question, in
    two words or more) and covers MIN_MATCH_MARGIN more of it than any other program's does, or
    when its score reaches MIN_OUT_OF_SCOPE_SCORE, MIN_OUT_OF_SCOPE_GAP ahead of the next. Never
    when the question uses a benefit word ("국민취업지원제도", "housing subsidy") the program's text
    lacks. The weight and the bars were chosen on the fitting sets (docs/finder.md).
    """
    ids = [pid for pid, _ in ranked]
    named = list(question.named)
    for pid in [p for p in ids if p in named] + [p for p in named if p not in ids]:
        if pid in catalog:
            return catalog.get(pid), False
    share = dict(ranked)
    matches = {p.id: question.catalog.get(p.id, CatalogMatch()) for p in catalog}
    scores = {pid: share.get(pid, 0.0) + COVERAGE_WEIGHT * m.share for pid, m in matches.items()}
    best = max(scores, key=lambda pid: scores[pid], default=None)
    if best is None:
        return None
    runner_up = max((m.share for pid, m in matches.items() if pid != best), default=0.0)
    described = matches[best].describes and matches[best].share - runner_up >= MIN_MATCH_MARGIN
    next_score = max((s for pid, s in scores.items() if pid != best), default=0.0)
    program = catalog.get(best)
    standing_out = (scores[best] >= MIN_OUT_OF_SCOPE_SCORE and scores[best] - next_score >= MIN_OUT_OF_SCOPE_GAP
                    and _states_a_fact_for(program, question))
    clear = (in_scope and scores[best] >= MIN_UNNAMED_SCORE) or described or standing_out
    text = _program_text(program)
    if not clear or any(word not in text for word in question.other_schemes):
        return None
    return program, True


def _states_a_fact_for(program: Program, question: Question) -> bool:
    """Did the asker state a fact one of the program's conditions reads (its field, a field its
    ``met_by`` names, or any business fact for a business condition)?"""
    stated = {finding.field for finding in (question.profile.understood if question.profile else ())}
    for criterion in program.eligibility:
        fields = {criterion.field, *(field for field, _ in criterion.met_by_facts())}
        if any(field and any(s == field or s.startswith(f"{field}.") for s in stated) for field in fields):
            return True
    return False


def eligibility_extra(question: Question, catalog: Catalog, ranked: list[tuple[str, float]], in_scope: bool,
                      today: date) -> EligibilityExtra | None:
    if not question.asks_eligibility or question.profile is None:
        return None
    target = target_program(catalog, question, ranked, in_scope)
    if target is None:
        return None
    program, inferred = target
    verdict = evaluate(program, question.profile.facts, question.answer_language, today, question.text)
    if verdict.verdict == "eligible" and any(r.status == "info" and (r.part is None or r.part_named)
                                             and not r.note and not r.answered_elsewhere for r in verdict.criteria):
        # A condition the report states only in words ("취업 의지가 있는 구직자", "서울 소재 …
        # 공공기관 인증", "고립·은둔 청년", the pre-course's "비전공자"), with or without a profile
        # field to hang it on, is not decided from a sentence: open, not eligible. A cap nobody
        # said they reached, how applicants are selected and the conditions of a part the
        # question does not name do not count.
        verdict = verdict.model_copy(update={"verdict": "unknown"})
    return EligibilityExtra(program, verdict, question.profile, inferred,
                            catalog.next_steps(program.id, question.answer_language))


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


def _stem(token: str) -> str:
    if token.isascii() and len(token) > 4:
        for suffix in ("ing", "ed", "es", "s"):
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                return token[: -len(suffix)]
    return token


@dataclass
class _Scored:
    program: Program
    entry: ScheduleEntry
    score: float
    shared_words: int
    shared_topics: int


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
            shared_topics = topics & {_TOPIC_OF[t] for t in tokens if t in _TOPIC_OF}
            # A shared date topic (opening, recruitment, …) outweighs any number of shared words.
            score = sum(idf.get(t, default_idf) for t in shared) + TOPIC_WEIGHT * len(shared_topics)
            score += PRIOR_WEIGHT * prior.get(program.id, 0.0)
            scored.append(_Scored(program, entry, score, len(shared), len(shared_topics)))
    return scored


def pick_schedule(question: Question, catalog: Catalog, tokenize, idf: dict[str, float],
                  prior: dict[str, float]) -> list[tuple[Program, ScheduleEntry]]:
    """The entries that best fit the question (ties kept, at most MAX_SCHEDULE), date order.

    A named program with dated entries restricts the search to them; if none of its entries shares
    a word or a topic with the question, all of them are listed (the question asked "when" about
    that program). With no program named, only the programs retrieval ranks first (``prior``:
    schedule_extra passes SCHEDULE_PROGRAMS of them) are searched, and an entry needs a shared content word or date topic:
    a word shared with some other program's entry ("AI") must not answer with that program's dates.
    """
    tokens = {_stem(t) for t in question.tokens}
    candidates = [p for pid in question.named if (p := catalog.get(pid)) is not None and p.schedule]
    if candidates:
        scored = _score_entries(tokens, candidates[:1], tokenize, idf, {})
        best = max(s.score for s in scored)
        chosen = [s for s in scored if s.score == best] if best > 0 else scored
    else:
        likely = [p for pid in prior if (p := catalog.get(pid)) is not None]
        scored = [s for s in _score_entries(tokens, likely, tokenize, idf, prior) if s.shared_words or s.shared_topics]
        if not scored:
            return []
        best = max(s.score for s in scored)
        chosen = [s for s in scored if s.score >= best - 1e-9]
    chosen = sorted(chosen, key=lambda s: when_span(s.entry.when))[:MAX_SCHEDULE]
    return [(s.program, s.entry) for s in chosen]


def schedule_extra(question: Question, catalog: Catalog, ranked: list[tuple[str, float]], in_scope: bool,
                   tokenize, idf: dict[str, float], today: date) -> list[ScheduleItem]:
    if not question.asks_schedule:
        return []
    prior = {pid: share for pid, share in ranked[:SCHEDULE_PROGRAMS]} if in_scope else {}
    return [ScheduleItem(program, entry, schedule_status(entry, today), catalog.edition)
            for program, entry in pick_schedule(question, catalog, tokenize, idf, prior)]
