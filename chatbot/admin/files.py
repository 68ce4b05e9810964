"""Writing shared files safely: readers (other workers, the build process) see the old file or
the new one, never half of one. (Two staff changing the corpus at once are serialised by the
database: chatbot/storage/corpus.py.)"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from chatbot.storage.locks import file_lock

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml: 20x faster on programs.yaml


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def compose_yaml(text: str) -> yaml.Node:
    return yaml.compose(text, Loader=_LOADER)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write beside ``path``, fsync, then rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def is_locked(path: Path) -> bool:
    """Whether some process holds the lock on ``path`` right now."""
    with file_lock(path, blocking=False) as acquired:
        return not acquired
