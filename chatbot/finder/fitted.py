"""Fitted weights files (chatbot/finder/ranker.json, chatbot/finder/answer/lines.json, chatbot/finder/answer/scope.json):
one reader. A bench script fits the weights and writes the file with what it was fitted on; a
file that is missing, unreadable or fitted for another feature set turns its stage's learned part
off (logged), never the service.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Sequence

log = logging.getLogger(__name__)


def read_fitted(path: Path, features: Sequence[str]) -> dict | None:
    """The file's contents with ``weights`` as floats for exactly ``features``, or None."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    weights = data.get("weights") or {}
    missing = [name for name in features if name not in weights]
    if missing:
        log.warning("%s lacks weights for %s; its learned stage is off", path, missing)
        return None
    return {**data, "weights": {name: float(weights[name]) for name in features}}
