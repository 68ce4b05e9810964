"""The answer's status: answered, partial, not in the report, or a question back.

``answered``       the answer states what was asked, with its clause;
``partial``        the program is clear but the report does not state the asked-for fact (its
                   phone number, web address, opening hours, …): say so and cite its overview;
``not_in_report``  the report does not cover the topic: say so, name no program as the match;
``clarify``        too vague to answer ("지원금 뭐 있어요?", "help"): ask back with a few choices.

``grounded`` (kept for old clients) is ``status in ("answered", "partial")``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chatbot.finder.facets import states
from chatbot.finder.retrieve import RetrievalResult
from chatbot.finder.answer.lines import LineChoice
from chatbot.finder.question import CatalogMatch, Question

Status = Literal["answered", "partial", "not_in_report", "clarify"]
STATUSES: tuple[Status, ...] = ("answered", "partial", "not_in_report", "clarify")
GROUNDED: frozenset[str] = frozenset({"answered", "partial"})
# how many of the best lines are searched for an asked-for detail (a phone number, a web address);
# an exact date, a fee or a way to apply only counts in the lines the answer would quote: the
# passages about a program hold the full dates of other events ("서울영화센터 개관식 정확히 며칠?"
# had been "answered" with a month), and "무상", "참여" are everywhere. Only the program's own lines
# count: the technical institutes' "주차장 유료화" says nothing of the Future Lab's parking.
DETAIL_LINES = 12
DETAIL_LINES_BY_KIND = {"exact_date": 2, "fee": 3, "apply": 3, "result": 3, "parking": 3}


@dataclass(frozen=True)
class Decision:
    status: Status
    reason: str                    # why, for logs and metrics: vague, no_passages, out_of_scope, …
    program_id: str | None         # the program an answered or partial answer is about
    in_scope: bool


# A topic word this frequent in the report (idf) is too broad to answer about alone: 일자리,
# 청년, 창업, 교육, 취업 (chosen on the blind fitting sets' vague and answerable questions).
BROAD_IDF = 2.5


def is_vague(question: Question) -> bool:
    """Nothing in the question says what it is about ("지원금 뭐 있어요?", "help", "창업하려는데
    도와주세요"): no program, no fact about the person, no detail asked for, and at most two
    topic words, each generic or broad ("언제 해요?" asks for a date but not of what). Text in a script the analysis cannot read (Chinese,
    Japanese, …) is never called vague: the dense side still understands it."""
    understood = question.profile.understood if question.profile else ()
    if not question.readable or question.named or understood or question.details:
        return False
    specific = question.specific_words
    return len(specific) <= 2 and question.specificity < BROAD_IDF


def decide(question: Question, result: RetrievalResult, lines: list[LineChoice], in_scope: bool) -> Decision:
    """The status, from the question, retrieval, the ranked lines and the scope decision. An
    unstated detail of a program the question neither names nor describes (``Question.catalog``)
    is not that program's: "I got a parking ticket, how do I pay it?" is not about the suit
    rental's late fees."""
    if is_vague(question):
        return Decision("clarify", "vague", None, in_scope)
    if not result.hits:
        return Decision("not_in_report", "no_passages", None, False)
    named = question.named[0] if question.named else None
    top_program = result.programs[0][0] if result.programs else None
    program = named or (top_program if in_scope else None)
    if question.details and not all(any(states(detail, choice.line.text)
                                        for choice in lines[:DETAIL_LINES_BY_KIND.get(detail, DETAIL_LINES)]
                                        if program is None or choice.passage.program_id in (program, None))
                                    for detail in question.details):
        if program is not None and (named or question.catalog.get(program, CatalogMatch()).describes):
            return Decision("partial", "detail_not_stated", program, in_scope)
        return Decision("not_in_report", "detail_not_stated", None, in_scope)
    if not in_scope:
        if named is not None:
            return Decision("partial", "named_out_of_scope", named, in_scope)
        return Decision("not_in_report", "out_of_scope", None, in_scope)
    return Decision("answered", "in_scope", program, in_scope)
