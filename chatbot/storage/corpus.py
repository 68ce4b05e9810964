"""The corpus as staff edit it (manifest, document texts, programs, glossary), kept in the state
database on both engines, so staff data never lives in the code checkout and every host sees
the same corpus.

The shipped corpus directory (``CHATBOT_CORPUS_DIR``) only seeds the database (:meth:`CorpusStore.sync_seed`).
The readers (``load_corpus``, the catalog, the chunker) read files as before, from
:meth:`CorpusStore.snapshot`: the database's corpus at one revision, written into a local directory
under a temporary name and then renamed, so no reader sees half of one. Every change is one
:meth:`CorpusStore.edit`: a transaction that holds the corpus lock (an advisory lock on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), hands the caller a private working copy, and stores what the caller
changed in it as the next revision, or nothing if the caller raises."""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, delete, insert, select, update

from chatbot.config import Settings
from chatbot.storage.database import Database, state_database
from chatbot.storage.locks import transaction_lock
from chatbot.storage.tables import corpus_files, corpus_state

log = logging.getLogger(__name__)

MANIFEST = "documents.yaml"      # chatbot.documents.corpus.MANIFEST_NAME (a layer above this one)
SNAPSHOTS_KEPT = 4               # older materialised revisions are removed
STALE_WORK_SECONDS = 3600
_SNAPSHOT_NAME = re.compile(r"\d+-[0-9a-f]{12}")   # <revision>-<fingerprint>: the only directories pruned


class CorpusNotSeeded(RuntimeError):
    """The database holds no corpus yet: seed it from the shipped corpus first."""


class CorpusChanged(RuntimeError):
    """The corpus moved past the revision the caller started from."""


def shipped_tree(corpus_dir: Path) -> dict[str, bytes]:
    """The shipped corpus's files; a directory without a manifest is refused rather than seeded."""
    if not (Path(corpus_dir) / MANIFEST).is_file():
        raise CorpusNotSeeded(f"no corpus to seed from: {Path(corpus_dir) / MANIFEST} not found (CHATBOT_CORPUS_DIR)")
    return read_tree(corpus_dir)


