"""Versioned index artefacts: checksums, atomic publish, embedding cache, refusal of damage."""
from __future__ import annotations

import json

import pytest

from chatbot.index.builder import build_index
from chatbot.programs.catalog import CatalogError
from chatbot.config import Settings
from tests.support.fake_embedder import FakeEmbedder
from chatbot.index.store import (DENSE, LINE_OFFSETS, LINE_VECTORS, MANIFEST, PASSAGES, VECTORS, IndexCorrupt,
                                 list_versions, load_current, prune_versions, read_current, set_current,
                                 sha256_file, verify_version)
from chatbot.index.passages import line_embedding_texts, quotable_lines, text_hash
from chatbot.finder.service import FinderService, NotReady
from tests.support.wait import wait_until


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting how many texts it was asked to embed."""

    def __init__(self):
        super().__init__(64)
        self.calls = 0

    def embed_batch(self, texts, *, kind="passage"):
        self.calls += len(texts)
        return super().embed_batch(texts, kind=kind)


def fake_settings(index_dir, **extra):
    return Settings().with_overrides({"index_dir": index_dir, "embed_backend": "fake", "embed_model": "64", **extra})


def test_manifest_lists_every_file_with_its_checksum(fake_index_dir):
    version = read_current(fake_index_dir)
    manifest = json.loads((fake_index_dir / version / MANIFEST).read_text())
    assert manifest["version"] == version
    assert manifest["model"]["name"] == "fake:64" and manifest["dimension"] == 64
    assert manifest["passage_count"] > 300 and manifest["dense_index"] == "flat"
    for name in (PASSAGES, VECTORS, DENSE, LINE_VECTORS, LINE_OFFSETS):
        assert manifest["files"][name] == sha256_file(fake_index_dir / version / name)
    assert verify_version(fake_index_dir / version)["version"] == version


def test_same_inputs_reuse_the_version_and_skip_embedding(tmp_path):
    embedder = CountingEmbedder()
    first = build_index(fake_settings(tmp_path), embedder=embedder)
    embedded = embedder.calls
    index = load_current(tmp_path)
    distinct = {text_hash(p.embedding_text) for p in index.passages}      # the embedding cache's key
    assert first.embedded == len(distinct) > 300                      # identical passages embed once
    lines = {text_hash(text) for p in index.passages for text in line_embedding_texts(p)}
    assert first.lines_embedded == len(lines - distinct) > 0          # each distinct line text embeds once
    assert embedded == first.embedded + first.lines_embedded
    second = build_index(fake_settings(tmp_path), embedder=embedder)
    assert second.reused and second.version == first.version and embedder.calls == embedded
    forced = build_index(fake_settings(tmp_path), embedder=embedder, force=True)
    assert forced.embedded == 0 and embedder.calls == embedded      # the content-hash cache answers


def test_changed_document_reembeds_only_changed_passages(tmp_path):
    corpus = tmp_path / "corpus"
    import shutil

    shutil.copytree(Settings().corpus_dir, corpus)
    embedder = CountingEmbedder()
    first = build_index(fake_settings(tmp_path / "index", corpus_dir=corpus), embedder=embedder)
    report = corpus / "documents" / "seoul-economic-policy-office-2024.txt"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("(OECD, ’24.2.5)", "(OECD, ’24.2.6)"), encoding="utf-8")    # a line no clause quotes
    second = build_index(fake_settings(tmp_path / "index", corpus_dir=corpus), embedder=embedder)
    assert second.version != first.version
    assert second.embedded == 1 and second.lines_embedded == 1      # the changed passage and its changed line
    assert read_current(tmp_path / "index") == second.version
    assert "(OECD, ’24.2.6)" in "".join(p.text for p in load_current(tmp_path / "index").passages)


def test_a_catalog_that_misquotes_its_documents_is_refused_before_anything_is_built(tmp_path):
    """Every worker would refuse such a version (service.py): the build refuses it first, and the
    published version stays."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(Settings().corpus_dir, corpus)
    index_dir = tmp_path / "index"
    first = build_index(fake_settings(index_dir, corpus_dir=corpus), embedder=CountingEmbedder())
    report = corpus / "documents" / "seoul-economic-policy-office-2024.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("(1일 최대 1만원)", "(1일 최대 2만원)"),
                      encoding="utf-8")                  # the suit rental's late-fee clause quotes it
    with pytest.raises(CatalogError, match="interview-suit.*not found verbatim"):
        build_index(fake_settings(index_dir, corpus_dir=corpus), embedder=CountingEmbedder())
    assert read_current(index_dir) == first.version and len(list_versions(index_dir)) == 1


