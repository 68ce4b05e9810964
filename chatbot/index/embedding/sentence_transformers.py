"""The ``sentence-transformers`` backend (alias ``st``): any sentence-transformers model."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from chatbot.index.embedding.registry import EmbedderUnavailable, normalise, register


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
        return normalise(vectors)


@register("sentence-transformers", "st")
def create(model: str = "", *, query_prefix: str = "", passage_prefix: str = "",
           **_options) -> SentenceTransformerEmbedder:
    """``model``: a hub name or a local path (required)."""
    if not model:
        raise EmbedderUnavailable("EMBED_MODEL must name a sentence-transformers model or path")
    return SentenceTransformerEmbedder(model, query_prefix=query_prefix, passage_prefix=passage_prefix)