def read_tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` by its relative POSIX path; hidden names (editor and
    temporary files) are not part of a corpus."""
    directory = Path(directory)
    return {path.relative_to(directory).as_posix(): path.read_bytes()
            for path in sorted(directory.rglob("*"))
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(directory).parts)}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(hashes: dict[str, str]) -> str:
    """One hash of a corpus: its paths and their contents' hashes."""
    return sha256("".join(f"{path}\0{digest}\n" for path, digest in sorted(hashes.items())).encode("utf-8"))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class CorpusEdit:
    """Inside :meth:`CorpusStore.edit`: ``dir`` is a private copy of the corpus to change with plain
    file writes; ``conn`` is the locked transaction, for rows that must change with it."""

    dir: Path
    conn: Connection
    revision: int


class CorpusStore:
    """The corpus of one state database, materialised under ``snapshots_dir`` of this host."""

    def __init__(self, db: Database, snapshots_dir: Path):
        self.db = db
        self.snapshots_dir = Path(snapshots_dir)

    # -- seeding ----------------------------------------------------------------------------------
    @staticmethod
    def _lock(conn: Connection) -> None:
        """Held until the transaction ends; SQLite's BEGIN IMMEDIATE already serialises writers."""
        transaction_lock(conn, "corpus")

    @staticmethod
    def _state(conn: Connection):
        return conn.execute(select(corpus_state).where(corpus_state.c.id == 1)).first()

    @staticmethod
    def _hashes(conn: Connection) -> dict[str, str]:
        return dict(conn.execute(select(corpus_files.c.path, corpus_files.c.sha256)).all())

    def _import(self, conn: Connection, files: dict[str, bytes], revision: int, source: str) -> None:
        conn.execute(delete(corpus_files))
        if files:
            conn.execute(insert(corpus_files), [{"path": path, "content": data, "sha256": sha256(data),
                                                 "revision": revision} for path, data in files.items()])
        values = {"revision": revision, "changed_at": _now(), "changed_by": "seed", "seeded_from": source,
                  "seed_sha256": fingerprint({p: sha256(d) for p, d in files.items()})}
        if revision == 1:
            conn.execute(insert(corpus_state).values(id=1, **values))
        else:
            conn.execute(update(corpus_state).where(corpus_state.c.id == 1).values(**values))

    def seed_once(self, corpus_dir: Path) -> bool:
        """Import the shipped corpus if the database has none; True if this call did. Hosts
        seeding together wait for each other; the later ones find it done."""
        with self.db.read() as conn:
            if self._state(conn) is not None:
                return False
        files = shipped_tree(corpus_dir)
        with self.db.write() as conn:
            self._lock(conn)
            if self._state(conn) is not None:
                return False
            self._import(conn, files, 1, str(Path(corpus_dir).resolve()))
        log.info("corpus seeded from %s (%d files)", corpus_dir, len(files))
        return True

    def sync_seed(self, corpus_dir: Path) -> str:
        """Bring the shipped corpus in, as far as staff work allows: "seeded" (the database had
        none), "unchanged", "reseeded" (the shipped corpus changed and nobody had edited the seeded
        one: the new one replaces it as the next revision) or "kept" (staff edited it: their corpus
        stays, and the shipped one is ignored, with a warning)."""
        files = shipped_tree(corpus_dir)
        wanted = fingerprint({p: sha256(d) for p, d in files.items()})
        source = str(Path(corpus_dir).resolve())
        with self.db.read() as conn:
            state = self._state(conn)
            if state is not None and state.seed_sha256 == wanted:
                return "unchanged"
        with self.db.write() as conn:
            self._lock(conn)
            state = self._state(conn)
            if state is None:
                self._import(conn, files, 1, source)
                outcome = "seeded"
            elif state.seed_sha256 == wanted:
                return "unchanged"
            elif fingerprint(self._hashes(conn)) in (state.seed_sha256, wanted):
                self._import(conn, files, state.revision + 1, source)
                outcome = "reseeded"
            else:
                log.warning("CHATBOT_CORPUS_DIR %s differs from the corpus the database was seeded from (%s), and "
                            "staff have edited the database's corpus since: their corpus (revision %d) is used and "
                            "the shipped one is ignored", source, state.seeded_from, state.revision)
                return "kept"
        log.info("corpus %s from %s (%d files)", outcome, source, len(files))
        return outcome

    # -- reading ----------------------------------------------------------------------------------
    def revision(self) -> int:
        """The corpus revision (0: not seeded)."""
        with self.db.read() as conn:
            state = self._state(conn)
            return state.revision if state is not None else 0

    def snapshot(self) -> Path:
        """A local directory holding the database's corpus at its current revision, for reading only."""
        with self.db.read() as conn:
            if not self.db.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")   # the listing and the contents agree
            return self._materialise(conn)

    def _materialise(self, conn: Connection) -> Path:
        state = self._state(conn)
        if state is None:
            raise CorpusNotSeeded("the database holds no corpus yet: run `python -m chatbot db upgrade`")
        hashes = self._hashes(conn)
        # named by content too: a database recreated from scratch reuses revision numbers
        final = self.snapshots_dir / f"{state.revision}-{fingerprint(hashes)[:12]}"
        if final.is_dir():
            return final
        self.snapshots_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=self.snapshots_dir))
        try:
            for path, data in conn.execute(select(corpus_files.c.path, corpus_files.c.content)):
                target = work / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(bytes(data))
            os.chmod(work, 0o755)
            try:
                work.rename(final)
            except OSError:
                if not final.is_dir():             # another process got there first otherwise
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._prune(keep=final)
        return final

    def _prune(self, keep: Path) -> None:
        done = sorted((p for p in self.snapshots_dir.iterdir() if p.is_dir() and _SNAPSHOT_NAME.fullmatch(p.name)),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        for old in done[SNAPSHOTS_KEPT:]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)
        for left in self.snapshots_dir.glob(".*-*"):          # work dirs of a process killed half-way
            if left.name.startswith((".snapshot-", ".edit-")) and time.time() - left.stat().st_mtime > STALE_WORK_SECONDS:
                shutil.rmtree(left, ignore_errors=True)

    # -- changing ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def edit(self, actor: str, expected_revision: int | None = None) -> Iterator[CorpusEdit]:
        """The corpus, locked, as a private working copy: what the block leaves changed there
        becomes the next revision when it ends; if it raises, nothing is stored."""
        with self.db.write() as conn:
            self._lock(conn)
            state = self._state(conn)
            if state is None:
                raise CorpusNotSeeded("the database holds no corpus yet: run `python -m chatbot db upgrade`")
            if expected_revision is not None and state.revision != expected_revision:
                raise CorpusChanged(f"the corpus is at revision {state.revision}, not {expected_revision}")
            base = read_tree(self._materialise(conn))
            work = Path(tempfile.mkdtemp(prefix=".edit-", dir=self.snapshots_dir))
            try:
                for path, data in base.items():
                    (work / path).parent.mkdir(parents=True, exist_ok=True)
                    (work / path).write_bytes(data)
                yield CorpusEdit(work, conn, state.revision)
                after = read_tree(work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            self._store_changes(conn, state.revision + 1, base, after, actor)

    @staticmethod
    def _store_changes(conn: Connection, revision: int, base: dict[str, bytes], after: dict[str, bytes],
                       actor: str) -> None:
        changed = {path: data for path, data in after.items() if base.get(path) != data}
        gone = [path for path in base if path not in after]
        if not changed and not gone:
            return
        conn.execute(delete(corpus_files).where(corpus_files.c.path.in_(list(changed) + gone)))
        if changed:
            conn.execute(insert(corpus_files), [{"path": path, "content": data, "sha256": sha256(data),
                                                 "revision": revision} for path, data in changed.items()])
        conn.execute(update(corpus_state).where(corpus_state.c.id == 1)
                     .values(revision=revision, changed_at=_now(), changed_by=actor or "?"))


def corpus_store(settings: Settings) -> CorpusStore:
    """The state database's corpus, materialised under this host's ``var/corpus-snapshots``."""
    return CorpusStore(state_database(settings), Path(settings.var_dir) / "corpus-snapshots")


_READY: set[str] = set()          # databases this process has found seeded


def ready_store(settings: Settings) -> CorpusStore:
    """:func:`corpus_store`, seeded from the shipped corpus if it holds none (a read, once per
    process and database, when it does). The schema is the caller's: the staff area's guard and
    :func:`chatbot.storage.migrate.ensure_ready` see to it."""
    store = corpus_store(settings)
    if store.db.url not in _READY:
        store.seed_once(settings.corpus_dir)
        _READY.add(store.db.url)
    return store
