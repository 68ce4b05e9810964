"""Index versions as staff see them, and publishing one (or rolling back to one).

Embedded, publishing is ``index_store.set_current``: under the index directory's lock
(index/.lock, which pruning takes too) it verifies every checksum and swaps the ``index/current``
pointer with one rename; each gunicorn worker notices within CHATBOT_RELOAD_SECONDS and swaps the
loaded version between requests. In a fleet (``DATABASE_URL``) the versions are the registry's
uploaded ones; the version is fetched and checked here, then published in one database
transaction whose notification wakes every host (index/fleet.py)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from chatbot.programs.catalog import PROGRAMS_FILE, CatalogError, load_programs
from chatbot.config import Settings
from chatbot.documents.corpus import CorpusError, load_corpus
from chatbot.index import fleet
from chatbot.index.store import DATA_DIR, IndexCorrupt, list_versions, prune_versions, read_current, set_current, verify_version
from chatbot.storage import artifacts, registry


class PublishRefused(ValueError):
    """The version cannot go live; the message says why."""


@dataclass(frozen=True)
class VersionInfo:
    version: str
    current: bool
    built_at: str
    passages: int
    model: str
    documents: list[dict]
    problem: str | None      # why the version cannot be published (checksums, manifest)


def describe(settings: Settings) -> list[VersionInfo]:
    """Every kept version, newest first: this host's, each verified against its checksums, or in a
    fleet the registry's (a version whose upload did not finish cannot be published)."""
    db = fleet.fleet_database(settings)
    if db is not None:
        current = registry.current(db)
        return [_registered(v, v.version == current) for v in reversed(registry.versions(db))]
    index_dir = Path(settings.index_dir)
    current = read_current(index_dir)
    out = []
    for version in reversed(list_versions(index_dir)):
        try:
            manifest = verify_version(index_dir / version)
            out.append(VersionInfo(version, version == current, manifest.get("built_at", ""),
                                   manifest.get("passage_count", 0), (manifest.get("model") or {}).get("name", ""),
                                   manifest.get("documents", []), None))
        except IndexCorrupt as exc:
            out.append(VersionInfo(version, version == current, "", 0, "", [], str(exc)))
    return out


def _registered(found: registry.RegisteredVersion, current: bool) -> VersionInfo:
    manifest = json.loads(found.manifest)
    return VersionInfo(found.version, current, manifest.get("built_at", ""), manifest.get("passage_count", 0),
                       (manifest.get("model") or {}).get("name", ""), manifest.get("documents", []),
                       None if found.uploaded else "its upload to the artifact store did not finish")


def publish(settings: Settings, version: str, model_name: str, by: str = "staff") -> str | None:
    """Make ``version`` live; returns the version it replaced. Refuses a version whose files do
    not match their checksums or that was built with another model than the server runs."""
    index_dir = Path(settings.index_dir)
    if settings.database_url:
        _fetch(settings, version)
    elif version not in list_versions(index_dir):
        raise PublishRefused(f"Version {version} is not kept on this server.")
    try:
        manifest = verify_version(index_dir / version)
    except IndexCorrupt as exc:
        raise PublishRefused(f"Version {version} is damaged and was not published: {exc}") from None
    built_with = (manifest.get("model") or {}).get("name")
    if built_with != model_name:
        raise PublishRefused(f"Version {version} was built with {built_with}, but the server runs {model_name}.")
    _check_catalog(settings, manifest)
    if settings.database_url:
        try:
            return fleet.publish(settings, version, by)
        except registry.NotUploaded as exc:
            raise PublishRefused(f"Version {version} cannot be published: {exc}.") from None
    previous = read_current(index_dir)
    try:
        set_current(index_dir, version)            # verifies the checksums once more, then renames
    except IndexCorrupt as exc:
        raise PublishRefused(f"Version {version} is damaged and was not published: {exc}") from None
    prune_versions(index_dir, max(settings.keep_versions, 1), protect={version})
    return previous


def _check_catalog(settings: Settings, manifest: dict) -> None:
    """The workers refuse a version whose catalog does not quote its own documents verbatim
    (the service checks the corpus snapshot the version carries); find that out here,
    before the pointer moves, rather than after every worker has refused it."""
    data = Path(settings.index_dir) / str(manifest.get("version")) / DATA_DIR
    if not (data / PROGRAMS_FILE).is_file():
        return
    try:
        load_programs(data, {d.id: d for d in load_corpus(data)})
    except (CatalogError, CorpusError) as exc:
        raise PublishRefused(f"Version {manifest.get('version')} cannot be served: its catalog does not match its "
                             f"documents ({exc}).") from None


def _fetch(settings: Settings, version: str) -> None:
    """This host's verified copy of a registered version, so the checks below can read it."""
    db = fleet.fleet_database(settings)
    if not artifacts.is_uploaded(db, version):
        raise PublishRefused(f"Version {version} is not in the artifact store (not built, or its upload did not finish).")
    try:
        fleet.ensure_local(settings, version)
    except (artifacts.ArtifactMissing, artifacts.ArtifactDamaged, IndexCorrupt) as exc:
        raise PublishRefused(f"Version {version} is damaged and was not published: {exc}") from None
    except artifacts.ArtifactStoreUnreachable as exc:
        raise PublishRefused(f"Version {version} was not published: the artifact store did not answer ({exc}). "
                             "Try again in a minute.") from None


def is_rollback(settings: Settings, version: str) -> bool:
    """Publishing a version older than the live one is a rollback (as the log and UI call it)."""
    current = fleet.current_version(settings)
    ordered = fleet.ordered_versions(settings)
    return current in ordered and version in ordered and ordered.index(version) < ordered.index(current)