@pytest.mark.parametrize("damage", ["truncate", "alter", "delete"])
def test_damaged_version_is_refused_on_load_and_publish(index_copy, damage):
    version = read_current(index_copy)
    target = index_copy / version / VECTORS
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "alter":
        data = bytearray(target.read_bytes())
        data[-1] ^= 0xFF
        target.write_bytes(bytes(data))
    else:
        target.unlink()
    with pytest.raises(IndexCorrupt, match=VECTORS):
        load_current(index_copy)
    with pytest.raises(IndexCorrupt):
        set_current(index_copy, version)


def test_service_keeps_serving_the_old_version_when_the_new_one_is_corrupt(tmp_path, fake_embedder):
    index_dir = tmp_path / "index"
    old = build_index(fake_settings(index_dir), embedder=fake_embedder)
    service = FinderService(fake_settings(index_dir, reload_seconds=0), embedder=fake_embedder)
    assert service.snapshot().version == old.version
    # a second version appears and the pointer is moved to it by hand, then damaged
    import shutil

    bad = "0123456789ab"
    shutil.copytree(index_dir / old.version, index_dir / bad)
    manifest = json.loads((index_dir / bad / MANIFEST).read_text())
    manifest["version"] = bad
    (index_dir / bad / MANIFEST).write_text(json.dumps(manifest))
    (index_dir / bad / PASSAGES).write_text("truncated")
    (index_dir / "current").write_text(bad + "\n")
    wait_until(lambda: "refused" in (service.status()["error"] or ""), 10, "the watcher never tried the new version")
    assert service.snapshot().version == old.version


def test_no_index_means_not_ready(tmp_path, fake_embedder):
    service = FinderService(fake_settings(tmp_path / "empty"), embedder=fake_embedder)
    with pytest.raises(NotReady):
        service.snapshot()


def test_half_written_build_directory_is_never_a_version(tmp_path, fake_embedder):
    index_dir = tmp_path / "index"
    build_index(fake_settings(index_dir), embedder=fake_embedder)
    (index_dir / ".build-abc-123").mkdir()
    (index_dir / ".build-abc-123" / PASSAGES).write_text("{}")
    assert all(not v.startswith(".") for v in list_versions(index_dir))


def test_prune_keeps_the_current_and_the_newest(tmp_path, fake_embedder):
    index_dir = tmp_path / "index"
    corpus = tmp_path / "corpus"
    import shutil

    shutil.copytree(Settings().corpus_dir, corpus)
    report = corpus / "documents" / "seoul-economic-policy-office-2024.txt"
    original = report.read_text(encoding="utf-8")
    versions = []
    for n in range(4):
        report.write_text(original + f"\n추가 {n}\n", encoding="utf-8")
        versions.append(build_index(fake_settings(index_dir, corpus_dir=corpus, keep_versions=100),
                                    embedder=fake_embedder).version)
    set_current(index_dir, versions[0])
    removed = prune_versions(index_dir, keep=2)
    left = list_versions(index_dir)
    assert versions[0] in left and versions[-1] in left and len(left) == 2
    assert set(removed) == set(versions[1:3])


