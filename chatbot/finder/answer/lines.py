"""Line selection: which line of the top passages states what was asked.

Retrieval picks passages; a citizen reads one sentence. The selector scores every bullet-level
line of the best passages with a linear model over cheap, explainable features (the passage's
reranker share and rank, the idf-weighted share of the question's words the line holds, beyond
its heading path too, character overlap, whether the line states the kind of fact asked for and
whether its "label :" names it, a legal-basis label, position and length) and the answer leads
with the best one.

The weights are fitted, not hand-set: ``python -m bench.fit_lines --write`` fits them listwise on the
training questions and the dev half (the line holding each question's fact string is the gold
line), with the L2 strength chosen by cross-validation, and writes ``chatbot/finder/answer/lines.json``.

Citizens ask the same facts again and again, in other words and languages. With the index's
embedding model, two more features read the labelled fitting questions nearest to this one
(``lines_bank.npz``: each one's embedding and the lines that state its fact): how much of their
similarity-weighted vote goes to this line, and how near the nearest one citing it is. A second set
of weights, fitted with them, scores the lines then; any other model uses the first set.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from chatbot.programs.criteria import Source
from chatbot.finder.facets import FACETS, states
from chatbot.finder.fitted import read_fitted
from chatbot.index.lexical import QueryWeights
from chatbot.index.passages import Passage, quotable_lines
from chatbot.finder.answer.nearest import nearest, unit
from chatbot.finder.question import LATIN_WORD, Question, english_forms, english_share

WEIGHTS_FILE = Path(__file__).with_name("lines.json")
BANK_FILE = Path(__file__).with_name("lines_bank.npz")
CANDIDATE_PASSAGES = 5
QUOTE_CHARS = 200

_LABEL = re.compile(r"^([^:：]{1,14}?)\s*[:：]")
_BASIS = re.compile(r"근\s*거|조\s*례|법\s*률|시행령|규\s*정")
_DIGIT = re.compile(r"\d")
# "label :" words that announce a kind of fact ("모집대상 : …", "위 치 : …", "예 산 : …")
LABEL_WORDS = {
    "who": r"대\s*상|자\s*격|모\s*집|참\s*여|선\s*발|신\s*청|요\s*건",
    "when": r"일\s*정|기\s*간|시\s*기|모\s*집|개\s*최|개\s*관|추진",
    "where": r"위\s*치|장\s*소|소\s*재|규\s*모",
    "money": r"예\s*산|사업비|금\s*액|지원금|지원\s*내용|내\s*용|단\s*가",
    "count": r"규\s*모|인\s*원|대\s*상|실\s*적|목\s*표",
    "rate": r"[율률]",
    "duration": r"기\s*간|과\s*정|운\s*영|교\s*육",
}
_LABEL_WORDS = {name: re.compile(words) for name, words in LABEL_WORDS.items()}

FEATURES = (
    "share", "log_share", "rank_1", "rank_2", "coverage", "new_coverage", "bigrams",
    "first_line", "position", "length", "has_digit", "basis", "only_line", "heading",
    *(f"states_{name}" for name in FACETS), *(f"label_{name}" for name in FACETS),
    "labelled", "labelled_no_facet",
    # the line's embedding against the question's (the index stores one vector per quotable line):
    # what lets an English question find its Korean line. Korean and other questions get their own
    # weights, and "gap" is the line's distance below the best line of the candidates.
    "dense_ko", "dense_gap_ko", "dense_other", "dense_gap_other",
    # for a question not in Korean: the share of its specific English words that the catalog's
    # English for a clause citing this line uses (a curated translation of the report's key lines)
    "catalog_english",
)
DENSE_SCALE = 5.0       # cosine differences between lines are small; scaled to the other features' range
# the nearest labelled questions' vote for a line (similarity-weighted share of the NEIGHBOURS
# nearest whose fact this line states) and the similarity of the nearest one whose fact it states
NEIGHBOUR_FEATURES = ("neighbour_line", "neighbour_line_near")
NEIGHBOURS = 20             # chosen by 5-fold MRR (3: 0.767, 5: 0.764, 10: 0.772, 20: 0.774, 40: 0.774)
SHARPNESS = 20.0

LineId = tuple[str, int]        # (document id, line number)


def neighbour_line_features(similarities: np.ndarray, gold: Sequence[frozenset[LineId]],
                            ids: Sequence[LineId]) -> np.ndarray:
    """NEIGHBOUR_FEATURES for the lines ``ids``, from a question's cosine similarities to the
    labelled questions and the lines stating each one's fact (shared with bench/fit_lines.py)."""
    out = np.zeros((len(ids), len(NEIGHBOUR_FEATURES)), dtype=np.float32)
    if not len(similarities):
        return out
    top, weights = nearest(similarities, NEIGHBOURS, SHARPNESS)
    weights /= weights.sum()
    row_of = {key: row for row, key in enumerate(ids)}
    for weight, j in zip(weights, top):
        for key in gold[j]:
            row = row_of.get(key)
            if row is not None:
                out[row, 0] += weight
                out[row, 1] = max(out[row, 1], 5 * float(similarities[j]))
    return out


