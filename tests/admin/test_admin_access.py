"""Who may do what in /admin: anonymous users and wrong roles are refused on every route, every
form needs its CSRF token, sessions end with a password change, and the first account comes from
the CLI with no default password. Throttled sign-ins and server-side sessions: test_admin_signin.py."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from chatbot.admin import accounts
from chatbot.config import PROJECT_ROOT
from chatbot.storage.database import database, sqlite_url
from tests.support.admin import PASSWORD, csrf_token, login, post, signed_in

SAMPLE_ARGS = {"user_id": 1, "job_id": 1, "version": "0123456789ab", "upload_id": "0123456789abcdef",
               "document_id": "seoul-economic-policy-office-2024", "program_id": "youth-academy"}
PUBLISHER_ONLY = {"admin.users", "admin.user_update", "admin.user_password", "admin.audit_log", "admin.publish",
                  "admin.feedback_export"}
EDITOR_ONLY = {"admin.upload", "admin.accept_upload", "admin.discard_upload", "admin.document_edit",
               "admin.document_active", "admin.program_edit", "admin.help_line", "admin.find_clause", "admin.start_build"}


PUBLIC = {"admin.login", "admin.language"}     # the sign-in page, and its language (a session choice, no data)


def admin_routes(app):
    """(endpoint, method, url) for every /admin rule, with sample values for its arguments."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in PUBLIC:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{name}>", str(SAMPLE_ARGS[name]), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_every_admin_route_is_covered_by_the_role_tables(admin_app):
    endpoints = {e for e, _, _ in admin_routes(admin_app)}
    assert {"admin.dashboard", "admin.publish", "admin.upload", "admin.program_edit"} <= endpoints
    marked = {e for e in endpoints if getattr(admin_app.view_functions[e], "_admin_role", None)}
    assert marked == PUBLISHER_ONLY | EDITOR_ONLY


def test_anonymous_users_are_sent_to_sign_in_on_every_route(admin_app, admin_env):
    client = admin_app.test_client()
    token = csrf_token(client)              # even with a valid token, no session → no access
    before = admin_env.snapshot()
    for endpoint, method, url in admin_routes(admin_app):
        response = client.open(url, method=method, data={"csrf_token": token, "active": "0"})
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/admin/login"), endpoint
    assert admin_env.snapshot() == before


@pytest.mark.parametrize("username, forbidden", [("editor", PUBLISHER_ONLY), ("publisher", EDITOR_ONLY)])
def test_wrong_roles_get_403_and_change_nothing(admin_app, admin_env, username, forbidden):
    client = signed_in(admin_app, username)
    before = admin_env.snapshot()
    for endpoint, method, url in admin_routes(admin_app):
        if endpoint not in forbidden:
            continue
        response = client.open(url, method=method, data={"csrf_token": csrf_token(client, "/admin/")})
        assert response.status_code == 403, (username, endpoint, method)
        assert "role" in response.get_data(as_text=True)
    assert admin_env.snapshot() == before


def test_forms_without_or_with_a_wrong_csrf_token_are_refused(admin_app, admin_env):
    client = signed_in(admin_app, "chief")
    before = admin_env.snapshot()
    for endpoint, method, url in admin_routes(admin_app):
        if method != "POST":
            continue
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data={**data, "active": "0"})
            assert response.status_code == 400, (endpoint, data)
            assert "security token" in response.get_data(as_text=True)
    assert admin_env.snapshot() == before
    # the sign-in form needs one too (no login CSRF)
    anonymous = admin_app.test_client()
    response = anonymous.post("/admin/login", data={"username": "chief", "password": PASSWORD})
    assert response.status_code == 400


def test_sign_in_sets_a_hardened_cookie_and_signs_out(admin_app):
    client = admin_app.test_client()
    response = login(client, "chief")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie                       # plain http on loopback
    assert client.get("/admin/").status_code == 200
    assert post(client, "/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_cookie_is_secure_behind_https(make_app, admin_env):
    app = make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir, cookie_secure="auto")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/admin/login", data={"csrf_token": token, "username": "chief", "password": PASSWORD},
                           base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_cookie_is_secure_by_default_even_over_http(make_app, admin_env):
    """Issue 14, item 7: behind a proxy nobody configured, auto mode saw http and dropped Secure;
    the default is now Secure, and only an explicit CHATBOT_COOKIE_SECURE=never (local http, as
    the other tests run: tests/support/admin.py) turns it off."""
    app = make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir)
    assert app.config["SETTINGS"].cookie_secure == "always"
    response = login(app.test_client(), "chief")
    assert response.status_code == 302 and "; Secure" in response.headers["Set-Cookie"]
    never = make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir,
                     cookie_secure="never")
    assert "Secure" not in login(never.test_client(), "chief").headers["Set-Cookie"]


