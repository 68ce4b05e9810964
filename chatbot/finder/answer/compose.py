"""Composing the answer text: at most three sentences before the citations, no quote twice.

The order is fixed by what the citizen asked: a verdict first for an eligibility question, a date
first for a "when" question, then the report's line that states the asked-for fact, unless a
sentence before already quotes it.
"""
from __future__ import annotations

from dataclasses import dataclass

from chatbot.finder.answer.extras import EligibilityExtra, ScheduleItem
from chatbot.finder.answer.lines import LineChoice
from chatbot.finder.answer import eligibility_wording, wording

MAX_SENTENCES = 3


@dataclass(frozen=True)
class Quote:
    """A report line the answer quotes."""

    text: str
    line: int
    passage_id: str


def _squash(text: str) -> str:
    return "".join(text.split())


# A line counts as said when an earlier quote holds it, or holds most of it: "지원대상 : 서울 소재
# 중소·벤처·창업기업" (a verdict's clause) does not say the rest of its line, "※ 대학·연구기관
# 컨소시엄 가능", which may be what was asked.
SAID_SHARE = 0.8


def already_said(quote: str, sentences: list[str]) -> bool:
    line = _squash(quote)
    said = [_squash(part.split("”")[0]) for s in sentences for part in s.split("“")[1:]]
    return any(line in q or (q in line and len(q) >= SAID_SHARE * len(line)) for q in said)


def answered_text(lines: list[LineChoice], quotes: list[str], margin: float, names: dict[str, str],
                  eligibility: EligibilityExtra | None, schedule: list[ScheduleItem], lang: str,
                  note: str = "") -> tuple[str, list[Quote]]:
    """``lines``: the best lines, best first; ``quotes``: their (possibly shortened) text. The
    answer quotes the best line, and the next one too when it scores within ``margin`` of the best
    (the selector can hardly tell them apart: "교육이랑 인턴 기간" has two lines that both state a
    duration). After a verdict or a date, only lines within ``margin`` that it has not quoted."""
    sentences = [note] if note else []
    if eligibility is not None:
        sentences += eligibility_wording.eligibility_sentences(
            eligibility.program, eligibility.verdict, eligibility.profile.facts, lang)[:2]
    for item in schedule[:2]:
        sentences.append(wording.schedule_sentence(item.program, item.entry, item.status, item.edition, lang))
    used: list[Quote] = []
    first_program = None
    answered_before = len(sentences) > bool(note)          # a verdict or a date leads
    for choice, quote in zip(lines, quotes):
        close = choice.score >= lines[0].score - margin
        if len(sentences) >= MAX_SENTENCES or len(used) == 2 or ((used or answered_before) and not close):
            break
        if already_said(quote, sentences) or any(q.text == quote for q in used):
            continue
        program = choice.passage.program_id
        # a verdict or a date names its program already; naming retrieval's line's program as well
        # could name a second one. A second quote names its program only when it is another one.
        named_before = used and first_program == program
        first_program = first_program or program
        name = "" if (eligibility or schedule or named_before) else names.get(program or "", "")
        sentences.append(wording.quote_sentence(name, quote, choice.line.number, lang, first=not used))
        used.append(Quote(quote, choice.line.number, choice.passage.id))
    return " ".join(sentences[:MAX_SENTENCES]), used


def partial_text(name: str, details: tuple[str, ...], overview: LineChoice | None,
                 overview_quote: str, schedule: list[ScheduleItem], lang: str, note: str = "",
                 eligibility: EligibilityExtra | None = None) -> tuple[str, list[Quote]]:
    """What the report does not say, then what it does: the verdict (when one was asked for too),
    the planned date (for an exact-date question) or the program's overview."""
    sentences = [note] if note else []
    sentences.append(wording.partial_sentence(name, details, lang))
    used = []
    if eligibility is not None:
        sentences += eligibility_wording.eligibility_sentences(
            eligibility.program, eligibility.verdict, eligibility.profile.facts, lang)[:1]
    for item in schedule[:1]:
        sentences.append(wording.schedule_sentence(item.program, item.entry, item.status, item.edition, lang))
    if overview is not None and len(sentences) < MAX_SENTENCES and not (schedule or eligibility):
        sentences.append(wording.overview_sentence(overview_quote, overview.line.number, lang))
        used.append(Quote(overview_quote, overview.line.number, overview.passage.id))
    return " ".join(sentences), used


def refusal_text(status: str, lang: str, note: str = "") -> str:
    sentence = wording.clarify_sentence(lang) if status == "clarify" else wording.not_in_report_sentence(lang)
    return f"{note} {sentence}".strip()
