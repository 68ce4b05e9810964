"""Build a new index version from the corpus: chunk → tokenise → embed passages and their quotable
lines (cached) → write → publish."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable

import yaml

from chatbot.programs.catalog import PROGRAMS_FILE, load_catalog
from chatbot.config import Settings
from chatbot.documents.corpus import MANIFEST_NAME, load_corpus, read_yaml
from chatbot.index import fleet
from chatbot.index.embedding import Embedder, create_embedder
from chatbot.index.store import (BuildReport, IndexCorrupt, compute_version, embed_with_cache, line_texts,
                          prune_versions, read_current, set_current, tokenize_passages, tokenize_texts,
                          verify_version, write_version)
from chatbot.index.passages import CHUNKER_VERSION, ReportChunker
from chatbot.programs.glossary import GLOSSARY_FILE
from chatbot.storage import migrate
from chatbot.storage.corpus import corpus_store
from chatbot.programs.names import ProgramNames


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def build_index(settings: Settings, embedder: Embedder | None = None, publish: bool = True,
                force: bool = False, progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build (or reuse) the version for the current corpus and model; publish it unless told not to.

    The version name is derived from the inputs, so an unchanged corpus reuses the existing
    directory after re-verifying it, and only passages whose content changed are re-embedded."""
    started = time.monotonic()
    embedder = embedder or create_embedder(settings.embed_backend, settings.embed_model, **settings.embedder_options())
    corpus_dir = _corpus_to_build(settings)      # the database's corpus, not the shipped directory
    documents = load_corpus(corpus_dir)
    # a version whose programs misquote its documents would be refused by every worker that loads
    # it (service.py): refuse it here, before anything is written or published
    catalog = load_catalog(corpus_dir / PROGRAMS_FILE, {d.id: d for d in documents})
    chunker = ReportChunker(ProgramNames(catalog))
    inputs = {
        **chunker.settings,
        "code": _code_hash(),
        "programs": _file_hash(corpus_dir / PROGRAMS_FILE),   # also served per version (service.py)
        "glossary": _file_hash(corpus_dir / GLOSSARY_FILE),
    }
    version = compute_version(documents, inputs, embedder.name)
    index_dir = settings.index_dir
    existing = index_dir / version
    if existing.is_dir() and not force:
        try:
            verify_version(existing)
            _complete(settings, version, publish, reused=True)
            return BuildReport(version, existing, _count(existing), 0, time.monotonic() - started, reused=True)
        except IndexCorrupt:
            pass                                   # rebuild it below
    passages = [p for d in documents for p in chunker.chunk(d)]
    tokens = tokenize_passages(passages)
    vectors, embedded = embed_with_cache([p.embedding_text for p in passages], embedder, index_dir, progress=progress)
    lines, offsets = line_texts(passages)
    line_vectors, lines_embedded = embed_with_cache(lines, embedder, index_dir, progress=progress)
    manifest_extra = {
        "model": {"name": embedder.name, "dimension": embedder.dimension, "backend": settings.embed_backend},
        "chunker": CHUNKER_VERSION,
        "inputs": inputs,
        "documents": [{"id": d.id, "title": d.title, "edition": d.edition, "sha256": d.sha256} for d in documents],
    }
    path = write_version(index_dir, version, passages, tokens, tokenize_texts(passages), vectors, manifest_extra,
                         data_files=corpus_snapshot(corpus_dir, documents), lines=(line_vectors, offsets))
    _complete(settings, version, publish, reused=False)
    if publish:
        prune_versions(index_dir, settings.keep_versions, protect={version})
    return BuildReport(version, path, len(passages), embedded, time.monotonic() - started,
                       lines_embedded=lines_embedded)


def _complete(settings: Settings, version: str, publish: bool, reused: bool) -> None:
    """The one place a built (or reused) version is completed. Embedded: publish moves the local
    pointer. In a fleet (DATABASE_URL): upload it to the artifact store, publish through the
    database (or else keep this host's pointer on the fleet's current version, which a build
    job evaluates against), and drop the oldest versions from the store, never the current one
    nor this one."""
    if not settings.database_url:
        if publish and not (reused and read_current(settings.index_dir) == version):
            set_current(settings.index_dir, version)
        return
    fleet.upload_version(settings, version)
    if publish:
        fleet.publish(settings, version, by="build-index")
    else:
        live = fleet.current_version(settings)
        if live is not None:
            fleet.follow(settings, live, protect={version})
    fleet.prune_store(settings, max(settings.keep_versions, 2), protect={version})


def _corpus_to_build(settings: Settings) -> Path:
    """The state database's corpus at its current revision (migrated and seeded first on a fresh
    machine), after taking in a changed shipped corpus where no staff edit stands in its way."""
    migrate.ensure_ready(settings)
    store = corpus_store(settings)
    store.sync_seed(settings.corpus_dir)
    return store.snapshot()


def corpus_snapshot(corpus_dir: Path, documents) -> dict[str, bytes]:
    """The files a version needs to be served as built: the manifest of its (active) documents,
    their texts and the programs and glossary data. Rolling back restores all of them."""
    manifest = read_yaml(corpus_dir / MANIFEST_NAME) or {}
    used = {d.id for d in documents}
    entries = [e for e in manifest.get("documents", []) if e.get("id") in used]
    files = {MANIFEST_NAME: yaml.safe_dump({"documents": entries}, allow_unicode=True, sort_keys=False).encode("utf-8")}
    for entry in entries:
        files[entry["path"]] = (corpus_dir / entry["path"]).read_bytes()
    for name in (PROGRAMS_FILE, GLOSSARY_FILE):
        if (corpus_dir / name).is_file():
            files[name] = (corpus_dir / name).read_bytes()
    return files


def _code_hash() -> str:
    """The chunker and tokenizer source: changing how passages are cut or tokenised must give a
    new version even when the corpus is the same."""
    from chatbot.index import lexical, passages

    digest = hashlib.sha256()
    for module in (passages, lexical):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def _count(path: Path) -> int:
    return verify_version(path).get("passage_count", 0)
