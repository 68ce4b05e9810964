"""Index versions shared by a fleet of hosts (``DATABASE_URL`` set); nothing here runs without it.

Each host keeps its local index directory as the embedded mode does (versions, ``current``): the
database is the truth about which version is current, and the artifact store holds every uploaded
version's files. A build uploads what it wrote (:func:`upload_version`); publishing moves the
database's pointer and notifies (:func:`publish`); every web worker's :class:`Follower` learns the
new version (notification, or a poll), downloads it once per host under a file lock, verifies it
and moves the local ``current``, which the worker's watcher then loads and swaps in."""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from threading import Event

from sqlalchemy.exc import SQLAlchemyError

from chatbot.config import Settings
from chatbot.index.store import (IndexCorrupt, list_versions, prune_versions, read_current, set_current,
                                 verify_version)
from chatbot.observability.outages import StoreOutage
from chatbot.storage import artifacts, registry
from chatbot.storage.database import Database, database
from chatbot.storage.locks import file_lock

log = logging.getLogger(__name__)
DOWNLOAD_LOCK = ".download.lock"    # one download per host, whichever worker gets there first


def fleet_database(settings: Settings) -> Database | None:
    """The shared database when this host is one of a fleet, else None (the embedded mode)."""
    return database(settings.database_url) if settings.database_url else None


def upload_version(settings: Settings, version: str) -> bool:
    """Put a locally built, verified version in the artifact store (once; later calls do nothing)."""
    db = fleet_database(settings)
    path = Path(settings.index_dir) / version
    manifest = verify_version(path)
    store = artifacts.artifact_store(db, settings.artifact_url)
    return artifacts.upload(db, store, version, path, manifest.get("built_at") or _now())


def ensure_local(settings: Settings, version: str) -> Path:
    """``index_dir/version``, downloaded and verified if this host lacks a sound copy. Raises
    ArtifactMissing, ArtifactDamaged or IndexCorrupt; a bad download is never left in place."""
    index_dir = Path(settings.index_dir)
    with file_lock(index_dir / DOWNLOAD_LOCK):
        for leftover in index_dir.glob(f"{artifacts.FETCHING_PREFIX}*"):   # a download killed half-way
            shutil.rmtree(leftover, ignore_errors=True)
        path = index_dir / version
        if path.is_dir():
            try:
                verify_version(path)
                return path
            except IndexCorrupt:
                log.warning("local copy of index version %s is damaged: downloading it again", version)
        db = fleet_database(settings)
        started = time.monotonic()
        store = artifacts.artifact_store(db, settings.artifact_url)
        path = artifacts.download(store, version, index_dir, verify=verify_version)
        log.info("index version %s downloaded and verified in %.1f s", version, time.monotonic() - started)
        return path


def publish(settings: Settings, version: str, by: str) -> str | None:
    """Make ``version`` current for the whole fleet (uploading this host's copy first if it was
    never uploaded); returns the version it replaced. This host's pointer follows at once."""
    db = fleet_database(settings)
    if not artifacts.is_uploaded(db, version) and (Path(settings.index_dir) / version).is_dir():
        upload_version(settings, version)          # verifies this host's copy first
    else:
        ensure_local(settings, version)            # a version no host can fetch sound is refused here
    previous = registry.publish(db, version, by)
    follow(settings, version)
    return previous


def follow(settings: Settings, version: str, protect: set[str] = frozenset()) -> None:
    """This host's ``current`` names ``version``, downloaded first if needed; older local copies
    beyond CHATBOT_KEEP_VERSIONS go (never those in ``protect``)."""
    index_dir = Path(settings.index_dir)
    if read_current(index_dir) == version and (index_dir / version).is_dir():
        return
    ensure_local(settings, version)
    set_current(index_dir, version)
    prune_versions(index_dir, max(settings.keep_versions, 2), protect={version, *protect})


def current_version(settings: Settings) -> str | None:
    """The fleet's current version, or this host's ``index/current`` in the embedded mode."""
    db = fleet_database(settings)
    return registry.current(db) if db is not None else read_current(Path(settings.index_dir))


def ordered_versions(settings: Settings) -> list[str]:
    """Versions oldest first: the fleet's uploaded ones, or this host's."""
    db = fleet_database(settings)
    if db is None:
        return list_versions(Path(settings.index_dir))
    return [v.version for v in registry.versions(db) if v.uploaded]


def prune_store(settings: Settings, keep: int, protect: set[str]) -> list[str]:
    """Delete the oldest versions from the registry and the artifact store beyond ``keep``; never
    the current one (checked in the same transaction that forgets it) nor those in ``protect``."""
    db = fleet_database(settings)
    spared = {registry.current(db), *protect}
    candidates = [v.version for v in registry.versions(db) if v.version not in spared]
    doomed = candidates[: max(0, len(candidates) - max(keep - 1, 0))]
    store = artifacts.artifact_store(db, settings.artifact_url)
    pruned = []
    for version in doomed:
        if registry.forget(db, version):          # no longer publishable from here on
            store.delete(version)
            pruned.append(version)
    return pruned


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Follower:
    """One web worker's link to the fleet: :meth:`sync` makes the local ``current`` follow the
    database's; :meth:`wait` sleeps until a publish is announced or the poll interval ends. While
    the database is unreachable the worker keeps serving what it loaded: the outage is logged once,
    counted in ``chatbot_store_errors_total{store="database",use="index_versions"}`` and retried."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.db = fleet_database(settings)
        # retried at each poll (CHATBOT_RELOAD_SECONDS, at least a second apart)
        self.outage = StoreOutage("database", "index_versions", retry_seconds=max(settings.reload_seconds, 1.0))
        self.listener = registry.PublishListener(self.db)
        self._reported: str | None = None

    def sync(self) -> str | None:
        """Follow the fleet's current version; returns why it could not (None when it did or the
        database is down, which only the outage records)."""
        if not self.outage.usable():
            self.outage.skipped()
            return None
        version = None
        try:
            self.listener.listen()            # before reading: a publish from now on wakes the watcher
            version = registry.current(self.db)
            if version is not None:
                follow(self.settings, version)
            self.outage.succeeded()
            self._reported = None
            return None
        except self.listener.errors + (SQLAlchemyError,) as exc:
            self.outage.failed(exc)
            return None
        except (artifacts.ArtifactMissing, artifacts.ArtifactDamaged, IndexCorrupt, OSError) as exc:
            problem = f"index version {version} cannot be fetched: {exc}"
            if problem != self._reported:
                log.error("%s", problem)
                self._reported = problem
            return problem

    def wait(self, stop: Event, interval: float) -> None:
        if self.db.is_sqlite or not self.outage.usable():
            stop.wait(interval)
            return
        try:
            self.listener.wait(interval)
        except self.listener.errors as exc:       # the LISTEN connection broke: poll until it reopens
            self.outage.failed(exc)
            stop.wait(interval)

    def close(self) -> None:
        self.listener.close()
