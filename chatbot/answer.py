"""Answer stage: extractive and honest.

The answer names the best-matching program (from corpus/programs.yaml) and quotes the clause of
the best passage that shares most with the question; nothing else is said. When retrieval is
weak (confidence under the calibrated threshold) it says the report does not answer the question
and lists the closest programs instead of inventing a fit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from .corpus import collapse_whitespace
from .eligibility_answer import augment
from .language import answer_language
from .passages import Passage
from .retrieval import Hit, HybridRetriever, RetrievalResult

_BULLET = re.compile(r"^\s*(ㅇ|◦|○|∘|•|∙|-|–|※|\*|□|[①-⑳]+)\s*")
_ITEM = re.compile(r"^\s*(\d{1,2}(~\d{1,2})?\.|\(|<|［|\[)")
QUOTE_CHARS = 220


@dataclass(frozen=True)
class Citation:
    passage: Passage
    score: float
    document_title: str
    edition: str


@dataclass(frozen=True)
class Answer:
    language: str                 # the question's language (ko, en, ja, …)
    answer_language: str          # the language the answer is written in (ko or en)
    text: str
    grounded: bool                # False: "the report does not answer this"
    citations: list[Citation]
    programs: list[tuple[str, str, float]]      # (id, name, score)
    quote: str = ""
    quote_lines: tuple[int, int] | None = None
    extra: dict = field(default_factory=dict)


def logical_lines(passage: Passage) -> list[tuple[str, int]]:
    """The passage as bullet-level sentences with their first line number: a wrapped
    continuation (the audit part breaks sentences across lines) joins the line it continues."""
    lines: list[tuple[str, int]] = []
    for offset, raw in enumerate(passage.text.split("\n")):
        stripped = raw.strip()
        if not stripped:
            continue
        if lines and not _BULLET.match(stripped) and not _ITEM.match(stripped):
            lines[-1] = (lines[-1][0] + " " + stripped, lines[-1][1])
        else:
            lines.append((stripped, passage.start_line + offset))
    return [(collapse_whitespace(_BULLET.sub("", text)), number) for text, number in lines]


def best_clause(sentences: list[tuple[str, int, frozenset[str]]], idf: dict[str, float],
                question_tokens: list[str], first_line: int) -> tuple[str, int]:
    """The sentence that shares the rarest words with the question, with its first line number.
    Ties go to the earlier sentence, which is usually the headline."""
    best, best_score, best_line = "", -1.0, first_line
    wanted = set(question_tokens)
    for sentence, number, tokens in sentences:
        if len(sentence) < 2:
            continue
        score = sum(idf.get(t, 0.0) for t in tokens & wanted)
        if score > best_score:
            best, best_score, best_line = sentence, score, number
    return _shorten(best), best_line


def _shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


class Answerer:
    def __init__(self, retriever: HybridRetriever, documents: dict[str, dict],
                 min_confidence: Callable[[str], float],
                 catalog=None, today: Callable[[], date] = date.today):
        self.retriever = retriever
        self.documents = documents          # document id → {"title", "edition"}
        self.min_confidence = min_confidence
        self.catalog = catalog              # chatbot.catalog.Catalog: eligibility and schedule answers
        self.today = today
        self._sentences: dict[str, list[tuple[str, int, frozenset[str]]]] = {}

    def sentences(self, passage: Passage) -> list[tuple[str, int, frozenset[str]]]:
        """The passage's sentences with their morphemes, tokenised once per passage and worker."""
        cached = self._sentences.get(passage.id)
        if cached is None:
            tokenize = self.retriever.tokenizer.tokenize
            cached = [(text, number, frozenset(tokenize(text))) for text, number in logical_lines(passage)]
            self._sentences[passage.id] = cached
        return cached

    def answer(self, question: str, language: str, top_k: int = 5) -> Answer:
        result = self.retriever.search(question, top_k=top_k)
        lang = answer_language(language)
        citations = [self._cite(hit) for hit in result.hits]
        programs = [(pid, self.retriever.programs.name(pid, lang), round(score, 4))
                    for pid, score in result.programs[:5]]
        grounded = bool(result.hits) and (result.confidence >= self.min_confidence(language)
                                          or bool(result.named_programs))
        if not grounded:
            return Answer(language, lang, self._not_found(lang, programs, language), False, citations, programs)
        top = result.hits[0].passage
        quote, line = best_clause(self.sentences(top), self.retriever.idf, result.query_tokens, top.start_line)
        program_id = top.program_id or (result.programs[0][0] if result.programs else None)
        lead, extra = "", {}
        if self.catalog is not None:        # eligibility / schedule lead sentences (eligibility_answer.py)
            addition = augment(question, lang, self.catalog, result.named_programs, result.programs, True,
                               self.retriever.tokenizer.tokenize, self.retriever.idf, self.today())
            lead, extra = (addition.text if addition.sentences else ""), addition.extra
        # a lead sentence already names its program: naming retrieval's best match too could
        # name a second one ("강남 캠퍼스 언제?" → 청년취업사관학교 date, 캠퍼스타운 passage)
        text = self._found(lang, language, None if lead else program_id, quote, top, line)
        text = f"{lead} {text}" if lead else text
        return Answer(language, lang, text, True, citations, programs, quote=quote, quote_lines=(line, line),
                      extra=extra)

    def _cite(self, hit: Hit) -> Citation:
        document = self.documents.get(hit.passage.document_id, {})
        return Citation(hit.passage, round(hit.score, 4), document.get("title", hit.passage.document_id),
                        document.get("edition", ""))

    def _found(self, lang: str, language: str, program_id: str | None, quote: str, top: Passage, line: int) -> str:
        name = self.retriever.programs.name(program_id, lang) if program_id else ""
        if lang == "ko":
            head = f"가장 관련 있는 사업은 「{name}」입니다. " if name else ""
            return (f"{head}2024 업무보고에 따르면: “{quote}” ({line}행). "
                    f"근거가 된 보고서 문단을 아래에 그대로 인용했습니다.")
        note = "" if language.startswith("en") else "I can answer in English or Korean; this answer is in English. "
        head = f"The best match is {name}. " if name else ""
        return (f"{note}{head}The 2024 work report (in Korean) says: “{quote}” (line {line}). "
                f"The passages below are quoted from the report as written.")

    @staticmethod
    def _not_found(lang: str, programs: list[tuple[str, str, float]], language: str) -> str:
        names = ", ".join(name for _, name, _ in programs[:3])
        if lang == "ko":
            closest = f" 가장 가까운 사업: {names}." if names else ""
            return f"2024 업무보고에는 이 질문에 대한 답이 없습니다.{closest} 아래 문단은 참고용입니다."
        note = "" if language.startswith("en") else "I can answer in English or Korean; this answer is in English. "
        closest = f" The closest programs are: {names}." if names else ""
        return f"{note}The 2024 work report does not answer this question.{closest} The passages below are only the nearest matches."

