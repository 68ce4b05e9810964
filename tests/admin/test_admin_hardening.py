"""Issue 14, item 12, in the staff area and the feedback store: files holding secrets and personal
data are created 0600 (not tightened after a window), the document id is checked on the server
whatever the form let through, and pages that only read the staff database take no write lock."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from chatbot.admin import documents as docs
from chatbot.storage.tables import uploads
from tests.support.admin import NOTICE, post, signed_in, upload, upload_id

QUESTION = "청년수당 신청 자격이 어떻게 되나요?"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def no_tightening(monkeypatch):
    """A umask that leaves new files world-readable, and chmod disabled: a file is 0600 only if it
    was created so. (chmod after creation leaves a window in which another local user can open it.)"""
    previous = os.umask(0o022)
    monkeypatch.setattr(Path, "chmod", lambda self, mode, **kw: None)
    monkeypatch.setattr(os, "chmod", lambda *a, **kw: None)
    monkeypatch.setattr(os, "fchmod", lambda *a, **kw: None)
    yield
    os.umask(previous)


# -- 0600 from the start ----------------------------------------------------------------------------
def test_secrets_and_databases_are_created_0600(make_app, fake_index_dir, tmp_path, no_tightening):
    var = tmp_path / "var"
    feedback_db = tmp_path / "feedback" / "feedback.sqlite3"
    app = make_app(fake_index_dir, var_dir=var, feedback_db=feedback_db, rate_limit="off")
    client = app.test_client()
    answer = client.post("/api/ask", json={"question": QUESTION}).get_json()
    rated = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "up", "question": QUESTION})
    assert rated.status_code == 200, rated.get_data(as_text=True)
    files = {"staff secret key": var / "secret_key", "staff database": var / "admin.sqlite3",
             "answer-signing secret": feedback_db.parent / "answer-secret", "feedback database": feedback_db}
    assert {name: oct(mode(path)) for name, path in files.items()} == {name: "0o600" for name in files}
    # SQLite creates -wal and -shm with the database's mode, whoever opens it next
    for db in (feedback_db, var / "admin.sqlite3"):
        with sqlite3.connect(db) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            assert {p.name: oct(mode(p)) for p in db.parent.glob(db.name + "-*")} == {
                db.name + "-wal": "0o600", db.name + "-shm": "0o600"}
        conn.close()


def test_files_an_older_release_left_readable_are_tightened(make_app, fake_index_dir, tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    sqlite3.connect(var / "admin.sqlite3").close()
    (var / "admin.sqlite3").chmod(0o644)
    make_app(fake_index_dir, var_dir=var, feedback_db=tmp_path / "feedback.sqlite3")
    assert mode(var / "admin.sqlite3") == 0o600


# -- the document id, checked on the server ---------------------------------------------------------
BAD_IDS = ["../etc", "a/b", "..", "", "UPPER", "x" * 81, "ok-id\n", " ok-id", "a--b", "-a", "a_b", "문서", "a\\b",
           "a\x00b"]


@pytest.mark.parametrize("document_id", BAD_IDS)
def test_a_bad_document_id_posted_directly_is_refused(admin_app, admin_env, document_id):
    client = signed_in(admin_app, "editor")
    before = admin_env.snapshot()
    response = upload(client, "notice.txt", "\n".join(NOTICE).encode(), document_id=document_id)
    assert response.status_code == 400
    assert docs.list_uploads(admin_env.db) == [] and admin_env.snapshot() == before


def test_the_longest_good_id_passes(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE).encode(), document_id="a" * 80))
    assert post(client, f"/admin/uploads/{uid}/accept").status_code == 302
    assert docs.find_entry(docs.read_entries(admin_env.live), "a" * 80)


@pytest.mark.parametrize("document_id", ["../../escaped", "documents/x", "UPPER"])
def test_the_accept_step_checks_the_id_again(admin_app, admin_env, document_id):
    """A staged upload whose id was changed behind the form (its stored meta edited) never reaches
    the corpus: accepting checks the id before it becomes a path."""
    client = signed_in(admin_app, "editor")
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE).encode()))
    with admin_env.db.write() as conn:
        meta = conn.execute(select(uploads.c.meta).where(uploads.c.id == uid)).scalar_one()
        conn.execute(update(uploads).where(uploads.c.id == uid)
                     .values(meta=json.dumps({**json.loads(meta), "document_id": document_id})))
    before = admin_env.snapshot()
    response = post(client, f"/admin/uploads/{uid}/accept")
    assert response.status_code == 302
    assert "A document id is at most 80" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert admin_env.snapshot() == before
    assert not list(admin_env.root.rglob("escaped--*"))


def test_staging_refuses_a_bad_id(admin_env, tmp_path):
    original = tmp_path / "n.txt"
    original.write_text("x", encoding="utf-8")
    staged = docs.StagedUpload(upload_id="0123456789abcdef", document_id="../x", is_new=True, meta={},
                               filename="n.txt", kind="txt", pages=None, size=1, sha256="", text_sha256="",
                               base_text_sha256="", uploaded_by="editor")
    with pytest.raises(docs.DocumentError):
        docs.stage_upload(admin_env.db, staged.upload_id, original, "x", staged)
    assert docs.list_uploads(admin_env.db) == []


# -- reading takes no write lock ----------------------------------------------------------------------
@pytest.mark.parametrize("page", ["/admin/audit", "/admin/users", "/admin/builds", "/admin/"])
def test_read_only_pages_render_while_another_process_holds_the_write_lock(admin_app, admin_env, page):
    client = signed_in(admin_app, "chief")
    held, release = threading.Event(), threading.Event()

    def writer():
        conn = sqlite3.connect(admin_env.db_file, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("INSERT INTO audit (at, actor, action) VALUES ('2026-01-01T00:00:00Z', 'build', 'build.tick')")
        held.set()
        release.wait(30)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        response = client.get(page)
        took = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert took < 3, f"{page} waited {took:.1f}s for the writer"
