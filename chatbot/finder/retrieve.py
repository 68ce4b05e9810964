"""Retrieval stage: hybrid search over one loaded index version.

Three signals, fused: dense similarity (multilingual embeddings: finds paraphrases and English
questions), BM25 over Kiwi morphemes (finds exact terms: 연체료, 18~34세), and routing by the
programs the question names (aliases in corpus/programs.yaml). English and colloquial words are
expanded into the report's vocabulary with corpus/glossary.yaml before the lexical search.
An audit finding (the council's request) is ranked down: it restates the citizen's complaint in
the same words, so it is the most similar passage, but the answer is the city's response below it.
The best fused candidates are then reordered by the learned reranker (rerank.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from chatbot.index.embedding import Embedder
from chatbot.finder.facets import passage_facets
from chatbot.finder.question import Question
from chatbot.index.store import LoadedIndex
from chatbot.index.lexical import idf_table
from chatbot.index.passages import Passage
from chatbot.finder.rerank import Candidates, LinearReranker, PassageFeatures, load_weights
from chatbot.observability import metrics

RRF_K = 60


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float          # fused score used for ranking
    dense: float          # cosine similarity of question and passage
    lexical: float        # BM25 score


@dataclass(frozen=True)
class RetrievalResult:
    hits: list[Hit]
    programs: list[tuple[str, float]]          # program ids, best first, with a 0–1 share
    confidence: float = 0.0                    # how sure the best passage answers: see HybridRetriever.search
    peak: float = 0.0                          # how far the best fused score stands out (peak_score)
    dense_max: float = 0.0                     # the best raw cosine similarity
    query_vector: np.ndarray | None = None     # the question's embedding: lines are compared with it too


@dataclass(frozen=True)
class RetrievalSettings:
    fusion: str = "weighted"       # weighted (min-max, measured best on the dev set) | rrf
    dense_weight: float = 1.0
    lexical_weight: float = 0.6
    section_weight: float = 0.5    # the □ block's similarity, so small bullets keep their context
    facet_weight: float = 0.3      # boost for passages stating the kind of fact asked for (facets.py)
    finding_penalty: float = 0.8   # an audit finding restates the council's request; its answer is the response
    candidates: int = 100          # how many first-stage passages the reranker reorders
    rerank: bool = True            # the learned second stage (rerank.py), when weights exist


class ScaledSignals(NamedTuple):
    """The three signals of every passage on the fused scale (min-max or RRF)."""

    dense: np.ndarray
    lexical: np.ndarray
    section: np.ndarray             # the □ block's best dense similarity


@dataclass(frozen=True)
class FirstStage:
    question: Question
    query: np.ndarray              # the question's embedding
    dense: np.ndarray              # raw cosine similarity per passage
    lexical: np.ndarray            # raw BM25 per passage (with its heading path)
    fused: np.ndarray
    scaled: ScaledSignals          # the signals as fused


class HybridRetriever:
    """Ranks one index version's passages for an analysed :class:`Question`."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: RetrievalSettings | None = None):
        self.index = index
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()
        self._section_of = _section_groups(index)
        self._section_count = int(self._section_of.max()) + 1 if len(self._section_of) else 0
        self.idf = idf_table(index.tokens)
        self._facets = passage_facets(p.text for p in index.passages)
        structure = PassageFeatures(index.passages, index.tokens)
        self._token_sets = structure.tokens
        self._findings = structure.finding
        # the weights were fitted on min-max fused signals: with RRF the first stage ranks alone
        weights = load_weights() if self.settings.rerank and self.settings.fusion == "weighted" else None
        self.reranker = LinearReranker(weights, structure, self.idf) if weights else None

    # -- the three signals --------------------------------------------------------------------
    def _dense(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """The question's embedding and its cosine similarity with every passage."""
        with metrics.timing_embedding():
            query = self.embedder.embed_batch([question], kind="query")
        n = len(self.index.passages)
        scores, ids = self.index.dense.search(np.ascontiguousarray(query, dtype=np.float32), n)
        dense = np.full(n, -1.0, dtype=np.float32)
        valid = ids[0] >= 0
        dense[ids[0][valid]] = scores[0][valid]
        return query[0], dense

    def _section_scores(self, dense: np.ndarray) -> np.ndarray:
        """Each passage gets the similarity of its whole □ block (its passages' best)."""
        block_best = np.full(self._section_count, -np.inf, dtype=np.float32)
        np.maximum.at(block_best, self._section_of, dense)
        return block_best[self._section_of]

    # -- fusion, then reranking ------------------------------------------------------------
    def first_stage(self, question: Question) -> FirstStage:
        """Fused dense + lexical + □-block + facet scores for every passage."""
        s = self.settings
        query, dense = self._dense(question.text)      # glossary words are not added here: measured, they hurt
        lexical = self.index.bm25.scores(question.query_tokens)
        section = self._section_scores(dense)
        if s.fusion == "weighted":
            scaled = ScaledSignals(_minmax(dense), _minmax(lexical), _minmax(section))
        else:
            scaled = ScaledSignals(_rrf(dense), _rrf(lexical, positive_only=True), _rrf(section))
        fused = s.dense_weight * scaled.dense + s.lexical_weight * scaled.lexical + s.section_weight * scaled.section
        for facet in question.facets:
            fused = fused + s.facet_weight * self._facets[facet]
        fused = fused - s.finding_penalty * self._findings
        return FirstStage(question, query, dense, lexical, fused, scaled)

    def candidates(self, stage: FirstStage) -> Candidates:
        """The first stage's best passages with the signals the reranker weighs."""
        ids = np.argsort(-stage.fused, kind="stable")[: self.settings.candidates]
        question = stage.question
        named = set(question.named)
        return Candidates(
            ids=ids, dense=stage.scaled.dense[ids], lexical=stage.scaled.lexical[ids],
            section=stage.scaled.section[ids],
            text_lexical=_minmax(self.index.text_bm25.scores(question.query_tokens))[ids],
            facets={name: (self._facets[name][ids] if name in question.facets else np.zeros(len(ids), np.float32))
                    for name in self._facets},
            named=np.array([self.index.passages[i].program_id in named for i in ids], dtype=np.float32),
        )

    def search(self, question: Question, top_k: int = 5) -> RetrievalResult:
        """The best passages for ``question``. ``confidence`` is, with the reranker, the best
        passage's share of the candidates' softmax; without it, how far the best fused score stands
        out (peak_score). Both were measured on unanswerable questions (bench/calibrate.py); the
        share separates them best (Korean 71% refused vs 36% for the dense peak, at ~5% false refusals)."""
        stage = self.first_stage(question)
        peak = peak_score(stage.fused)
        if self.reranker is not None:
            candidates = self.candidates(stage)
            order, scores = _softmax_order(candidates.ids, self.reranker.scores(question, candidates))
            confidence = float(scores[0])
        else:
            order = np.argsort(-stage.fused, kind="stable")[: self.settings.candidates]
            scores = stage.fused[order]
            confidence = peak
        hits = [Hit(self.index.passages[i], float(score), float(stage.dense[i]), float(stage.lexical[i]))
                for i, score in zip(order[: max(top_k, 1)], scores)]
        return RetrievalResult(
            hits=hits,
            programs=self._rank_programs(order, scores, list(question.named)),
            confidence=confidence,
            peak=peak,
            dense_max=float(stage.dense.max()) if len(stage.dense) else 0.0,
            query_vector=stage.query,
        )

    def passage_tokens(self, hits: list[Hit]) -> list[frozenset[str]]:
        """The indexed morphemes (with heading paths) of these hits' passages."""
        return [self._token_sets[self.index.by_id[h.passage.id]] for h in hits]

    @property
    def confidence_signal(self) -> str:
        """Which confidence ``search`` reports: thresholds are calibrated per signal."""
        return "reranked" if self.reranker is not None else "first_stage"

    def _rank_programs(self, order: np.ndarray, scores: np.ndarray, named: list[str]) -> list[tuple[str, float]]:
        """Programs by the rank-discounted score of their passages among the top candidates."""
        totals: dict[str, float] = {}
        for rank, (i, score) in enumerate(zip(order[:20], scores[:20])):
            program_id = self.index.passages[i].program_id
            if program_id:
                totals[program_id] = totals.get(program_id, 0.0) + float(score) / (1 + rank) ** 0.5
        for program_id in named:            # a program the citizen named comes first
            totals[program_id] = totals.get(program_id, 0.0) + max(totals.values(), default=1.0)
        total = sum(totals.values()) or 1.0
        return sorted(((k, v / total) for k, v in totals.items()), key=lambda kv: -kv[1])


def peak_score(scores: np.ndarray) -> float:
    """How many standard deviations the best passage stands above the average one. A question
    the report answers has a passage that stands out; an off-topic one is about equally (un)like
    everything."""
    if len(scores) < 2 or float(scores.std()) < 1e-9:
        return 0.0
    return float((scores.max() - scores.mean()) / scores.std())


def _softmax_order(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidates best first, with the reranker's scores turned into shares of 1 (it is fitted
    as a softmax over the candidates, so a share reads as "chance this is the passage")."""
    shares = np.exp(scores - scores.max())
    shares /= shares.sum()
    order = np.argsort(-shares, kind="stable")
    return ids[order], shares[order]


def _section_groups(index: LoadedIndex) -> np.ndarray:
    """The □ block number of every passage (same document and heading path = same block)."""
    keys: dict[tuple, int] = {}
    return np.array([keys.setdefault((p.document_id, p.section), len(keys)) for p in index.passages],
                    dtype=np.int64)


def _rrf(scores: np.ndarray, positive_only: bool = False) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[order] = np.arange(1, len(scores) + 1)
    fused = 1.0 / (RRF_K + ranks)
    if positive_only:
        fused[scores <= 0] = 0.0         # BM25 zero means "no shared word", not a rank
    return fused


def _minmax(scores: np.ndarray) -> np.ndarray:
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-9:
        return np.zeros_like(scores)
    return (scores - low) / (high - low)
