"""Index versions as staff see them, and publishing one (or rolling back to one).

Publishing is ``index_store.set_current``: under the index directory's lock (index/.lock, which
pruning takes too) it verifies every checksum and swaps the ``index/current`` pointer with one
rename; each gunicorn worker notices within CHATBOT_RELOAD_SECONDS and swaps the loaded version
between requests."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatbot.programs.catalog import PROGRAMS_FILE, CatalogError, load_programs
from chatbot.config import Settings
from chatbot.documents.corpus import CorpusError, load_corpus
from chatbot.index.store import DATA_DIR, IndexCorrupt, list_versions, prune_versions, read_current, set_current, verify_version


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


def describe(index_dir: Path) -> list[VersionInfo]:
    """Every kept version, newest first, each verified against its checksums."""
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


def publish(settings: Settings, version: str, model_name: str) -> str | None:
    """Make ``version`` live; returns the version it replaced. Refuses a version whose files do
    not match their checksums or that was built with another model than the server runs."""
    index_dir = Path(settings.index_dir)
    if version not in list_versions(index_dir):
        raise PublishRefused(f"Version {version} is not kept on this server.")
    try:
        manifest = verify_version(index_dir / version)
    except IndexCorrupt as exc:
        raise PublishRefused(f"Version {version} is damaged and was not published: {exc}") from None
    built_with = (manifest.get("model") or {}).get("name")
    if built_with != model_name:
        raise PublishRefused(f"Version {version} was built with {built_with}, but the server runs {model_name}.")
    _check_catalog(settings, manifest)
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


def is_rollback(index_dir: Path, version: str) -> bool:
    """Publishing a version older than the live one is a rollback (as the log and UI call it)."""
    current = read_current(index_dir)
    ordered = list_versions(index_dir)
    return current in ordered and version in ordered and ordered.index(version) < ordered.index(current)
