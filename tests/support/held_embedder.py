"""The fake embedder, held while a file exists: registered as ``fake-held`` (the same vectors and
name as ``fake``, so a build reuses the fake index's embeddings) when this module is imported.

A build process started with ``CHATBOT_EMBED_PLUGINS`` naming this module and
``CHATBOT_TEST_HOLD_EMBEDDING=<path>`` waits inside each batch for as long as ``<path>`` exists:
a test can catch a build mid-way, kill it, and know it did not finish first."""
from __future__ import annotations

import os
import time
from pathlib import Path

from chatbot.index.embedding import register
from tests.support.fake_embedder import FakeEmbedder

PLUGIN = __name__
HOLD = "CHATBOT_TEST_HOLD_EMBEDDING"


class HeldEmbedder(FakeEmbedder):
    def embed_batch(self, texts, *, kind="passage"):
        hold = os.environ.get(HOLD)
        while hold and Path(hold).exists():
            time.sleep(0.05)
        return super().embed_batch(texts, kind=kind)


@register("fake-held")
def create(model: str = "", **_options) -> HeldEmbedder:
    return HeldEmbedder(int(model) if model.isdigit() else 64)
