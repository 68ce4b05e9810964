"""X-Request-ID: every response carries one, whatever answers it (the API, pages, static files,
the staff area, each kind of error), and every JSON error body repeats it. A client's id is kept
when it is a sane token and replaced otherwise."""
from __future__ import annotations

import re

import pytest

ID = "X-Request-ID"
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def apps(make_app, fake_index_dir, tmp_path):
    """The app, one whose rate limit is one request, and one with no index published (503)."""
    app = make_app(fake_index_dir, var_dir=tmp_path / "var", feedback_db=tmp_path / "fb.sqlite3")

    @app.get("/boom")
    def _boom():
        raise RuntimeError("an unexpected failure")

    limited = make_app(fake_index_dir, rate_limit="1 per minute")
    limited.test_client().get("/api/programs")                       # spends the budget
    return {"app": app, "limited": limited, "empty": make_app(tmp_path / "no-index")}


RESPONSES = [
    ("app", "GET", "/api/programs", {}, 200),
    ("app", "POST", "/api/ask", {"json": {"question": "청년취업사관학교 대상은?"}}, 200),
    ("app", "GET", "/", {}, 200),                                    # the full-page widget
    ("app", "GET", "/demo", {}, 200),
    ("app", "GET", "/widget.js", {}, 200),
    ("app", "GET", "/static/page.css", {}, 200),
    ("app", "GET", "/healthz", {}, 200),
    ("app", "GET", "/no/such/page", {}, 404),
    ("app", "GET", "/api/programs/no-such-program", {}, 404),
    ("app", "GET", "/api/ask", {}, 405),
    ("app", "POST", "/api/ask", {"data": "x" * 20000, "content_type": "application/json"}, 413),
    ("app", "POST", "/api/ask", {"data": "question", "content_type": "text/plain"}, 415),
    ("app", "POST", "/api/ask", {"json": {"question": ""}}, 400),
    ("limited", "GET", "/api/programs", {}, 429),
    ("app", "GET", "/boom", {}, 500),
    ("empty", "POST", "/api/ask", {"json": {"question": "청년"}}, 503),
    ("empty", "GET", "/readyz", {}, 503),
    ("app", "GET", "/admin/login", {}, 200),                         # the staff area: a page
    ("app", "GET", "/admin/", {}, 302),                              # and its redirect to sign in
    ("app", "POST", "/admin/login", {"data": {"username": "x"}}, 400),  # and its own HTML error (CSRF)
]


def test_every_response_carries_a_request_id_that_its_error_body_repeats(apps):
    """One test over every kind of response (the three apps load their index once)."""
    for which, method, path, kwargs, status in RESPONSES:
        client = apps[which].test_client()
        where = f"{method} {path} ({status})"
        generated = client.open(path, method=method, **kwargs)
        assert generated.status_code == status, where
        assert GENERATED.fullmatch(generated.headers.get(ID, "")), where
        if generated.is_json and "error" in generated.get_json():
            assert generated.get_json()["error"]["request_id"] == generated.headers[ID], where

        sent = client.open(path, method=method, headers={ID: "edge-7f3a.b_9"}, **kwargs)
        assert sent.status_code == status and sent.headers.get(ID) == "edge-7f3a.b_9", where   # a proxy's id is kept
        if sent.is_json and "error" in sent.get_json():
            assert sent.get_json()["error"]["request_id"] == "edge-7f3a.b_9", where


@pytest.mark.parametrize("bad", ["a" * 65, "two words", 'id","level":"critical', "<script>", "ünï", ""])
def test_an_insane_client_id_is_replaced(client, bad):
    response = client.get("/no/such/page", headers={ID: bad})
    assert GENERATED.fullmatch(response.headers[ID])
    assert response.get_json()["error"]["request_id"] == response.headers[ID]


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/api/programs").headers[ID] for _ in range(5)}
    assert len(ids) == 5
