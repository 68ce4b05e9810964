"""Reading /api/ask answers in tests."""
from __future__ import annotations


def answer_body(client, **body) -> dict:
    """The 200 response to ``body`` without what differs per request (answer_id, took_ms)."""
    response = client.post("/api/ask", json=body)
    assert response.status_code == 200
    return {k: v for k, v in response.get_json().items() if k not in ("answer_id", "took_ms")}
