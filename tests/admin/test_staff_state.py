"""The staff area's accounts, sessions, sign-in throttling and audit log on the data layer
(chatbot/storage), with the same behaviour on SQLite and PostgreSQL (``state_db``): user names
whatever their case, sessions ended by sign-out, a password change, deactivation and age, failed
sign-ins counted and forgotten, the audit log filtered and bursts counted once. What SQLite's one
writer at a time gave for free must hold on PostgreSQL too: publishers demoting each other at once
still leave one, a sign-in racing a password change does not outlive it. Two app instances on one
PostgreSQL database share throttling, sessions and the audit log; a database that is unreachable
or behind the code closes only the staff area (503), never the citizens' answers."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import make_url

from chatbot.admin import accounts, audit, sessions
from chatbot.admin.accounts import AccountError
from chatbot.admin.availability import UNREACHABLE
from chatbot.config import Settings
from chatbot.index import fleet
from chatbot.index.store import read_current
from chatbot.storage import migrate
from chatbot.storage.database import database
from chatbot.storage.tables import login_failures, sessions as session_rows, users
from tests.support.admin import PASSWORD, add_staff, login, post, signed_in
from tests.support.tcp_proxy import tcp_proxy

HOUR = 3600.0
WRONG = "wrong password!!"
NEW_PASSWORD = "a brand new passphrase"
ASK = {"question": "청년취업사관학교 대상은?"}


def publishers(db) -> int:
    return sum(1 for user in accounts.list_users(db) if user.has("publisher"))


def slow_down(db, marker: str, seconds: float, only: threading.Thread | None = None,
              reached: threading.Event | None = None) -> None:
    """Every statement containing ``marker`` (of thread ``only``, if given) waits ``seconds``
    after it ran, inside its transaction: long enough for another thread to run into it."""
    @event.listens_for(db.engine, "after_cursor_execute")
    def _slow(_conn, _cursor, statement, *_args):
        if marker in statement and (only is None or threading.current_thread() is only):
            if reached is not None:
                reached.set()
            time.sleep(seconds)


def run_together(*calls) -> list:
    """Each call in its own thread, started at once; what each returned or raised."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = calls[n]()
        except Exception as error:          # noqa: BLE001 - the outcome under test
            results[n] = error
    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


# -- accounts -----------------------------------------------------------------------------------------
def test_user_names_are_one_account_whatever_their_case(state_db):
    made = accounts.create_user(state_db, "Kim.Lee", PASSWORD, {"editor"})
    assert made.username == "kim.lee"
    assert accounts.get_user(state_db, username="KIM.LEE") == made
    assert accounts.authenticate(state_db, " Kim.LEE ", PASSWORD) == made
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user(state_db, "KIM.lee", "another long password", {"editor"})
    with state_db.write() as conn:          # a name with capitals, as an adopted older file may hold
        conn.execute(insert(users).values(username="Park", password_hash="h", roles="editor", created_at="t",
                                          password_changed_at="t"))
    assert accounts.get_user(state_db, username="park").username == "Park"
    assert accounts.login_name(state_db, "PARK", b"key") == "park"
    assert [u.username for u in accounts.list_users(state_db)] == ["kim.lee", "Park"]
    assert accounts.count_users(state_db) == 2


def test_the_last_active_publisher_cannot_be_demoted_or_disabled(state_db):
    add_staff(state_db)
    chief, publisher = (accounts.get_user(state_db, username=n) for n in ("chief", "publisher"))
    accounts.update_user(state_db, chief.id, {"editor"}, active=True)
    for roles, active in (({"editor"}, True), ({"publisher"}, False)):
        with pytest.raises(AccountError, match="At least one active publisher"):
            accounts.update_user(state_db, publisher.id, roles, active)
    assert accounts.get_user(state_db, user_id=publisher.id).has("publisher")     # rolled back whole


# -- sessions -----------------------------------------------------------------------------------------
def test_sessions_end_on_sign_out_password_change_and_deactivation(state_db):
    add_staff(state_db)
    editor = accounts.get_user(state_db, username="editor")
    first, second = (sessions.start(state_db, editor, 12 * HOUR) for _ in range(2))
    assert sessions.user_for(state_db, first, 12 * HOUR) == editor
    sessions.end(state_db, first)
    assert sessions.user_for(state_db, first, 12 * HOUR) is None
    assert sessions.user_for(state_db, second, 12 * HOUR) == editor
    changed = accounts.set_password(state_db, editor.id, NEW_PASSWORD)
    assert sessions.user_for(state_db, second, 12 * HOUR) is None
    assert sessions.start(state_db, editor, 12 * HOUR) is None       # authenticated with the old password
    third = sessions.start(state_db, changed, 12 * HOUR)
    assert sessions.user_for(state_db, third, 12 * HOUR) == changed
    accounts.update_user(state_db, editor.id, {"editor"}, active=False)
    assert sessions.user_for(state_db, third, 12 * HOUR) is None
    assert sessions.start(state_db, changed, 12 * HOUR) is None
    with state_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(session_rows)).scalar() == 0


