"""The answer pipeline: analyse → retrieve (+ rerank) → select lines → decide status → extras →
compose, each stage a module of its own with a typed result.

    question.py  Question        language, named programs, facets, profile facts, content words
    retrieval    RetrievalResult passages (hybrid first stage + learned reranker), programs, confidence
    lines.py     [LineChoice]    the lines of the best passages, best first (fitted)
    scope.py     ScopeSignals    is the topic one the report covers? (fitted classifier)
    status.py    Decision        answered / partial / not_in_report / clarify
    extras.py    EligibilityExtra, [ScheduleItem]   verdicts and dates from the catalog
    compose.py   text + [Quote]  at most three sentences, in Korean or English (wording.py)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from chatbot.programs.catalog import Catalog
from chatbot.index.passages import Passage
from chatbot.programs.names import ProgramNames
from chatbot.finder.rerank import passage_kind
from chatbot.finder.retrieve import Hit, HybridRetriever, RetrievalResult
from chatbot.finder.answer import compose, wording
from chatbot.finder.answer.extras import EligibilityExtra, ScheduleItem, eligibility_extra, schedule_extra
from chatbot.finder.answer.lines import CANDIDATE_PASSAGES, LineChoice, LineSelector, shorten
from chatbot.finder.question import Question, QuestionAnalyzer
from chatbot.finder.answer.scope import COVERAGE_PROGRAMS, ScopeModel, ScopeSignals, signals
from chatbot.finder.answer.status import BROAD_IDF, GROUNDED, Decision, Status, decide

MAX_SUGGESTIONS = 3
# Score gap (line selector units) under which the runner-up line is quoted too, chosen on the dev
# and blind A+B sets (bench/eval_answers.py; answer states fact / two quotes / mean length, the mean
# of dev and blind, Korean and English, with the weights of chatbot/finder/answer/lines.json):
# 1.0 → 0.741 / 28% / 207 chars; 1.5 → 0.765 / 42% / 219; 2.0 → 0.777 / 52% / 229; 3.0 → 0.794 / 75% / 251.
# 1.5 keeps the answers as long as the previous selector's did (0.751 / 38% / 218 at its margin 1.0):
# beyond it each point of the metric costs a longer answer for everyone.
SECOND_QUOTE_MARGIN = 1.5
LEAD_CANDIDATES = 4      # lines compose may quote: a verdict or a date may have quoted the best ones


@dataclass(frozen=True)
class Citation:
    passage: Passage
    score: float
    document_title: str
    edition: str


@dataclass(frozen=True)
class ProgramRef:
    id: str
    name: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: Question
    status: Status
    reason: str
    text: str
    citations: list[Citation]
    programs: list[ProgramRef]                       # the programs the answer is about (answered, partial)
    suggestions: list[ProgramRef] = field(default_factory=list)   # not_in_report: closest, not "the match"
    quotes: list[compose.Quote] = field(default_factory=list)
    eligibility: EligibilityExtra | None = None
    schedule: list[ScheduleItem] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)              # clarify: what to pick from
    scope: float | None = None                       # the classifier's probability that the report answers
    next_steps: dict | None = None                   # partial: the city's next steps for the program, not the report's

    @property
    def grounded(self) -> bool:
        return self.status in GROUNDED

    @property
    def language(self) -> str:
        return self.question.language

    @property
    def answer_language(self) -> str:
        return self.question.answer_language

    @property
    def states_personal_facts(self) -> bool:
        """The asker stated facts about themselves (age, income, …), which the answer may repeat."""
        return bool(self.question.profile and self.question.profile.understood)

    @property
    def citation_ids(self) -> list[str]:
        return [c.passage.id for c in self.citations]

    def to_json(self) -> dict:
        """The answer as /api/ask and ``python -m chatbot ask --json`` return it."""
        lang = self.answer_language
        body = {
            "language": self.language,
            "answer_language": lang,
            "status": self.status,
            "answer": self.text,
            "grounded": self.grounded,
            "citations": [
                {
                    "id": c.passage.id,
                    "text": c.passage.text,
                    "document": c.passage.document_id,
                    "document_title": c.document_title,
                    "edition": c.edition,
                    "section": c.passage.section_path,
                    "program_id": c.passage.program_id,
                    "lines": [c.passage.start_line, c.passage.end_line],
                    "score": c.score,
                }
                for c in self.citations
            ],
            "quotes": [{"text": q.text, "line": q.line, "passage_id": q.passage_id} for q in self.quotes],
            "programs": [{"id": p.id, "name": p.name, "score": p.score} for p in self.programs],
        }
        if self.suggestions:
            body["suggestions"] = [{"id": p.id, "name": p.name} for p in self.suggestions]
        if self.choices:
            body["choices"] = self.choices
        if self.eligibility is not None:
            body["eligibility"] = self.eligibility.to_json(lang)
        if self.schedule:
            body["schedule"] = [item.to_json(lang) for item in self.schedule]
        if self.next_steps is not None:
            body["next_steps"] = self.next_steps
        return body


class Answerer:
    def __init__(self, analyzer: QuestionAnalyzer, retriever: HybridRetriever, selector: LineSelector,
                 scope_model: ScopeModel | None, min_confidence: Callable[[str], float],
                 programs: ProgramNames, documents: dict[str, dict], catalog: Catalog | None = None,
                 today: Callable[[], date] = date.today):
        self.analyzer = analyzer
        self.retriever = retriever
        self.selector = selector
        self.scope_model = scope_model
        self.min_confidence = min_confidence      # the reranker-share threshold, when no scope model is fitted
        self.programs = programs
        self.documents = documents                # document id → {"title", "edition"}
        self.catalog = catalog
        self.today = today
        self._overview = _overviews(retriever.index.passages)

    def answer(self, text: str, language: str | None = None, top_k: int = 5) -> Answer:
        return self.answer_question(self.analyzer.analyse(text, language), top_k)

    def answer_question(self, question: Question, top_k: int = 5) -> Answer:
        result = self.retriever.search(question, top_k=max(top_k, CANDIDATE_PASSAGES))
        lines = self.rank_lines(question, result)
        probability, in_scope = self.in_scope(question, result, lines)
        decision = decide(question, result, lines, in_scope)
        lang = question.answer_language
        note = wording.other_language_note(question.language)
        if decision.status == "clarify":
            return self._refusal(question, decision, result, probability, note)
        eligibility = self._eligibility(question, result, in_scope)
        if decision.reason == "detail_not_stated" and (decision.program_id or eligibility) is not None:
            # "I'm a student. On which website do I sign up?": the website is what was asked, of
            # the program named, described, or whose verdict was asked for
            program_id = decision.program_id or eligibility.program.id
            decision = Decision("partial", decision.reason, program_id, decision.in_scope)
            return self._partial(question, decision, result, probability, note, eligibility)
        if eligibility is not None:            # a verdict answers, also for a named program out of scope
            decision = Decision("answered", "eligibility", eligibility.program.id, in_scope)
        elif decision.status == "not_in_report":
            return self._refusal(question, decision, result, probability, note)
        elif decision.status == "partial":
            return self._partial(question, decision, result, probability, note)
        schedule = self._schedule(question, result, in_scope)
        lead = lines[:LEAD_CANDIDATES]
        quotes = [shorten(c.quote, frozenset(question.query_tokens), self.selector.tokenize) for c in lead]
        names = {p.id: p.name.get(lang) for p in self.programs}
        text, used = compose.answered_text(lead, quotes, SECOND_QUOTE_MARGIN, names, eligibility, schedule, lang, note)
        if not (used or eligibility or schedule):        # nothing to quote: never an empty answer
            return self._refusal(question, Decision("not_in_report", "no_lines", None, in_scope), result,
                                 probability, note)
        return Answer(question, "answered", decision.reason, text, self._citations(result.hits, used, top_k),
                      self._program_refs(result, lang), quotes=used, eligibility=eligibility, schedule=schedule,
                      scope=probability)

    # -- stages -----------------------------------------------------------------------------------
    def rank_lines(self, question: Question, result: RetrievalResult,
                   selector: LineSelector | None = None) -> list[LineChoice]:
        """The lines of the retrieved passages, best first (also what bench/fit_scope.py sees, with
        the selector's base weights: ``selector``)."""
        return (selector or self.selector).rank(question, [h.passage for h in result.hits],
                                                [h.score for h in result.hits], result.query_vector)

    def in_scope(self, question: Question, result: RetrievalResult, lines: list[LineChoice]) -> tuple[float | None, bool]:
        """The scope classifier's probability and decision; without a fitted model, the reranker's
        share against its calibrated threshold (or a named program) decides."""
        if not result.hits:
            return None, False
        if self.scope_model is None:
            return None, result.confidence >= self.min_confidence(question.language) or bool(question.named)
        probability, threshold = self.scope_model.decide(self.scope_signals(question, result, lines),
                                                         result.query_vector, question.language)
        return probability, probability >= threshold

    def scope_signals(self, question: Question, result: RetrievalResult, lines: list[LineChoice]) -> ScopeSignals:
        """What the scope classifier sees (also what bench/fit_scope.py fits it on)."""
        top_programs = [program_id for program_id, _ in result.programs[:COVERAGE_PROGRAMS]]
        return signals(question, result, lines[0] if lines else None, self.retriever.idf,
                       self.retriever.passage_tokens(result.hits[:3]),
                       self.analyzer.english_coverage(question, top_programs))

    def _eligibility(self, question: Question, result: RetrievalResult, in_scope: bool) -> EligibilityExtra | None:
        if self.catalog is None:
            return None
        return eligibility_extra(question, self.catalog, result.programs, in_scope, self.today())

    def _schedule(self, question: Question, result: RetrievalResult, in_scope: bool) -> list[ScheduleItem]:
        if self.catalog is None:
            return []
        return schedule_extra(question, self.catalog, result.programs, in_scope, self.selector.tokenize,
                              self.retriever.idf, self.today())

    def _partial(self, question: Question, decision: Decision, result: RetrievalResult, probability: float | None,
                 note: str, eligibility: EligibilityExtra | None = None) -> Answer:
        """What the report does not say, then what it does; a verdict on the same program, when the
        question also asked for one, comes with it."""
        lang = question.answer_language
        program_id = decision.program_id or ""
        if eligibility is not None and eligibility.program.id != program_id:
            eligibility = None
        overview = self._overview.get(program_id) or next(
            (h.passage for h in result.hits if h.passage.program_id == program_id), None)
        choice = None
        if overview is not None:
            ranked = self.selector.rank(question, [overview], [1.0], result.query_vector)
            choice = next((c for c in ranked if c.line.position == 0 and not c.line.heading), ranked[0] if ranked else None)
        quote = shorten(choice.quote, frozenset(question.query_tokens), self.selector.tokenize) if choice else ""
        schedule = [item for item in self._schedule(question, result, decision.in_scope)
                    if item.program.id == program_id]
        text, used = compose.partial_text(self.programs.name(program_id, lang), question.details, choice,
                                          quote, schedule, lang, note, eligibility)
        citations = [self._cite(Hit(overview, 1.0, 0.0, 0.0))] if overview is not None else []
        program = ProgramRef(program_id, self.programs.name(program_id, lang), 1.0)
        steps = self.catalog.next_steps(program_id, lang) if self.catalog is not None else None
        return Answer(question, "partial", decision.reason, text, citations, [program], quotes=used,
                      eligibility=eligibility, schedule=schedule, scope=probability, next_steps=steps)

    def _refusal(self, question: Question, decision: Decision, result: RetrievalResult, probability: float | None,
                 note: str) -> Answer:
        lang = question.answer_language
        text = compose.refusal_text(decision.status, lang, note)
        if decision.status == "clarify":
            return Answer(question, "clarify", decision.reason, text, [], [], choices=wording.clarify_choices(lang),
                          scope=probability)
        shared = shares_words(question, self.retriever.passage_tokens(result.hits[:3]), self.retriever.idf)
        suggestions = self._program_refs(result, lang)[:MAX_SUGGESTIONS] if shared else []
        return Answer(question, "not_in_report", decision.reason, text, [], [], suggestions=suggestions,
                      scope=probability)

    # -- shaping ----------------------------------------------------------------------------------
    def _program_refs(self, result: RetrievalResult, lang: str) -> list[ProgramRef]:
        return [ProgramRef(pid, self.programs.name(pid, lang), round(score, 4)) for pid, score in result.programs[:5]]

    def _cite(self, hit: Hit) -> Citation:
        document = self.documents.get(hit.passage.document_id, {})
        return Citation(hit.passage, round(hit.score, 4), document.get("title", hit.passage.document_id),
                        document.get("edition", ""))

    def _citations(self, hits: list[Hit], quotes: list[compose.Quote], top_k: int) -> list[Citation]:
        """The top passages, the one the answer quotes first (a citizen reads the first card)."""
        quoted = [q.passage_id for q in quotes]
        ordered = sorted(hits, key=lambda h: quoted.index(h.passage.id) if h.passage.id in quoted else len(quoted))
        return [self._cite(h) for h in ordered[:top_k]]


def _overviews(passages: list[Passage]) -> dict[str, Passage]:
    """Each program's first 사업개요 passage: what a partial answer cites."""
    out: dict[str, Passage] = {}
    for passage in passages:
        if passage.program_id and passage.program_id not in out and passage_kind(passage) == "overview":
            out[passage.program_id] = passage
    return out


def shares_words(question: Question, passage_tokens: list[frozenset[str]], idf: dict[str, float]) -> bool:
    """Whether the closest passages are worth suggesting: the question names nothing the report
    does not know ("따릉이") and one of them holds a topic word of the question that is not broad
    (BROAD_IDF: "청년", "일자리" are everywhere), as a whole morpheme."""
    if question.unknown_words:
        return False
    topic = {w for w in question.specific_words if idf.get(w, 0.0) >= BROAD_IDF}
    return any(topic & tokens for tokens in passage_tokens)
