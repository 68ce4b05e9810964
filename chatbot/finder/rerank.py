"""Second retrieval stage: a linear reranker over the first stage's candidates.

The hybrid fusion (retrieval.py) usually finds the right program but, for about a third of the
questions, ranks a neighbouring passage of that program first: the audit item restating the
program instead of the 사업개요 bullet that holds the fact, a heading line instead of its body.
What tells them apart is cheap and structural: which □ heading a passage sits under (overview,
’23 results, ’24 plan, schedule, audit finding or follow-up), whether the question asks about
last year, this year or an audit finding, whether the passage states the kind of fact asked for
(facets.py), how much of the question's vocabulary it covers, and whether its words match in the
passage itself or only in the heading path every passage of the program shares.

The weights are not hand-set: ``bench/fit_ranker.py`` fits them listwise (softmax over each
question's candidates) on the training questions and the evaluation set's dev half, with an L2
pull towards the first stage's own fusion (retrieval.py, which already ranks an audit finding
below its item's response) whose strength is picked by cross-validation, and writes
``chatbot/finder/ranker.json``. The test half and the holdout are only scored (README, Measurements).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.finder.facets import FACETS
from chatbot.finder.fitted import read_fitted
from chatbot.finder.question import Question
from chatbot.index.lexical import QueryWeights
from chatbot.index.passages import Passage

WEIGHTS_FILE = Path(__file__).with_name("ranker.json")

# Where a passage sits, from the □ heading above it (the report's own vocabulary). The 2023
# audit follow-ups are the part whose title names the 행정사무감사.
KINDS = ("intro", "overview", "results", "plan", "schedule", "other",
         "audit_finding", "audit_action", "audit_plan")

FEATURES = ("dense", "lexical", "text_lexical", "section", *(f"facet_{name}" for name in FACETS), "coverage", "named",
            *(f"kind_{kind}" for kind in KINDS), "past_x_results", "this_year_x_plan", "audit_q_x_audit",
            "plain_q_x_audit", "length")


def passage_kind(passage: Passage) -> str:
    headings = [h for h in passage.section if h.startswith("□")]
    heading = headings[-1] if headings else ""
    if passage.section and "감사" in passage.section[0]:
        if not heading:
            return "audit_finding"
        return "audit_plan" if "향후" in heading and "추진내용" not in heading else "audit_action"
    if not heading:
        return "intro"
    if "사업개요" in heading:
        return "overview"
    if "성과" in heading or "실적" in heading:
        return "results"
    if "일정" in heading:
        return "schedule"
    if "계획" in heading or "방향" in heading:
        return "plan"
    return "other"


@dataclass(frozen=True)
class Candidates:
    """First-stage signals for the candidate passages (row i = passage ``ids[i]``), each min-max
    scaled over the whole index so they compare across questions."""

    ids: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray               # BM25 of the passage with its heading path
    text_lexical: np.ndarray          # BM25 of the passage alone
    section: np.ndarray
    facets: dict[str, np.ndarray]     # facet name → 0/1 per candidate: states the asked kind of fact
    named: np.ndarray                 # 0/1: the passage's program is named in the question


class PassageFeatures:
    """Per-passage facts the reranker needs, computed once per loaded index."""

    def __init__(self, passages: Sequence[Passage], tokens: Sequence[Sequence[str]]):
        kinds = [passage_kind(p) for p in passages]
        self.kind = np.array([[k == name for name in KINDS] for k in kinds], dtype=np.float32).reshape(-1, len(KINDS))
        self.audit = np.array([k.startswith("audit") for k in kinds], dtype=np.float32)
        self.finding = self.kind[:, KINDS.index("audit_finding")]
        self.results = self.kind[:, KINDS.index("results")]
        self.plan = self.kind[:, KINDS.index("plan")]
        self.length = np.array([math.log1p(len(p.text)) / 7 for p in passages], dtype=np.float32)
        self.tokens = [frozenset(t) for t in tokens]


class LinearReranker:
    def __init__(self, weights: dict[str, float], passages: PassageFeatures, idf: dict[str, float]):
        missing = [name for name in FEATURES if name not in weights]
        if missing:
            raise ValueError(f"ranker weights lack {missing}")
        self.weights = np.array([weights[name] for name in FEATURES], dtype=np.float32)
        self.passages = passages
        self.idf = idf

    def features(self, question: Question, c: Candidates) -> np.ndarray:
        """The feature matrix (one row per candidate, columns in FEATURES order)."""
        p, ids = self.passages, c.ids
        past, this_year, audit_q = (float(v) for v in (question.cues.past, question.cues.this_year, question.cues.audit))
        audit = p.audit[ids]
        return np.column_stack([
            c.dense, c.lexical, c.text_lexical, c.section, *(c.facets[name] for name in FACETS),
            self.coverage(question.query_tokens, ids), c.named, p.kind[ids],
            past * p.results[ids], this_year * p.plan[ids], audit_q * audit, (1.0 - audit_q) * audit,
            p.length[ids],
        ]).astype(np.float32)

    def coverage(self, query_tokens: Sequence[str], ids: np.ndarray) -> np.ndarray:
        """Share of the question's morphemes (idf-weighted) that the passage contains."""
        wanted = QueryWeights(query_tokens, self.idf)
        return np.array([wanted.share(self.passages.tokens[i]) for i in ids], dtype=np.float32)

    def scores(self, question: Question, candidates: Candidates) -> np.ndarray:
        return self.features(question, candidates) @ self.weights


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float] | None:
    """The fitted weights, or None when there are none (the first stage then ranks alone)."""
    data = read_fitted(path, FEATURES)
    return data["weights"] if data else None