def test_a_session_ends_its_lifetime_after_sign_in(state_db, monkeypatch):
    add_staff(state_db)
    editor = accounts.get_user(state_db, username="editor")
    token = sessions.start(state_db, editor, 2 * HOUR)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 1.9 * HOUR)
    assert sessions.user_for(state_db, token, 2 * HOUR) == editor
    monkeypatch.setattr(time, "time", lambda: real() + 2.1 * HOUR)
    assert sessions.user_for(state_db, token, 2 * HOUR) is None
    sessions.start(state_db, editor, 2 * HOUR)                      # a sign-in clears out the dead ones
    with state_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(session_rows)).scalar() == 1


def test_a_sign_in_racing_a_password_change_does_not_outlive_it(state_db):
    """The sign-in checked the old password; the change commits while the session is being
    written. Either the session is refused or the change ends it: never a session on the old
    password after the change."""
    add_staff(state_db)
    editor = accounts.get_user(state_db, username="editor")
    outcome: dict = {}
    reached = threading.Event()
    signing_in = threading.Thread(target=lambda: outcome.update(token=sessions.start(state_db, editor, HOUR)))
    slow_down(state_db, "users.password_hash = ", 0.5, only=signing_in, reached=reached)
    signing_in.start()
    assert reached.wait(10)
    accounts.set_password(state_db, editor.id, NEW_PASSWORD)
    signing_in.join(30)
    assert outcome["token"] is None or sessions.user_for(state_db, outcome["token"], HOUR) is None


def test_publishers_demoting_each_other_at_once_leave_one(state_db):
    add_staff(state_db)
    chief, publisher = (accounts.get_user(state_db, username=n) for n in ("chief", "publisher"))
    slow_down(state_db, "UPDATE users SET roles", 0.3)       # both changes written before either counts
    results = run_together(lambda: accounts.update_user(state_db, chief.id, {"editor"}, active=True),
                           lambda: accounts.update_user(state_db, publisher.id, {"publisher"}, active=False))
    assert sum(isinstance(r, AccountError) for r in results) == 1, results
    assert publishers(state_db) == 1


# -- throttling ---------------------------------------------------------------------------------------
def test_failed_sign_ins_are_counted_per_name_and_client_and_forgotten(state_db):
    now, ip = time.time(), "198.51.100.7"
    waits = []
    for _ in range(6):
        accounts.record_failure(state_db, "chief", ip, now=now)
        waits.append(accounts.throttle_wait(state_db, "chief", ip, now=now))
    assert waits == [0, 0, 1, 2, 4, 8]
    assert accounts.throttle_wait(state_db, "chief", "192.0.2.1", now=now) == 2       # the name, from anywhere
    accounts.clear_failures(state_db, "chief", ip)                                    # signed in at last
    assert accounts.throttle_wait(state_db, "chief", ip, now=now) == 0
    with state_db.read() as conn:                                  # the client's own count stays
        assert conn.execute(select(func.count()).select_from(login_failures)
                            .where(login_failures.c.key == f"client:{ip}")).scalar() == 6
    later = now + accounts.FAILURE_WINDOW + 1
    assert accounts.throttle_wait(state_db, "editor", ip, now=later) == 0
    accounts.record_failure(state_db, "editor", ip, now=later)                        # old ones are deleted
    with state_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(login_failures)).scalar() == 3


# -- audit log ----------------------------------------------------------------------------------------
def test_audit_rows_filter_by_action_prefix_and_target_newest_first(state_db):
    audit.record(state_db, "kim", "catalog.edit", "youth-academy", {"fields": ["이름"]}, "192.0.2.1")
    audit.record(state_db, "kim", "catalog.help")
    audit.record(state_db, "lee", "user.password_reset", "kim")
    audit.record(state_db, "lee", "user.passwordXreset", "kim")
    assert [e.action for e in audit.entries(state_db, action="catalog.")] == ["catalog.help", "catalog.edit"]
    [edit] = audit.entries(state_db, target="youth-academy")
    assert (edit.actor, edit.detail, edit.ip) == ("kim", {"fields": ["이름"]}, "192.0.2.1")
    assert [e.action for e in audit.entries(state_db, action="user.password_")] == ["user.password_reset"]
    newest, *_ = audit.entries(state_db)
    assert [e.action for e in audit.entries(state_db, before=newest.id, limit=2)] == [
        "user.password_reset", "catalog.help"]


def test_a_burst_counted_by_many_workers_at_once_is_one_row(state_db):
    count = 6
    results = run_together(*[lambda: audit.record_burst(state_db, "login.throttled", "chief", "192.0.2.9")] * count)
    assert results == [None] * count
    [row] = audit.entries(state_db, action="login.throttled")
    assert row.detail["attempts"] == count


# -- two hosts on one PostgreSQL database ----------------------------------------------------------------
@pytest.fixture
def shared_url(pg_url, admin_env) -> str:
    """A migrated PostgreSQL database with the staff of tests.support.admin."""
    db = database(pg_url)
    migrate.upgrade(db)
    add_staff(db)
    yield pg_url
    db.dispose()


