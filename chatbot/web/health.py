"""GET /healthz (process alive) and GET /readyz (an index is loaded; 503 otherwise)."""
from __future__ import annotations

from typing import Literal

from flask import Blueprint, jsonify
from pydantic import Field

from chatbot.web.requests import current_snapshot
from chatbot.web.schemas import ResponseModel

bp = Blueprint("health", __name__)


class Alive(ResponseModel):
    status: Literal["ok"]


class Ready(ResponseModel):
    status: Literal["ready"]
    index_version: str
    passages: int
    model: str = Field(description="the embedding model of the loaded index")


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    snapshot = current_snapshot()
    return jsonify({"status": "ready", "index_version": snapshot.version,
                    "passages": len(snapshot.index.passages), "model": snapshot.index.model_name})
