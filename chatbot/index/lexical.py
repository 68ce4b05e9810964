"""Lexical side of the hybrid index: Kiwi morphemes scored with BM25 (bm25s).

Korean glues particles and endings onto words (정장을, 빌리는), so whitespace tokens barely
match; Kiwi reduces them to morphemes and we keep the ones that carry meaning.
"""
from __future__ import annotations

import math
import threading
from typing import Sequence

import numpy as np

# Nouns, verb/adjective stems, roots, numbers, foreign words and hanja carry the meaning.
CONTENT_TAGS = ("NNG", "NNP", "NNB", "NR", "SN", "SL", "SH", "XR", "VV", "VA", "MAG")
_IGNORED_FORMS = {"하", "되", "있", "없", "것", "등", "및", "수", "거", "이"}


class KoreanTokenizer:
    """Morpheme tokenizer; one Kiwi per process. Without the typo and multi-word dictionaries
    Kiwi takes ~300 MB instead of ~500 MB per gunicorn worker, and no worker thread pool is
    started (num_workers=0), so nothing threaded exists before or after a fork."""

    _lock = threading.Lock()
    _kiwi = None

    @classmethod
    def _get(cls):
        with cls._lock:
            if cls._kiwi is None:
                from kiwipiepy import Kiwi
                cls._kiwi = Kiwi(num_workers=0, load_typo_dict=False, load_multi_dict=False)
            return cls._kiwi

    def tokenize(self, text: str) -> list[str]:
        return content_forms(self.analyse(text))

    def analyse(self, text: str) -> list[tuple[str, str]]:
        """Every morpheme as (lower-cased form, Kiwi tag): question analysis reads the tags."""
        return [(token.form.lower(), token.tag) for token in self._get().tokenize(text)]

    def tokenize_many(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.tokenize(t) for t in texts]


def content_forms(morphemes: Sequence[tuple[str, str]]) -> list[str]:
    """The morphemes that carry meaning (CONTENT_TAGS), as the index stores them."""
    return [form for form, tag in morphemes if tag.startswith(CONTENT_TAGS) and form not in _IGNORED_FORMS]


class BM25Index:
    """BM25 over pre-tokenised passages; rebuilt from stored tokens at load (it takes ms)."""

    def __init__(self, corpus_tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        import bm25s

        self._size = len(corpus_tokens)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        # an empty passage still needs a row, so give it a token no query can contain
        self._bm25.index([list(t) or ["\0"] for t in corpus_tokens], show_progress=False)
        self._vocab = set(self._bm25.vocab_dict)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        known = [t for t in query_tokens if t in self._vocab]
        if not known:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


class QueryWeights:
    """The question's distinct morphemes with their idf: how much of the question a text holds
    (the reranker's, the line selector's and the scope classifier's coverage)."""

    def __init__(self, query_tokens: Sequence[str], idf: dict[str, float]):
        self.weights = {t: idf.get(t, 0.0) for t in set(query_tokens)}
        self.total = sum(self.weights.values())

    def share(self, tokens: frozenset[str] | set[str]) -> float:
        """The idf-weighted share of the question's morphemes among ``tokens`` (0 for a question
        without weighted morphemes)."""
        if self.total <= 0:
            return 0.0
        return sum(w for t, w in self.weights.items() if t in tokens) / self.total


def idf_table(tokens: list[list[str]]) -> dict[str, float]:
    """Inverse document frequency of each morpheme over the passages."""
    df: dict[str, int] = {}
    for passage_tokens in tokens:
        for token in set(passage_tokens):
            df[token] = df.get(token, 0) + 1
    n = max(len(tokens), 1)
    return {token: math.log(1 + (n - count + 0.5) / (count + 0.5)) for token, count in df.items()}
