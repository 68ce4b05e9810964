"""Staff edits live in the state database, not in the code checkout: accepting an upload leaves the
shipped corpus directory (CHATBOT_CORPUS_DIR) untouched and the next build reads the database's
corpus; two hosts saving one program at once on PostgreSQL give one save and one conflict."""
from __future__ import annotations

import copy
import threading

from sqlalchemy import func, select

from chatbot.admin import catalog_edit
from chatbot.admin.catalog_edit import EditConflict, SaveResult, get_record, record_version
from chatbot.config import PROJECT_ROOT
from chatbot.documents.corpus import load_corpus
from chatbot.index.builder import build_index
from chatbot.storage import migrate, tables
from chatbot.storage.corpus import CorpusStore, read_tree
from chatbot.storage.database import Database
from tests.support import services
from tests.support.admin import NOTICE, PROGRAM, post, signed_in, upload, upload_id
from tests.support.wait import wait_until


def test_accepting_an_upload_changes_no_file_of_the_shipped_corpus_and_the_build_reads_it(admin_app, admin_env,
                                                                                       fake_embedder):
    shipped = read_tree(admin_env.corpus_dir)
    client = signed_in(admin_app, "editor")
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE[:3]).encode()))
    with admin_env.db.read() as conn:                       # staged in the database, not under var/
        assert conn.execute(select(func.count()).select_from(tables.uploads)).scalar() == 1
    assert not (admin_env.var_dir / "admin" / "uploads").exists()
    response = post(client, f"/admin/uploads/{uid}/accept", page=f"/admin/uploads/{uid}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/documents")
    assert read_tree(admin_env.corpus_dir) == shipped
    assert "youth-suit-notice" in {d.id for d in load_corpus(admin_env.live)}
    with admin_env.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(tables.uploads)).scalar() == 0
    report = build_index(admin_app.config["SETTINGS"], embedder=fake_embedder, publish=False)
    assert "documents/youth-suit-notice--" in " ".join(
        path.relative_to(report.path).as_posix() for path in report.path.rglob("*.txt"))


def test_two_hosts_saving_one_program_at_once_on_postgresql_one_gets_a_conflict(pg_url, tmp_path, monkeypatch):
    host_a, host_b = Database(pg_url), Database(pg_url)            # two pools, as two hosts have
    migrate.upgrade(host_a)
    store_a, store_b = CorpusStore(host_a, tmp_path / "a"), CorpusStore(host_b, tmp_path / "b")
    store_a.seed_once(PROJECT_ROOT / "corpus")
    corpus = store_a.snapshot()
    documents = {d.id: d for d in load_corpus(corpus)}
    opened = get_record(corpus, PROGRAM)
    base = record_version(opened)
    inside, release = threading.Event(), threading.Event()
    checked = catalog_edit._prepare

    def prepare_then_hold(*args, **kwargs):            # host A stops after its version check, lock held
        result = checked(*args, **kwargs)
        if threading.current_thread().name == "a":
            inside.set()
            release.wait(30)
        return result

    monkeypatch.setattr(catalog_edit, "_prepare", prepare_then_hold)
    results: dict[str, object] = {}

    def save(name: str, store: CorpusStore) -> None:
        record = copy.deepcopy(opened)
        record["summary"]["en"] = f"Saved by host {name}"
        try:
            results[name] = catalog_edit.save_record(store, documents, record, base, PROGRAM, name)
        except EditConflict as conflict:
            results[name] = conflict

    a = threading.Thread(target=save, args=("a", store_a), name="a")
    b = threading.Thread(target=save, args=("b", store_b), name="b")
    a.start()
    assert inside.wait(30)
    b.start()
    try:
        wait_until(lambda: services.sessions_waiting_for_a_lock(host_a), 15, "host B did not wait for host A's corpus lock")
    finally:
        release.set()
        a.join(30)
        b.join(30)
    assert isinstance(results["a"], SaveResult), results
    assert isinstance(results["b"], EditConflict), results
    assert results["b"].current["summary"]["en"] == "Saved by host a"
    assert get_record(store_b.snapshot(), PROGRAM)["summary"]["en"] == "Saved by host a"
    assert store_a.revision() == 2
    host_a.dispose()
    host_b.dispose()
