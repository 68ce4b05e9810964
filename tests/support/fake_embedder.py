"""The fake embedding backend, for tests of the other stages only: registered as ``fake``
(``embed_backend="fake"``, ``embed_model="64"`` = the dimension) when this module is imported.

Processes the tests start (a build job, gunicorn) import it through
``CHATBOT_EMBED_PLUGINS=tests.support.fake_embedder``, which tests/conftest.py sets."""
from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from chatbot.index.embedding import normalise, register

PLUGIN = __name__          # the value of CHATBOT_EMBED_PLUGINS that registers this backend


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
        return normalise(out)


@register("fake")
def create(model: str = "", **_options) -> FakeEmbedder:
    """``model`` is the dimension (64 when empty or not a number)."""
    return FakeEmbedder(int(model) if model.isdigit() else 64)


class QueryCounter(FakeEmbedder):
    """The fake embedder, counting the questions it embeds: one per answer the pipeline computes."""

    def __init__(self):
        super().__init__(64)
        self.questions = 0

    def embed_batch(self, texts, *, kind="passage"):
        if kind == "query":
            self.questions += len(texts)
        return super().embed_batch(texts, kind=kind)