@dataclass(frozen=True)
class LineBank:
    """The labelled fitting questions: their embeddings (unit length) and the lines stating each fact."""

    vectors: np.ndarray
    gold: tuple[frozenset[LineId], ...]
    model: str

    def features(self, query_vector: np.ndarray, ids: Sequence[LineId]) -> np.ndarray:
        return neighbour_line_features(self.vectors @ unit(query_vector), self.gold, ids)


def save_bank(path: Path, vectors: np.ndarray, gold: Sequence[frozenset[LineId]], model: str) -> None:
    """Gold lines flattened: per question, an offset into (document index, line number) pairs."""
    documents = sorted({d for lines in gold for d, _ in lines})
    pairs = [(documents.index(d), n) for lines in gold for d, n in sorted(lines)]
    offsets = np.cumsum([0, *(len(lines) for lines in gold)])
    np.savez_compressed(path, vectors=np.asarray(vectors, dtype=np.float16), documents=np.array(documents),
                        gold=np.array(pairs, dtype=np.int32).reshape(-1, 2), offsets=offsets.astype(np.int32),
                        model=np.array(model))


def load_bank(path: Path = BANK_FILE) -> LineBank | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            vectors = data["vectors"].astype(np.float32)
            documents = [str(d) for d in data["documents"]]
            pairs, offsets, model = data["gold"], data["offsets"], str(data["model"])
    except (OSError, KeyError, ValueError):
        return None
    if vectors.ndim != 2 or len(offsets) != len(vectors) + 1:
        return None
    gold = tuple(frozenset((documents[d], int(n)) for d, n in pairs[offsets[i]:offsets[i + 1]])
                 for i in range(len(vectors)))
    return LineBank(unit(vectors), gold, model)


def bigrams(text: str) -> frozenset[str]:
    squashed = "".join(text.lower().split())
    return frozenset(squashed[i:i + 2] for i in range(len(squashed) - 1))


@dataclass(frozen=True)
class Line:
    """One bullet-level line of a passage, with what the selector needs of it."""

    text: str
    number: int                     # its first line in the document
    position: int                   # 0-based within the passage
    tokens: frozenset[str]
    new_tokens: frozenset[str]      # tokens not in the passage's heading path
    bigrams: frozenset[str]
    label: str                      # the words before "label :", if any
    heading: bool


_LINES: dict[str, tuple[Line, ...]] = {}       # passage id → its lines, per process


@dataclass(frozen=True)
class LineChoice:
    """A line of one of the top passages, scored for the question."""

    line: Line
    passage: Passage
    rank: int                       # the passage's rank among the hits (0 = best)
    score: float

    @property
    def quote(self) -> str:
        return self.line.text