def test_admin_pages_carry_security_headers(admin_app):
    response = admin_app.test_client().get("/admin/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_user_costs_a_hash_check_and_is_refused(admin_app):
    assert login(admin_app.test_client(), "nobody", PASSWORD).status_code == 401


def test_password_change_signs_out_other_sessions(admin_app, admin_env):
    first, second = signed_in(admin_app, "editor"), signed_in(admin_app, "editor")
    new = "another long passphrase"
    response = post(first, "/admin/account", {"current": PASSWORD, "password": new, "confirm": new}, page="/admin/account")
    assert response.status_code == 302
    assert first.get("/admin/").status_code == 200           # this session was renewed
    assert second.get("/admin/").status_code == 302          # the other one is signed out
    assert login(admin_app.test_client(), "editor", new).status_code == 302


def test_publisher_manages_accounts_and_disabled_users_are_signed_out(admin_app, admin_env):
    boss = signed_in(admin_app, "publisher")
    response = post(boss, "/admin/users", {"username": "newbie", "password": "short", "roles": ["editor"]},
                    page="/admin/users")
    assert response.status_code == 400                        # too short: refused
    response = post(boss, "/admin/users", {"username": "newbie", "password": "a long enough secret", "roles": ["editor"]},
                    page="/admin/users")
    assert response.status_code == 302
    newbie = signed_in(admin_app, "newbie", "a long enough secret")
    user = accounts.get_user(admin_env.db, username="newbie")
    post(boss, f"/admin/users/{user.id}", {"roles": ["editor"]}, page="/admin/users")   # unticked "active"
    assert newbie.get("/admin/").status_code == 302
    # the last active publisher cannot remove their own role
    for name in ("chief",):
        other = accounts.get_user(admin_env.db, username=name)
        post(boss, f"/admin/users/{other.id}", {"roles": ["editor"], "active": "y"}, page="/admin/users")
    me = accounts.get_user(admin_env.db, username="publisher")
    response = post(boss, f"/admin/users/{me.id}", {"roles": ["editor"], "active": "y"}, page="/admin/users")
    assert "At least one active publisher" in boss.get(response.headers["Location"]).get_data(as_text=True)
    assert accounts.get_user(admin_env.db, username="publisher").has("publisher")


def test_create_admin_cli_has_no_default_password(tmp_path):
    env = {"CHATBOT_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = lambda *args, stdin="": subprocess.run([sys.executable, "-m", "chatbot", "create-admin", *args],  # noqa: E731
                                                 input=stdin, capture_output=True, text=True, cwd=PROJECT_ROOT,
                                                 env=env, timeout=60)
    refused = run("boss", "--password-stdin", stdin="\n")
    assert refused.returncode == 2 and "at least 12" in refused.stderr
    done = run("boss", "--password-stdin", stdin="a strong first password\n")
    assert done.returncode == 0, done.stderr
    user = accounts.get_user(database(sqlite_url(tmp_path / "admin.sqlite3")), username="boss")
    assert user.roles == {"editor", "publisher"}
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:")) and "a strong" not in user.password_hash
    assert run("boss", "--password-stdin", stdin="a strong first password\n").returncode == 2   # exists


def test_secret_key_is_generated_once_and_kept(tmp_path, make_app, fake_index_dir):
    first = make_app(fake_index_dir, var_dir=tmp_path)
    second = make_app(fake_index_dir, var_dir=tmp_path)
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 40 and first.secret_key == second.secret_key == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert make_app(fake_index_dir, var_dir=tmp_path, secret_key="from-the-environment").secret_key == "from-the-environment"


def test_next_parameter_cannot_redirect_off_site(admin_app):
    client = admin_app.test_client()
    token = csrf_token(client)
    response = client.post("/admin/login?next=//evil.example/x", data={"csrf_token": token, "username": "chief",
                                                                       "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"


def test_publishers_download_the_feedback_csv(admin_app):
    response = signed_in(admin_app, "publisher").get("/admin/feedback.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