def host(make_app, admin_env, url: str, name: str, index_dir=None):
    """One app instance of the fleet: its own var/ and local index cache, the shared database."""
    return make_app(index_dir or admin_env.root / name / "index", corpus_dir=admin_env.corpus_dir,
                    var_dir=admin_env.root / name, database_url=url, rate_limit="off", admin_lang="en",
                    cookie_secure="never")


def test_two_hosts_share_sign_in_throttling_sessions_and_the_audit_log(make_app, admin_env, shared_url):
    a, b = host(make_app, admin_env, shared_url, "a"), host(make_app, admin_env, shared_url, "b")
    for _ in range(accounts.THROTTLES[0].free):
        assert login(a.test_client(), "chief", WRONG).status_code == 401
    assert login(b.test_client(), "chief").status_code == 429              # the right password, too early
    boss = signed_in(a, "publisher")
    created = post(boss, "/admin/users", {"username": "new.clerk", "password": "a long enough secret",
                                          "roles": ["editor"]}, page="/admin/users")
    assert created.status_code == 302
    shown = signed_in(b, "publisher").get("/admin/audit?action=user.create").get_data(as_text=True)
    assert "new.clerk" in shown
    replay = b.test_client()                     # the session started on A is good on B until signed out on A
    replay.set_cookie("finder_admin", boss.get_cookie("finder_admin", path="/admin").value, path="/admin")
    assert replay.get("/admin/").status_code == 200
    assert post(boss, "/admin/logout").status_code == 302
    assert replay.get("/admin/").status_code == 302


def test_an_unreachable_database_closes_the_staff_area_with_503_not_the_answers(make_app, admin_env, shared_url):
    published = Settings().with_overrides({"index_dir": admin_env.index_dir, "database_url": shared_url})
    fleet.publish(published, read_current(admin_env.index_dir), "tester")       # the host has it already
    address = make_url(shared_url)
    with tcp_proxy(address.host, address.port) as proxy:
        url = address.set(port=proxy.port).render_as_string(hide_password=False)
        app = host(make_app, admin_env, url, "a", index_dir=admin_env.index_dir)
        clerk, citizen = signed_in(app, "chief"), app.test_client()
        assert citizen.post("/api/ask", json=ASK).status_code == 200
        proxy.cut()
        page = clerk.get("/admin/users")
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert "staff database is unreachable" in page.get_data(as_text=True)
        as_json = clerk.get("/admin/users", headers={"Accept": "application/json"})
        assert as_json.status_code == 503
        assert as_json.json["error"]["code"] == "staff_database_unreachable" and as_json.json["error"]["request_id"]
        assert login(app.test_client(), "chief").status_code == 503
        assert citizen.post("/api/ask", json=ASK).status_code == 200
        proxy.restore()
        assert clerk.get("/admin/users").status_code == 200
    database(url).dispose()


def test_a_host_started_while_the_database_is_unreachable_opens_the_staff_area_once_it_answers(
        make_app, admin_env, shared_url):
    """The staff session key lives in the shared database: the host starts without it."""
    address = make_url(shared_url)
    with tcp_proxy(address.host, address.port) as proxy:
        url = address.set(port=proxy.port).render_as_string(hide_password=False)
        proxy.cut()
        app = host(make_app, admin_env, url, "a")
        assert app.test_client().get("/admin/login").status_code == 503
        assert app.test_client().get("/healthz").status_code == 200
        proxy.restore()
        assert login(app.test_client(), "chief").status_code == 302
    database(url).dispose()


def test_a_write_cut_half_way_leaves_nothing_half_written(admin_env, shared_url):
    """The password is changed and the sessions deleted in one transaction: the connection dies
    between the two statements, and afterwards neither happened."""
    address = make_url(shared_url)
    with tcp_proxy(address.host, address.port) as proxy:
        db = database(address.set(port=proxy.port).render_as_string(hide_password=False))
        editor = accounts.get_user(db, username="editor")
        token = sessions.start(db, editor, HOUR)

        @event.listens_for(db.engine, "after_cursor_execute")
        def _cut(_conn, _cursor, statement, *_args):
            if statement.startswith("UPDATE users SET password_hash"):
                proxy.cut()
        with pytest.raises(UNREACHABLE):
            accounts.set_password(db, editor.id, NEW_PASSWORD)
        event.remove(db.engine, "after_cursor_execute", _cut)
        proxy.restore()
        assert accounts.authenticate(db, "editor", PASSWORD) is not None
        assert sessions.user_for(db, token, HOUR) == editor
        db.dispose()


def test_a_database_behind_the_code_closes_only_the_staff_area_until_upgraded(make_app, admin_env, pg_url):
    app = host(make_app, admin_env, pg_url, "a")               # never migrated
    refused = app.test_client().get("/admin/login")
    assert refused.status_code == 503 and "python -m chatbot db upgrade" in refused.get_data(as_text=True)
    as_json = app.test_client().get("/admin/login", headers={"Accept": "application/json"})
    assert as_json.json["error"]["code"] == "staff_database_behind"
    assert app.test_client().get("/healthz").status_code == 200
    db = database(pg_url)
    migrate.upgrade(db)
    add_staff(db)
    assert login(app.test_client(), "chief").status_code == 302
    db.dispose()
