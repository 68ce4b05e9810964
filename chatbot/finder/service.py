"""The finder as one object: the published index, kept current, plus the models that query it.

Each gunicorn worker owns one :class:`FinderService`. The first :meth:`FinderService.snapshot`
(gunicorn's ``post_worker_init``, before the worker takes traffic) loads the version named by
``index/current`` and starts a watcher thread in the worker; the thread checks the pointer every
``CHATBOT_RELOAD_SECONDS``, loads and verifies a newly published version beside the old one, and
swaps it in only when it is complete. Requests never load anything: they take the snapshot that
is current when they start and finish on it, and a corrupt publish never replaces a good one.
The thread is started by the first call in the worker, never in gunicorn's master (the app is not
preloaded), so no process forks after it exists.

In a fleet (``DATABASE_URL``) the thread first makes the local ``index/current`` follow the
database's current version (index/fleet.py: woken by the publish notification, polled every
``CHATBOT_RELOAD_SECONDS`` besides), downloading and verifying a version this host lacks; an
unreachable database only means the loaded version keeps serving.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from chatbot.config import Settings
from chatbot.index.embedding import Embedder, EmbedderUnavailable, create_embedder
from chatbot.index.fleet import Follower
from chatbot.index.store import IndexUnavailable, LoadedIndex, load_version, read_current
from chatbot.index.lexical import KoreanTokenizer
from chatbot.programs.catalog import Catalog, load_programs
from chatbot.programs.glossary import Glossary
from chatbot.programs.names import ProgramNames
from chatbot.documents.corpus import load_corpus
from chatbot.finder.cache import AnswerCache, AnswerKey, cached_answer
from chatbot.finder.calibration import threshold_for
from chatbot.finder.answer import lines as line_selection, scope
from chatbot.finder.pipeline import Answer, Answerer
from chatbot.finder.question import Question, QuestionAnalyzer
from chatbot.finder.retrieve import HybridRetriever, RetrievalSettings
from chatbot.finder.shared_cache import answer_cache_for
from chatbot.observability import metrics

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
    cache: AnswerCache | None = None   # answers already given (chatbot/finder/cache.py); None = none kept

    @property
    def version(self) -> str:
        return self.index.version

    def analyse(self, text: str, language: str | None = None) -> Question:
        return self.analyzer.analyse(text, language)

    def answer(self, text: str, language: str | None = None, top_k: int = 5) -> Answer:
        """The answer /api/ask gives: from the answer cache when this question was answered on this
        version, for this language, ``top_k`` and day; else from the pipeline."""
        key = AnswerKey.of(self.version, text, language, top_k, self.answerer.today())
        return cached_answer(self.cache, key, text, lambda: self.answerer.answer(text, language, top_k=top_k))


class FinderService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, version: str | None = None):
        """``version`` pins the service to one built version whatever ``index/current`` says
        (used to evaluate a build before it is published): loaded by the first call, never watched."""
        self.settings = settings
        self._embedder = embedder
        self._pinned = version
        self._lock = threading.Lock()          # one load at a time: the first one, or the watcher's
        self._snapshot: Snapshot | None = None
        self._pointer_seen: tuple | None = None
        self._watcher: threading.Thread | None = None
        # in a fleet (DATABASE_URL) the database says which version is current; the local pointer follows it
        self._fleet = Follower(settings) if settings.database_url and version is None else None
        self.last_error: str | None = None
        self.tokenizer = KoreanTokenizer()
        self.cache = answer_cache_for(settings)

    # -- models ---------------------------------------------------------------------------------
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            self._embedder = create_embedder(s.embed_backend, s.embed_model, **s.embedder_options())
        return self._embedder

    # -- the current snapshot -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The version loaded now; NotReady while there is none. The first call in a process loads
        it (and starts the watcher); every later call only reads it."""
        if self._pinned is not None:
            return self._pinned_snapshot()
        if self._watcher is None:
            self.start()
        snapshot = self._snapshot
        if snapshot is None:
            raise NotReady(self.last_error or "the index is not loaded yet")
        return snapshot

    def start(self) -> None:
        """Load the published version now, then keep watching the pointer in a daemon thread of
        this process. Idempotent; a caller arriving meanwhile waits for the first load."""
        with self._lock:
            if self._watcher is not None:
                return
            try:
                self._refresh_locked()
            finally:                                  # whatever the first load did, requests never load
                stop = threading.Event()
                watcher = threading.Thread(target=_watch, name="index-watcher", daemon=True,
                                           args=(weakref.ref(self), stop, self.settings.reload_seconds, self._fleet))
                weakref.finalize(self, stop.set)      # a discarded service (tests, CLI) ends its thread
                watcher.start()
                self._watcher = watcher

    def refresh(self) -> None:
        """Check ``index/current`` once (in a fleet, first make it follow the database's current
        version, downloading it if needed); load, verify and swap in a newly published version."""
        with self._lock:
            self._refresh_locked()

    def _pinned_snapshot(self) -> Snapshot:
        if self._snapshot is not None:
            return self._snapshot
        with self._lock:
            if self._snapshot is None:
                try:
                    self._snapshot = self._load(self._pinned)
                except LOAD_ERRORS as exc:
                    raise NotReady(f"index version {self._pinned} refused: {exc}") from exc
            return self._snapshot

    def _pointer_state(self) -> tuple | None:
        pointer = Path(self.settings.index_dir) / "current"
        try:
            stat = os.stat(pointer)
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_ino, read_current(self.settings.index_dir))

    def _refresh_locked(self) -> None:
        problem = self._fleet.sync() if self._fleet is not None else None
        if problem:
            self.last_error = problem
        state = self._pointer_state()
        if state is None:
            self.last_error = problem or f"no index published in {self.settings.index_dir}"
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
            snapshot = self._load(version)
        except LOAD_ERRORS as exc:
            self.last_error = f"index version {version} refused: {exc}"
            log.error("%s%s", self.last_error,
                      f"; still serving {self._snapshot.version}" if self._snapshot else "")
            return
        self._swap_in(snapshot)

    def _swap_in(self, snapshot: Snapshot) -> None:
        """The one place a verified version becomes the one served (a single reference swap:
        requests already running keep the snapshot they took)."""
        metrics.index_loaded(self._snapshot.version if self._snapshot else None, snapshot.version,
                             snapshot.index.model_name)
        self._snapshot = snapshot
        self.last_error = None
        if self.cache is not None:
            self.cache.keep_only(snapshot.version)
        log.info("index version %s loaded", snapshot.version)

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
                        catalog=catalog, cache=self.cache)

    def status(self) -> dict:
        snapshot = self._snapshot
        return {
            "ready": snapshot is not None,
            "index_version": snapshot.version if snapshot else None,
            "error": self.last_error,
        }


def _watch(service_ref: "weakref.ref[FinderService]", stop: threading.Event, interval: float,
           fleet: Follower | None) -> None:
    """The watcher thread: refresh every ``interval`` seconds (in a fleet, also as soon as a
    publish is announced) until the service is discarded. Holds only a weak reference between
    checks, so it never keeps a service alive."""
    try:
        while not _pause(stop, max(interval, 0.05), fleet):
            service = service_ref()
            if service is None:
                return
            try:
                service.refresh()
            except Exception:                 # never let the watcher die: the next check tries again
                log.exception("checking index/current failed")
            del service
    finally:
        if fleet is not None:
            fleet.close()


def _pause(stop: threading.Event, interval: float, fleet: Follower | None) -> bool:
    """Wait for the next check; True when the watcher should end."""
    if fleet is None:
        return stop.wait(interval)
    fleet.wait(stop, interval)
    return stop.is_set()
