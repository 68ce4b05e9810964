"""Signing in and staying signed in (issue 14, items 8 and 9): failed sign-ins make the next try
wait longer, per name and client, and a stranger cannot lock a clerk out; a per-client limit on
the form; a burst of refused attempts is one audit row; what was typed as a user name is never
stored unless it names an account; sessions live on the server, so signing out, a password change
or CHATBOT_SESSION_MAX_HOURS ends them whatever the cookie says."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from chatbot.admin import accounts, audit
from chatbot.admin.accounts import UNKNOWN_USER
from chatbot.storage.tables import login_failures
from tests.support.admin import login, make_admin_app, post, signed_in

WRONG = "wrong password!!"


def failures_happened_earlier(db, seconds: float) -> None:
    """As if the recorded failed sign-ins were ``seconds`` older: the wait they caused has passed."""
    with db.write() as conn:
        conn.execute(update(login_failures).values(at=login_failures.c.at - seconds))


def burst_rows(db) -> list[audit.AuditEntry]:
    return audit.entries(db, action="login.throttled")


# -- growing delays ----------------------------------------------------------------------------------
def test_failed_sign_ins_make_the_next_try_wait_and_the_right_password_works_after(admin_app, admin_env):
    client = admin_app.test_client()
    free = accounts.THROTTLES[0].free
    for _ in range(free):
        assert login(client, "chief", WRONG).status_code == 401
    refused = login(client, "chief")                       # the right password, too early: not even checked
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert login(admin_app.test_client(), "editor").status_code == 302   # others from this address still sign in
    failures_happened_earlier(admin_env.db, 2)
    assert login(client, "chief").status_code == 302       # after the wait, the right password works


def test_delays_double_per_client_while_the_name_alone_waits_at_most_half_a_minute(admin_env):
    db, now = admin_env.db, time.time()
    waits = []
    for _ in range(14):
        accounts.record_failure(db, "chief", "198.51.100.7", now=now)
        waits.append(accounts.throttle_wait(db, "chief", "198.51.100.7", now=now))
    assert waits[:6] == [0, 0, 1, 2, 4, 8] and waits[-1] == 15 * 60       # grows, and is capped
    for n in range(60):                                    # an attacker spreading over addresses
        accounts.record_failure(db, "editor", f"203.0.113.{n}", now=now)
    assert accounts.throttle_wait(db, "editor", "192.0.2.1", now=now) <= 30    # the clerk's own machine
    assert accounts.throttle_wait(db, "editor", "192.0.2.1", now=now + 31) == 0
    assert accounts.throttle_wait(db, "chief", "198.51.100.7", now=now + accounts.FAILURE_WINDOW + 1) == 0


def test_refused_attempts_are_one_audit_row_per_burst(admin_app, admin_env):
    client = admin_app.test_client()
    for _ in range(accounts.THROTTLES[0].free):
        login(client, "chief", WRONG)
    for _ in range(5):
        assert login(client, "chief").status_code == 429
    rows = burst_rows(admin_env.db)
    assert len(rows) == 1
    assert rows[0].target == "chief" and rows[0].detail["attempts"] == 5
    assert rows[0].detail["since"] <= rows[0].detail["last"]
    assert len(audit.entries(admin_env.db, action="login.failed")) == accounts.THROTTLES[0].free


# -- what was typed in the name box ------------------------------------------------------------------
def test_a_typed_name_is_stored_only_if_it_names_an_account(admin_app, admin_env):
    typed = "Hunter2-my-own-passphrase"                  # a password typed in the wrong box
    client = admin_app.test_client()
    assert login(client, typed, "x").status_code == 401
    assert login(client, typed, "y").status_code == 401
    assert login(client, "somebody-else", "z").status_code == 401
    assert login(client, "chief", WRONG).status_code == 401
    failed = audit.entries(admin_env.db, action="login.failed")
    assert [e.target for e in failed] == ["chief", UNKNOWN_USER, UNKNOWN_USER, UNKNOWN_USER]
    unknown = [e.detail["typed_name_digest"] for e in failed[1:]]
    assert unknown[1] == unknown[2] != unknown[0]          # one mistyped name is still recognisable
    stored = b"".join(p.read_bytes() for p in admin_env.var_dir.glob("admin.sqlite3*"))
    assert typed.lower().encode() not in stored and typed.encode() not in stored
    assert b"somebody-else" not in stored


# -- the per-client limit (Flask-Limiter) ------------------------------------------------------------
@pytest.fixture
def limited_app(make_app, admin_env):
    return lambda limit: make_admin_app(make_app, admin_env, login_rate_limit=limit)


def test_failed_sign_ins_per_client_are_limited_with_a_staff_page(limited_app, admin_env):
    client = limited_app("2 per minute").test_client()
    assert login(client, "editor", WRONG).status_code == 401
    assert login(client, "chief").status_code == 302        # signing in does not use the budget
    assert login(client, "publisher", WRONG).status_code == 401
    for _ in range(3):
        refused = login(client, "editor")
        assert refused.status_code == 429 and refused.mimetype == "text/html"
        assert "Too many failed sign-ins" in refused.get_data(as_text=True)
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    rows = burst_rows(admin_env.db)
    assert len(rows) == 1 and rows[0].target == "editor" and rows[0].detail["attempts"] == 3
    assert limited_app("off").test_client().get("/admin/login").status_code == 200


def test_failed_sign_ins_are_counted_across_hosts_sharing_redis(make_app, admin_env, redis_url, redis_prefix):
    """With REDIS_URL the sign-in throttle is one per client over every host, not one per host."""
    hosts = [make_admin_app(make_app, admin_env, login_rate_limit="2 per minute", redis_url=redis_url,
                            redis_prefix=redis_prefix).test_client() for _ in range(2)]
    assert [login(hosts[n % 2], "editor", WRONG).status_code for n in range(4)] == [401, 401, 429, 429]


# -- sessions held on the server ---------------------------------------------------------------------
def test_signing_out_makes_a_copied_cookie_worthless(admin_app):
    client = signed_in(admin_app, "editor")
    copied = client.get_cookie("finder_admin", path="/admin").value
    assert post(client, "/admin/logout").status_code == 302
    replay = admin_app.test_client()
    replay.set_cookie("finder_admin", copied, path="/admin")
    response = replay.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


def test_a_password_reset_ends_the_clerks_sessions_and_copied_cookies(admin_app, admin_env):
    clerk = signed_in(admin_app, "editor")
    copied = clerk.get_cookie("finder_admin", path="/admin").value
    boss = signed_in(admin_app, "publisher")
    editor = accounts.get_user(admin_env.db, username="editor")
    new = "a brand new passphrase"
    post(boss, f"/admin/users/{editor.id}/password", {"password": new, "confirm": new}, page="/admin/users")
    replay = admin_app.test_client()
    replay.set_cookie("finder_admin", copied, path="/admin")
    assert clerk.get("/admin/").status_code == 302 and replay.get("/admin/").status_code == 302
    assert boss.get("/admin/").status_code == 200


@pytest.mark.parametrize("max_hours, later, signed_in_still", [(12, (7, 11.5), True), (12, (7, 12.5), False),
                                                             (2, (1, 2.5), False)])
def test_a_session_ends_max_hours_after_sign_in_however_active(make_app, admin_env, monkeypatch, max_hours, later,
                                                               signed_in_still):
    """The cookie is renewed by every request (8 idle hours); the server counts from sign-in."""
    client = signed_in(make_admin_app(make_app, admin_env, session_max_hours=max_hours), "editor")
    real = time.time
    first, second = later
    monkeypatch.setattr(time, "time", lambda: real() + first * 3600)
    assert client.get("/admin/").status_code == 200               # active in between
    monkeypatch.setattr(time, "time", lambda: real() + second * 3600)
    assert (client.get("/admin/").status_code == 200) is signed_in_still
