"""GET /metrics: the Prometheus text exposition, summed over every gunicorn worker.

Behind a bearer token (``CHATBOT_METRICS_TOKEN``) sent as ``Authorization: Bearer <token>``, as
Prometheus' ``authorization`` scrape setting sends it; no token configured means the route does
not exist (404), as for the feedback export."""
from __future__ import annotations

from flask import Blueprint, Response, current_app

from chatbot.observability import metrics
from chatbot.web.errors import require_bearer

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape():
    require_bearer(current_app.config["SETTINGS"].metrics_token, "metrics")
    body, content_type = metrics.render()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