class LineSelector:
    """Scores the lines of the best passages; lines are read once per passage and worker."""

    def __init__(self, weights: dict[str, float] | None, tokenize: Callable[[str], list[str]],
                 idf: dict[str, float], passages: Sequence[Passage] = (),
                 line_vectors: Callable[[str], np.ndarray | None] | None = None,
                 english: Mapping[tuple[str, int], frozenset[str]] | None = None,
                 neighbours: tuple[dict[str, float], LineBank] | None = None):
        """``passages``: read their lines now (a worker loading an index version) rather than inside
        the first request that cites each one. ``line_vectors``: passage id → its lines' vectors
        (LoadedIndex.passage_line_vectors); without them the dense features are 0. ``english``:
        (document, line number) → English word forms the catalog uses for it (english_line_words).
        ``neighbours``: the weights over FEATURES + NEIGHBOUR_FEATURES and the bank (load_neighbours),
        used for a question with a vector."""
        self.weights = np.array([weights.get(name, 0.0) for name in FEATURES], dtype=np.float32) \
            if weights else fallback_weights()
        self.neighbour_weights, self.bank = (None, None) if neighbours is None else (
            np.array([neighbours[0][name] for name in FEATURES + NEIGHBOUR_FEATURES], dtype=np.float32), neighbours[1])
        self.tokenize = tokenize
        self.idf = idf
        self.line_vectors = line_vectors
        self.english = english or {}
        for passage in passages:
            self.lines(passage)

    def lines(self, passage: Passage) -> tuple[Line, ...]:
        """The passage's lines. A passage id hashes its document, heading path and text, so the
        lines read for one index version serve every later version that keeps the passage."""
        cached = _LINES.get(passage.id)
        if cached is None:
            heading = frozenset(self.tokenize(" ".join(passage.section)))
            cached = tuple(self._line(text, number, position, heading)
                           for position, (text, number) in enumerate(quotable_lines(passage)))
            _LINES[passage.id] = cached
        return cached

    def _line(self, text: str, number: int, position: int, heading: frozenset[str]) -> Line:
        tokens = frozenset(self.tokenize(text))
        label = _LABEL.match(text)
        return Line(text, number, position, tokens, tokens - heading, bigrams(text),
                    label.group(1) if label else "", text.startswith("□"))

    def features(self, question: Question, passages: Sequence[Passage], shares: Sequence[float],
                 query_vector: np.ndarray | None = None) -> tuple[np.ndarray, list[tuple[Line, Passage, int]]]:
        """One row per line of ``passages`` (columns in FEATURES order) and the lines themselves."""
        wanted = QueryWeights(question.query_tokens, self.idf)
        question_bigrams = bigrams(question.text)
        facets = set(question.facets)
        english_words = question.english_words if question.language != "ko" else ()
        rows, where = [], []
        for rank, (passage, share) in enumerate(zip(passages, shares)):
            lines = self.lines(passage)
            for line in lines:
                label = line.label
                rows.append([
                    share, math.log(max(share, 1e-6)) / 10, rank == 0, rank == 1,
                    wanted.share(line.tokens), wanted.share(line.new_tokens),
                    len(question_bigrams & line.bigrams) / max(len(question_bigrams), 1),
                    line.position == 0, line.position / max(len(lines) - 1, 1), math.log1p(len(line.text)) / 6,
                    bool(_DIGIT.search(line.text)), bool(_BASIS.search(label or line.text[:12])), len(lines) == 1,
                    line.heading,
                    *(name in facets and states(name, line.text) for name in FACETS),
                    *(name in facets and bool(label) and bool(_LABEL_WORDS[name].search(label)) for name in FACETS),
                    bool(label), bool(label) and not facets,
                    0.0, 0.0, 0.0, 0.0,
                    self._english_share(english_words, passage.document_id, line.number),
                ])
                where.append((line, passage, rank))
        X = np.array(rows, dtype=np.float32).reshape(-1, len(FEATURES))
        similarity = self._similarity(query_vector, passages, len(where))
        if similarity is not None:
            column = FEATURES.index("dense_ko" if question.language == "ko" else "dense_other")
            X[:, column] = DENSE_SCALE * similarity
            X[:, column + 1] = DENSE_SCALE * (similarity - similarity.max())
        return X, where

    def _english_share(self, words: tuple[str, ...], document: str, number: int) -> float:
        return english_share(words, self.english.get((document, number), frozenset())) if words else 0.0

    def _similarity(self, query_vector: np.ndarray | None, passages: Sequence[Passage], count: int) -> np.ndarray | None:
        """Cosine similarity of the question with every candidate line, or None when a vector is missing."""
        if query_vector is None or self.line_vectors is None or not count:
            return None
        matrices = [self.line_vectors(p.id) for p in passages]
        if any(m is None for m in matrices) or sum(len(m) for m in matrices) != count:
            return None
        return np.concatenate(matrices) @ query_vector.astype(np.float32)

    def rank(self, question: Question, passages: Sequence[Passage], shares: Sequence[float],
             query_vector: np.ndarray | None = None) -> list[LineChoice]:
        """The lines of the top passages, best first."""
        passages, shares = list(passages)[:CANDIDATE_PASSAGES], list(shares)[:CANDIDATE_PASSAGES]
        X, where = self.features(question, passages, shares, query_vector)
        if not where:
            return []
        scores = self.scores(X, where, query_vector)
        order = np.argsort(-scores, kind="stable")
        return [LineChoice(where[i][0], where[i][1], where[i][2], float(scores[i])) for i in order]


    def without_neighbours(self) -> LineSelector:
        """This selector with the base weights only: for fitting on questions that are in the bank
        themselves (bench/fit_scope.py), whose own gold line the bank would hand them."""
        plain = copy.copy(self)
        plain.bank = plain.neighbour_weights = None
        return plain

    def scores(self, X: np.ndarray, where: Sequence[tuple[Line, Passage, int]],
               query_vector: np.ndarray | None) -> np.ndarray:
        """The lines' scores: with the nearest labelled questions when there is a bank and a vector."""
        if self.bank is None or query_vector is None:
            return X @ self.weights
        ids = [(passage.document_id, line.number) for line, passage, _ in where]
        return np.hstack([X, self.bank.features(query_vector, ids)]) @ self.neighbour_weights


