"""Retrieval stage: hybrid search over one loaded index version.

Three signals, fused: dense similarity (multilingual embeddings: finds paraphrases and English
questions), BM25 over Kiwi morphemes (finds exact terms: 연체료, 18~34세), and routing by the
programs the question names (aliases in corpus/programs.yaml). English and colloquial words are
expanded into the report's vocabulary with corpus/glossary.yaml before the lexical search.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .embedding import Embedder
from .facets import passage_facets, question_facets
from .index_store import LoadedIndex
from .lexical import KoreanTokenizer, idf_table
from .passages import Passage
from .programs import Glossary, ProgramRegistry

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
    named_programs: list[str] = field(default_factory=list)
    confidence: float = 0.0                    # how far the best passage stands out: see peak_score
    query_tokens: list[str] = field(default_factory=list)   # the lexical query: question + glossary morphemes


@dataclass(frozen=True)
class RetrievalSettings:
    fusion: str = "weighted"       # weighted (min-max, measured best on the dev set) | rrf
    dense_weight: float = 1.0
    lexical_weight: float = 0.6
    section_weight: float = 0.5    # the □ block's similarity, so small bullets keep their context
    facet_weight: float = 0.3      # boost for passages stating the kind of fact asked for (facets.py)
    candidates: int = 100


class HybridRetriever:
    def __init__(self, index: LoadedIndex, embedder: Embedder, programs: ProgramRegistry,
                 glossary: Glossary, tokenizer: KoreanTokenizer | None = None,
                 settings: RetrievalSettings | None = None):
        self.index = index
        self.embedder = embedder
        self.programs = programs
        self.glossary = glossary
        self.tokenizer = tokenizer or KoreanTokenizer()
        self.settings = settings or RetrievalSettings()
        self._section_of = _section_groups(index)
        self._section_count = int(self._section_of.max()) + 1 if len(self._section_of) else 0
        self.idf = idf_table(index.tokens)
        self._facets = passage_facets(p.text for p in index.passages)

    # -- the three signals --------------------------------------------------------------------
    def _dense(self, question: str) -> np.ndarray:
        query = self.embedder.embed_batch([question], kind="query")
        n = len(self.index.passages)
        scores, ids = self.index.dense.search(np.ascontiguousarray(query, dtype=np.float32), n)
        dense = np.full(n, -1.0, dtype=np.float32)
        valid = ids[0] >= 0
        dense[ids[0][valid]] = scores[0][valid]
        return dense

    def expansion(self, question: str, named: list[str]) -> list[str]:
        """Report words for the question's glossary terms and for the programs it names."""
        return [*self.glossary.expand(question), *(self.programs.name(p, "ko") for p in named)]

    def lexical_query(self, question: str, named: list[str]) -> list[str]:
        return self.tokenizer.tokenize(" ".join([question, *self.expansion(question, named)]))

    def _section_scores(self, dense: np.ndarray) -> np.ndarray:
        """Each passage gets the similarity of its whole □ block (its passages' best)."""
        block_best = np.full(self._section_count, -np.inf, dtype=np.float32)
        np.maximum.at(block_best, self._section_of, dense)
        return block_best[self._section_of]

    # -- fusion -------------------------------------------------------------------------------
    def search(self, question: str, top_k: int = 5) -> RetrievalResult:
        s = self.settings
        named = list(self.programs.mentions(question))
        dense = self._dense(question)      # glossary words are not added here: measured, they hurt
        query_tokens = self.lexical_query(question, named)
        lexical = self.index.bm25.scores(query_tokens)
        section = self._section_scores(dense)
        if s.fusion == "weighted":
            fused = (s.dense_weight * _minmax(dense) + s.lexical_weight * _minmax(lexical)
                     + s.section_weight * _minmax(section))
        else:
            fused = (s.dense_weight * _rrf(dense) + s.lexical_weight * _rrf(lexical, positive_only=True)
                     + s.section_weight * _rrf(section))
        for facet in question_facets(question):
            fused = fused + s.facet_weight * self._facets[facet]
        order = np.argsort(-fused, kind="stable")
        hits = [Hit(self.index.passages[i], float(fused[i]), float(dense[i]), float(lexical[i]))
                for i in order[: max(top_k, 1)]]
        return RetrievalResult(
            hits=hits,
            programs=self._rank_programs(order[: s.candidates], fused, named),
            named_programs=named,
            confidence=peak_score(dense),
            query_tokens=query_tokens,
        )

    def _rank_programs(self, order: np.ndarray, fused: np.ndarray, named: list[str]) -> list[tuple[str, float]]:
        """Programs by the rank-discounted weight of their passages among the top candidates."""
        totals: dict[str, float] = {}
        for rank, i in enumerate(order[:20]):
            program_id = self.index.passages[i].program_id
            if program_id:
                totals[program_id] = totals.get(program_id, 0.0) + float(fused[i]) / (1 + rank) ** 0.5
        for program_id in named:            # a program the citizen named comes first
            totals[program_id] = totals.get(program_id, 0.0) + max(totals.values(), default=1.0)
        total = sum(totals.values()) or 1.0
        return sorted(((k, v / total) for k, v in totals.items()), key=lambda kv: -kv[1])


def peak_score(dense: np.ndarray) -> float:
    """How many standard deviations the best passage stands above the average one. A question
    the report answers has a passage that stands out; an off-topic one is about equally (un)like
    everything. Measured on the evaluation set this separates unanswerable questions better than
    the raw best similarity, and the same way for Korean and English (bench/calibrate.py)."""
    if len(dense) < 2 or float(dense.std()) < 1e-9:
        return 0.0
    return float((dense.max() - dense.mean()) / dense.std())


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
