"""Helpers for tests that need an index version in a state the builder no longer writes."""
from __future__ import annotations

from pathlib import Path


def edit_version_catalog(index_dir: Path, version: str, edit) -> None:
    """Rewrite a built version's catalog snapshot (``edit``: text → text) and its checksum, as a
    version written before builds checked their catalog could be: the build itself now refuses
    a catalog that misquotes its documents, so only this way can the serving side's own refusal
    be tested."""
    import json

    from chatbot.index.store import MANIFEST, sha256_file

    snapshot = index_dir / version / "data" / "programs.yaml"
    snapshot.write_text(edit(snapshot.read_text(encoding="utf-8")), encoding="utf-8")
    manifest_path = index_dir / version / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["data/programs.yaml"] = sha256_file(snapshot)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
