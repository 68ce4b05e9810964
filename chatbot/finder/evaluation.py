"""Retrieval figures of one index version on labelled questions.

The staff area shows them after every build (hit@1, hit@5, MRR and program@1 per language, on
the evaluation set's dev and test halves), and ``python -m bench.eval_retrieval`` prints them for
any split. A question is a hit at k when one of the first k passages contains its fact string,
whitespace ignored, or was judged by blind judges to answer it.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from chatbot.finder.service import FinderService
from chatbot.index.passages import Passage

EVALUATION_FILES = ("eval_dev.jsonl", "eval_test.jsonl")    # the set a build is scored on


def read_questions(paths: Iterable[Path]) -> list[dict]:
    """The answerable questions (those with a fact string) of JSON-lines files, each tagged with
    its file's split name."""
    rows = []
    for path in paths:
        name = path.stem.removeprefix("eval_")
        with open(path, encoding="utf-8") as handle:
            rows += [dict(row, split=name) for row in map(json.loads, filter(str.strip, handle)) if row.get("fact")]
    return rows


def holds_fact(text: str, fact: str) -> bool:
    """The hit criterion: the fact string appears in the passage, whitespace ignored. Not just
    collapsed: the report wraps lines inside words ("일감연계 173개" / "소")."""
    return "".join(fact.split()) in "".join(text.split())


def first_hit_rank(hits, fact: str, answers: set[str] = frozenset()) -> int | None:
    return next((rank for rank, hit in enumerate(hits, start=1)
                 if hit.passage.id in answers or holds_fact(hit.passage.text, fact)), None)


def rank_figures(ranks: list[int | None]) -> dict:
    """hit@1, hit@5 and MRR from each question's first-hit rank (None: not found)."""
    n = max(len(ranks), 1)
    return {"n": len(ranks), "hit@1": sum(1 for r in ranks if r == 1) / n,
            "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
            "mrr": sum(1 / r for r in ranks if r) / n}


@dataclass(frozen=True)
class Scored:
    """One question's outcome: where its first hit ranked and what came first."""
    question: dict
    rank: int | None
    top: Passage
    top_program: str | None
    confidence: float
    unjudged: bool          # judged scoring: the first passage is neither a hit nor judged at all


def score(service: FinderService, questions: list[dict], k: int = 5,
          judged: Mapping[str, Mapping[str, str]] | None = None) -> list[Scored]:
    snapshot = service.snapshot()
    scored = []
    for q in questions:
        result = snapshot.retriever.search(snapshot.analyse(q["question"]), top_k=k)
        verdicts = (judged or {}).get(q["id"], {})
        rank = first_hit_rank(result.hits, q["fact"], {p for p, v in verdicts.items() if v == "answers"})
        top = result.hits[0].passage
        scored.append(Scored(q, rank, top, result.programs[0][0] if result.programs else None, result.confidence,
                             judged is not None and rank != 1 and top.id not in verdicts))
    return scored


def figures(scored: list[Scored]) -> dict:
    """Per language: hit@1, hit@5, MRR, program@1 (over questions naming a program), the count of
    unjudged first passages and the sorted confidences (for calibration)."""
    by_lang: dict[str, list[Scored]] = defaultdict(list)
    for s in scored:
        by_lang[s.question["lang"]].append(s)
    report = {}
    for lang, rows in sorted(by_lang.items()):
        with_program = [s for s in rows if s.question.get("program_id") is not None]
        report[lang] = {
            **rank_figures([s.rank for s in rows]),
            "program@1": sum(1 for s in with_program if s.top_program == s.question["program_id"])
            / max(len(with_program), 1),
            "unjudged@1": sum(1 for s in rows if s.unjudged),
            "confidences": sorted(s.confidence for s in rows),
        }
    return report
