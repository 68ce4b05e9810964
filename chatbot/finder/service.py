"""The finder as one object: the published index, kept current, plus the models that query it.

Each gunicorn worker owns one :class:`FinderService`. It loads the version named by
``index/current`` and checks the pointer every few seconds; a newly published version is loaded
and verified beside the old one and swapped in only when it is complete, so requests already
running finish on the version they started with and a corrupt publish never replaces a good one.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from chatbot.config import Settings
from chatbot.index.embedding import Embedder, EmbedderUnavailable, create_embedder
from chatbot.index.store import IndexUnavailable, LoadedIndex, load_version, read_current
from chatbot.index.lexical import KoreanTokenizer
from chatbot.programs.catalog import Catalog, load_programs
from chatbot.programs.glossary import Glossary
from chatbot.programs.names import ProgramNames
from chatbot.documents.corpus import load_corpus
from chatbot.finder.calibration import threshold_for
from chatbot.finder.answer import lines as line_selection, scope
from chatbot.finder.pipeline import Answerer
from chatbot.finder.question import Question, QuestionAnalyzer
from chatbot.finder.retrieve import HybridRetriever, RetrievalSettings

log = logging.getLogger(__name__)


# what a version that cannot be served raises while loading (CatalogError is a ValueError)
LOAD_ERRORS = (IndexUnavailable, EmbedderUnavailable, OSError, ValueError)


class NotReady(RuntimeError):
    """No verified index is loaded yet (or the embedder cannot run): the API answers 503."""


@dataclass(frozen=True)
class Snapshot:
    """Everything one request needs, fixed for its whole duration."""

    index: LoadedIndex
    analyzer: QuestionAnalyzer
    retriever: HybridRetriever
    programs: ProgramNames
    answerer: Answerer
    catalog: Catalog | None = None     # corpus/programs.yaml, validated against this version's documents

    @property
    def version(self) -> str:
        return self.index.version

    def analyse(self, text: str, language: str | None = None) -> Question:
        return self.analyzer.analyse(text, language)


class FinderService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, version: str | None = None):
        """``version`` pins the service to one built version whatever ``index/current`` says
        (used to evaluate a build before it is published)."""
        self.settings = settings
        self._embedder = embedder
        self._pinned = version
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._pointer_seen: tuple | None = None
        self._next_check = 0.0
        self.last_error: str | None = None
        self.tokenizer = KoreanTokenizer()

    # -- models ---------------------------------------------------------------------------------
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            self._embedder = create_embedder(s.embed_backend, s.embed_model, **s.embedder_options())
        return self._embedder

    # -- the current snapshot -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The loaded version, reloading first if ``index/current`` changed since the last check."""
        if self._pinned is not None:
            if self._snapshot is None:
                try:
                    self._snapshot = self._load(self._pinned)
                except LOAD_ERRORS as exc:
                    raise NotReady(f"index version {self._pinned} refused: {exc}") from exc
            return self._snapshot
        now = time.monotonic()
        if self._snapshot is None or now >= self._next_check:
            self._maybe_reload(now)
        if self._snapshot is None:
            raise NotReady(self.last_error or "the index is not loaded yet")
        return self._snapshot

    def _pointer_state(self) -> tuple | None:
        pointer = Path(self.settings.index_dir) / "current"
        try:
            stat = os.stat(pointer)
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_ino, read_current(self.settings.index_dir))

    def _maybe_reload(self, now: float) -> None:
        with self._lock:
            self._next_check = now + self.settings.reload_seconds
            state = self._pointer_state()
            if state is None:
                self.last_error = f"no index published in {self.settings.index_dir}"
                return
            if state == self._pointer_seen and self._snapshot is not None:
                return
            self._pointer_seen = state
            version = state[2]
            if version is None:
                self.last_error = "index/current does not name a version"
                return
            if self._snapshot is not None and self._snapshot.version == version:
                return
            try:
                self._snapshot = self._load(version)
                self.last_error = None
                log.info("index version %s loaded", version)
            except LOAD_ERRORS as exc:
                self.last_error = f"index version {version} refused: {exc}"
                log.error("%s%s", self.last_error,
                          f"; still serving {self._snapshot.version}" if self._snapshot else "")

    def _load(self, version: str) -> Snapshot:
        index = load_version(Path(self.settings.index_dir), version)
        embedder = self.embedder()
        if index.model_name != embedder.name:
            raise IndexUnavailable(f"built with {index.model_name}, but the configured model is {embedder.name}")
        corpus_dir = index.data_dir          # the corpus snapshot published with this version
        retriever = HybridRetriever(index, embedder,
                                    RetrievalSettings(fusion=self.settings.fusion, rerank=self.settings.rerank))
        documents = {d["id"]: d for d in index.manifest.get("documents", [])}
        override = self.settings.min_confidence

        def threshold(language: str, model: str = embedder.name, signal: str = retriever.confidence_signal) -> float:
            return override or threshold_for(model, signal, language)

        # The programs are checked against the documents of this version's own snapshot; a bad
        # record refuses the version (CatalogError) and the previous one keeps serving.
        texts = {d.id: d for d in load_corpus(corpus_dir)}
        catalog = load_programs(corpus_dir, texts)
        programs = ProgramNames(catalog)
        analyzer = QuestionAnalyzer(programs, Glossary.load(corpus_dir), self.tokenizer, retriever.idf,
                                    catalog.texts("en"), catalog.texts("ko"))
        selector = line_selection.LineSelector(line_selection.load_weights(), self.tokenizer.tokenize, retriever.idf,
                                               index.passages, index.passage_line_vectors,
                                               line_selection.english_line_words(catalog.english_clauses()),
                                               line_selection.load_neighbours(index.model_name))
        # an override means: the share decides; the neighbour bank serves the model that embedded it
        scope_model = scope.load_model(model=index.model_name) if not override else None
        answerer = Answerer(analyzer, retriever, selector, scope_model, threshold, programs, documents, catalog,
                            today=self.settings.current_date)
        return Snapshot(index=index, analyzer=analyzer, retriever=retriever, programs=programs, answerer=answerer,
                        catalog=catalog)

    def status(self) -> dict:
        snapshot = self._snapshot
        return {
            "ready": snapshot is not None,
            "index_version": snapshot.version if snapshot else None,
            "error": self.last_error,
        }