def english_line_words(clauses: Iterable[tuple[Source, str]]) -> dict[tuple[str, int], frozenset[str]]:
    """(document, line number) → the word forms of the English the catalog gives every clause
    citing that line (Catalog.english_clauses)."""
    out: dict[tuple[str, int], set[str]] = {}
    for clause, english in clauses:
        forms = {form for word in LATIN_WORD.findall(english.lower()) for form in english_forms(word)}
        for number in range(clause.lines[0], clause.lines[1] + 1):
            out.setdefault((clause.document, number), set()).update(forms)
    return {key: frozenset(words) for key, words in out.items()}


def shorten(text: str, wanted: frozenset[str] | set[str], tokenize: Callable[[str], list[str]],
            limit: int = QUOTE_CHARS) -> str:
    """A long line cut to the run of its clauses that holds most of the question's words, so the
    quote stays readable and still holds the fact."""
    if len(text) <= limit:
        return text
    clauses = [c for c in re.split(r"(?<=[,;.)」])\s+", text) if c]
    hits = [wanted & set(tokenize(clause)) for clause in clauses]       # each clause read once
    best, best_score = "", -1.0
    for start in range(len(clauses)):
        window, found = "", set()
        for clause, clause_hits in zip(clauses[start:], hits[start:]):
            joined = f"{window} {clause}".strip()
            if len(joined) > limit:
                break
            window, found = joined, found | clause_hits
        if not window:
            window, found = clauses[start][:limit], hits[start]
        score = len(found) - 0.01 * start
        if score > best_score:
            best, best_score = window, score
    prefix = "… " if not text.startswith(best) else ""
    suffix = " …" if not text.endswith(best) else ""
    return f"{prefix}{best}{suffix}"


def fallback_weights() -> np.ndarray:
    """Before any fit: the passage's share and the line's coverage of the question."""
    weights = dict.fromkeys(FEATURES, 0.0)
    weights.update(share=2.0, coverage=3.0, new_coverage=2.0, first_line=0.2)
    return np.array([weights[name] for name in FEATURES], dtype=np.float32)


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float] | None:
    data = read_fitted(path, FEATURES)
    return data["weights"] if data else None


def load_neighbours(model: str, path: Path = WEIGHTS_FILE,
                    bank_path: Path = BANK_FILE) -> tuple[dict[str, float], LineBank] | None:
    """The weights with NEIGHBOUR_FEATURES and the bank, when the bank was embedded by ``model``."""
    data = read_fitted(path, FEATURES)
    extra = (data or {}).get("neighbours") or {}
    weights = extra.get("weights") or {}
    if any(name not in weights for name in FEATURES + NEIGHBOUR_FEATURES):
        return None
    bank = load_bank(bank_path)
    if bank is None or bank.model != model:
        return None
    return {name: float(weights[name]) for name in FEATURES + NEIGHBOUR_FEATURES}, bank
