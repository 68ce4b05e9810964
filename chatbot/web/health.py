"""GET /healthz (process alive) and GET /readyz (an index is loaded; 503 otherwise)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from chatbot.web.requests import current_snapshot

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    snapshot = current_snapshot()
    return jsonify({"status": "ready", "index_version": snapshot.version,
                    "passages": len(snapshot.index.passages), "model": snapshot.index.model_name})
