"""Embedding security: CORS only for allowlisted origins, frame-ancestors from the same list,
per-client rate limits with a JSON 429 and Retry-After, ProxyFix only for trusted hops."""
from __future__ import annotations

import pytest

from chatbot.web.security import OriginAllowlist

ASK = {"question": "청년취업사관학교 대상은?"}
CITY = "https://economy.seoul.go.kr"


@pytest.fixture
def city_client(make_app, fake_index_dir, tmp_path):
    app = make_app(fake_index_dir, cors_origins=f"self {CITY} http://localhost:*", rate_limit="off",
                   feedback_db=tmp_path / "f.sqlite3")
    return app.test_client()


# -- CORS --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("origin", [CITY, "http://localhost:3000", "http://localhost"])
def test_allowed_origin_gets_cors_headers(city_client, origin):
    response = city_client.post("/api/ask", json=ASK, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("origin", ["https://evil.example", "http://economy.seoul.go.kr", CITY + ".evil.example",
                                    "http://localhost.evil.example:3000", "https://localhost:3000",
                                    "http://localhost:3000x", "null"])
def test_other_origins_get_no_cors_headers(city_client, origin):
    response = city_client.post("/api/ask", json=ASK, headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]          # caches must not hand one origin's answer to another


def test_preflight_for_allowed_origin(city_client):
    response = city_client.options("/api/feedback", headers={
        "Origin": CITY, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == CITY
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"].lower() == "content-type"   # header names: any case
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_preflight_approves_only_the_methods_and_headers_the_widget_uses(city_client):
    """Issue 14, item 13 (flask-cors): X-Request-ID may be sent and read; what the API does not take
    (another header, another method) is not approved, where the hand-written code approved its
    fixed lists whatever was asked."""
    ask = lambda method, headers: city_client.options("/api/ask", headers={   # noqa: E731
        "Origin": CITY, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})
    response = ask("POST", "Content-Type, X-Request-ID, X-Evil")
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"content-type", "x-request-id"}
    assert int(response.headers["Access-Control-Max-Age"]) == 600
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]
    refused = ask("DELETE", "Content-Type")
    assert refused.headers["Access-Control-Allow-Origin"] == CITY
    assert "Access-Control-Allow-Methods" not in refused.headers and "Access-Control-Max-Age" not in refused.headers


def test_preflight_for_other_origin_is_not_approved(city_client):
    response = city_client.options("/api/ask", headers={"Origin": "https://evil.example",
                                                        "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_cors_headers_only_on_api(city_client):
    for path in ("/widget.js", "/healthz", "/"):
        assert "Access-Control-Allow-Origin" not in city_client.get(path, headers={"Origin": CITY}).headers


def test_self_means_this_server(make_app, fake_index_dir, tmp_path):
    client = make_app(fake_index_dir, cors_origins="self", rate_limit="off", feedback_db=tmp_path / "f").test_client()
    own = client.post("/api/ask", json=ASK, headers={"Origin": "http://localhost"})
    other = client.post("/api/ask", json=ASK, headers={"Origin": "http://localhost:8000"})
    assert own.headers["Access-Control-Allow-Origin"] == "http://localhost"
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("spec", ["*", "economy.seoul.go.kr", "https://x.example/path", "ftp://x.example"])
def test_malformed_allowlist_is_refused_at_start(make_app, fake_index_dir, spec):
    with pytest.raises(ValueError, match="CHATBOT_CORS_ORIGINS"):
        make_app(fake_index_dir, cors_origins=spec)


def test_allowlist_as_csp_sources():
    assert OriginAllowlist(f"self, {CITY} http://localhost:*").csp_sources() == f"'self' {CITY} http://localhost:*"
    assert OriginAllowlist("").csp_sources() == "'none'"


# -- CSP ---------------------------------------------------------------------------------------------
def test_widget_page_may_be_framed_only_by_the_allowlist(city_client):
    csp = city_client.get("/").headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {CITY} http://localhost:*" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_demo_page_is_not_frameable_by_others(city_client):
    assert city_client.get("/demo").headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")


# -- rate limits -------------------------------------------------------------------------------------
@pytest.fixture
def limited(make_app, fake_index_dir, tmp_path):
    def _make(**overrides):
        config = {"rate_limit": "2 per minute", "feedback_db": tmp_path / "f.sqlite3", **overrides}
        return make_app(fake_index_dir, **config).test_client()
    return _make


def test_429_is_json_with_retry_after(limited):
    client = limited()
    for _ in range(2):
        ok = client.post("/api/ask", json=ASK)
        assert ok.status_code == 200 and "Retry-After" not in ok.headers
    response = client.post("/api/ask", json=ASK, headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 429
    assert response.json == {"error": {"code": "rate_limited",
                                       "message": "Too many requests; wait a moment and try again.",
                                       "request_id": response.headers["X-Request-ID"]}}
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"   # the widget can read it


def test_budget_is_shared_by_all_api_routes(limited):
    client = limited()
    client.post("/api/ask", json=ASK)
    client.post("/api/feedback", json={"answer_id": "x", "rating": "up"})
    assert client.post("/api/ask", json=ASK).status_code == 429


def test_pages_scripts_health_and_preflights_are_not_limited(limited):
    client = limited(rate_limit="1 per minute")
    for _ in range(4):
        for path in ("/widget.js", "/healthz", "/", "/demo"):
            assert client.get(path).status_code == 200, path
        assert client.options("/api/ask", headers={"Origin": "http://localhost:3000"}).status_code == 200
    assert client.post("/api/ask", json=ASK).status_code == 200


def test_limits_can_be_switched_off(limited):
    client = limited(rate_limit="off")
    assert all(client.post("/api/ask", json=ASK).status_code == 200 for _ in range(5))


def test_forwarded_for_is_ignored_without_trusted_proxies(limited):
    client = limited(rate_limit="1 per minute")
    assert client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429


def test_trusted_proxy_gives_each_client_its_own_budget(limited):
    client = limited(rate_limit="1 per minute", proxy_hops=1)
    assert client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200
    assert client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    # one trusted hop: a client cannot pick its address by prepending its own X-Forwarded-For entry
    spoofed = client.post("/api/ask", json=ASK, headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.2"})
    assert spoofed.status_code == 429


def test_forwarded_for_without_a_configured_proxy_is_logged_once(limited, caplog):
    """Issue 14, item 7: a proxy nobody configured would put every citizen in one bucket; the
    first X-Forwarded-For a worker sees says so loudly, later ones are only counted."""
    client = limited(rate_limit="off")
    with caplog.at_level("WARNING", logger="chatbot.web.security"):
        assert client.get("/healthz").status_code == 200
        assert not [r for r in caplog.records if r.name == "chatbot.web.security"]   # no header, nothing to say
        for address in ("203.0.113.1", "203.0.113.2"):
            assert client.get("/healthz", headers={"X-Forwarded-For": address}).status_code == 200
    warnings = [r for r in caplog.records if "CHATBOT_PROXY_HOPS" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"
    assert client.application.extensions["forwarded_unconfigured"]["requests"] == 2


def test_forwarded_for_through_a_configured_proxy_is_not_a_warning(limited, caplog):
    client = limited(rate_limit="off", proxy_hops=1)
    with caplog.at_level("WARNING", logger="chatbot.web.security"):
        client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.1"})
    assert not [r for r in caplog.records if "CHATBOT_PROXY_HOPS" in r.getMessage()]


# -- HSTS ----------------------------------------------------------------------------------------------
def test_https_responses_carry_strict_transport_security(limited):
    client = limited(rate_limit="off")
    for path in ("/", "/healthz", "/widget.js"):
        response = client.get(path, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
    behind_proxy = limited(rate_limit="off", proxy_hops=1).get("/", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_plain_http_responses_carry_no_strict_transport_security(limited):
    client = limited(rate_limit="off")
    assert "Strict-Transport-Security" not in client.get("/").headers
    # without a trusted proxy a client cannot claim https by header
    assert "Strict-Transport-Security" not in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