def test_a_version_serves_the_corpus_it_was_built_from(tmp_path, fake_embedder):
    """Rolling back restores the catalog and program data reviewed with that version, even after
    the live corpus directory changed."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(Settings().corpus_dir, corpus)
    index_dir = tmp_path / "index"
    old = build_index(fake_settings(index_dir, corpus_dir=corpus), embedder=fake_embedder)
    catalog = corpus / "programs.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Free interview suit rental", "Suits for free"),
                       encoding="utf-8")
    new = build_index(fake_settings(index_dir, corpus_dir=corpus), embedder=fake_embedder)
    assert new.version != old.version
    snapshot_catalog = index_dir / old.version / "data" / "programs.yaml"
    assert "Free interview suit rental" in snapshot_catalog.read_text(encoding="utf-8")
    assert verify_version(index_dir / old.version)["files"]["data/programs.yaml"] == sha256_file(snapshot_catalog)
    set_current(index_dir, old.version)
    service = FinderService(fake_settings(index_dir, corpus_dir=corpus, reload_seconds=0), embedder=fake_embedder)
    assert service.snapshot().catalog.get("interview-suit").name.en.startswith("Free interview suit rental")


def test_a_pinned_service_ignores_the_pointer(tmp_path, fake_embedder):
    index_dir = tmp_path / "index"
    first = build_index(fake_settings(index_dir), embedder=fake_embedder)
    pinned = FinderService(fake_settings(index_dir, reload_seconds=0), embedder=fake_embedder, version=first.version)
    (index_dir / "current").write_text("0123456789ab\n")
    assert pinned.snapshot().version == first.version
    with pytest.raises(NotReady, match="0123456789ab"):
        FinderService(fake_settings(index_dir), embedder=fake_embedder, version="0123456789ab").snapshot()


def test_passage_alone_tokens_are_stored_and_derived_for_older_builds(index_copy):
    """The reranker's passage-alone BM25 needs the passages' own morphemes: new builds store
    them; a version built before they were (still valid, perhaps a rollback target) derives
    the same ones on load."""
    from chatbot.index.store import tokenize_texts

    stored = load_current(index_copy)
    assert stored.text_tokens == tokenize_texts(stored.passages)
    assert stored.text_tokens != stored.tokens                   # no heading path in these
    assert stored.text_bm25.scores(["연체료"]).max() > 0

    version = read_current(index_copy)
    path = index_copy / version / PASSAGES
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "text_tokens"}, ensure_ascii=False) + "\n"
                            for r in records), encoding="utf-8")
    manifest = json.loads((index_copy / version / MANIFEST).read_text())
    manifest["files"][PASSAGES] = sha256_file(path)
    (index_copy / version / MANIFEST).write_text(json.dumps(manifest))
    older = load_current(index_copy)
    assert older.text_tokens == stored.text_tokens


def test_every_quotable_line_has_its_vector_in_passage_order(fake_index_dir):
    """The line selector compares a question with each line of the top passages: row i of a
    passage's block is the vector of its i-th quotable line, embedded after its program's name
    (the fake embedder is deterministic)."""
    index = load_current(fake_index_dir)
    embedder = FakeEmbedder(64)
    for passage in index.passages[::37]:
        texts = line_embedding_texts(passage)
        block = index.passage_line_vectors(passage.id)
        assert block is not None and len(block) == len(texts) == len(quotable_lines(passage))
        assert abs(block - embedder.embed_batch(texts)).max() < 1e-5
    assert index.passage_line_vectors("no-such-passage") is None


def test_line_offsets_that_disagree_with_the_vectors_are_refused(index_copy):
    import numpy as np

    version = read_current(index_copy)
    path = index_copy / version
    offsets = np.load(path / LINE_OFFSETS)
    np.save(path / LINE_OFFSETS, offsets[:-1])
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["files"][LINE_OFFSETS] = sha256_file(path / LINE_OFFSETS)      # a consistent but wrong write
    (path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexCorrupt, match="line vectors"):
        load_current(index_copy)


def test_a_version_built_without_line_vectors_still_loads_and_answers(index_copy, fake_embedder):
    """Versions published before line vectors existed keep serving; the selector then ranks lines
    by words and structure alone."""
    version = read_current(index_copy)
    path = index_copy / version
    manifest = json.loads((path / MANIFEST).read_text())
    for name in (LINE_VECTORS, LINE_OFFSETS):
        del manifest["files"][name]
        (path / name).unlink()
    (path / MANIFEST).write_text(json.dumps(manifest))
    index = load_current(index_copy)
    assert index.line_vectors is None and index.passage_line_vectors(index.passages[0].id) is None
    service = FinderService(fake_settings(index_copy), embedder=fake_embedder)
    answer = service.snapshot().answerer.answer("면접 정장 1년에 몇 번 빌릴 수 있어요?")
    assert answer.status in ("answered", "partial") and answer.quotes


def test_the_build_command_says_why_it_refused_a_misquoting_catalog(tmp_path, monkeypatch, capsys):
    import shutil

    from chatbot.cli import main

    corpus = tmp_path / "corpus"
    shutil.copytree(Settings().corpus_dir, corpus)
    report = corpus / "documents" / "seoul-economic-policy-office-2024.txt"
    report.write_text(report.read_text(encoding="utf-8").replace("(1일 최대 1만원)", "(1일 최대 2만원)"),
                      encoding="utf-8")
    monkeypatch.setenv("CHATBOT_CORPUS_DIR", str(corpus))
    assert main(["--index-dir", str(tmp_path / "index"), "build-index", "--quiet"]) == 2
    assert "refused: programs.yaml: program 'interview-suit'" in capsys.readouterr().err
    assert not (tmp_path / "index").exists() or not list((tmp_path / "index").iterdir())
