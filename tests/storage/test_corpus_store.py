"""The corpus lives in the state database on both engines (chatbot/storage/corpus.py): the shipped
corpus seeds it once, whatever number of hosts start together; readers get whole revisions as
files; an edit is one locked transaction that stores everything or nothing."""
from __future__ import annotations

import multiprocessing
import shutil
import threading

import pytest
from sqlalchemy import func, select, text

from chatbot.config import PROJECT_ROOT
from chatbot.storage import tables
from chatbot.storage.corpus import SNAPSHOTS_KEPT, CorpusChanged, CorpusStore, read_tree
from chatbot.storage.database import Database
from tests.support import services
from tests.support.wait import wait_until

SHIPPED = PROJECT_ROOT / "corpus"


@pytest.fixture
def store(state_db, tmp_path) -> CorpusStore:
    return CorpusStore(state_db, tmp_path / "snapshots")


def test_the_shipped_corpus_seeds_once_and_reads_back_byte_for_byte(store, tmp_path):
    assert store.revision() == 0
    assert store.seed_once(SHIPPED) is True
    assert store.seed_once(SHIPPED) is False
    assert store.revision() == 1
    snapshot = store.snapshot()
    assert read_tree(snapshot) == read_tree(SHIPPED)
    assert {"documents.yaml", "programs.yaml", "glossary.yaml"} <= set(read_tree(snapshot))
    assert store.snapshot() == snapshot                      # materialised once per revision


def test_an_edit_is_one_new_revision_and_a_failed_one_leaves_nothing(store):
    store.seed_once(SHIPPED)
    before = read_tree(store.snapshot())
    with store.edit("kim") as edit:
        (edit.dir / "programs.yaml").write_text("programs: []\n", encoding="utf-8")
        (edit.dir / "documents" / "new.txt").write_text("새 문서\n", encoding="utf-8")
        (edit.dir / "glossary.yaml").unlink()
    assert store.revision() == 2
    after = read_tree(store.snapshot())
    assert after["programs.yaml"] == b"programs: []\n" and "glossary.yaml" not in after
    assert after["documents/new.txt"] == "새 문서\n".encode()
    assert after["documents.yaml"] == before["documents.yaml"]
    with store.db.read() as conn:
        state = conn.execute(select(tables.corpus_state)).one()
        assert (state.revision, state.changed_by) == (2, "kim")

    with pytest.raises(RuntimeError, match="refused"):
        with store.edit("lee") as edit:
            (edit.dir / "programs.yaml").write_text("half", encoding="utf-8")
            raise RuntimeError("refused")
    assert store.revision() == 2 and read_tree(store.snapshot()) == after
    with store.edit("lee"):
        pass                                             # nothing changed: no new revision
    assert store.revision() == 2
    with pytest.raises(CorpusChanged):
        with store.edit("lee", expected_revision=1):
            pass


def test_old_snapshots_are_pruned_and_nothing_else(store):
    store.seed_once(SHIPPED)
    (store.snapshots_dir / "documents").mkdir(parents=True)      # not a snapshot: never removed
    for n in range(SNAPSHOTS_KEPT + 2):
        with store.edit("kim") as edit:
            (edit.dir / "glossary.yaml").write_text(f"entries: []  # {n}\n", encoding="utf-8")
        latest = store.snapshot()
    kept = [p for p in store.snapshots_dir.iterdir() if p.name != "documents"]
    assert len(kept) == SNAPSHOTS_KEPT and latest in kept and (store.snapshots_dir / "documents").is_dir()


def test_a_changed_shipped_corpus_replaces_an_unedited_seed_but_never_staff_edits(store, tmp_path):
    shipped = tmp_path / "shipped"
    shutil.copytree(SHIPPED, shipped)
    assert store.sync_seed(shipped) == "seeded"
    assert store.sync_seed(shipped) == "unchanged"
    (shipped / "glossary.yaml").write_text("entries: []\n", encoding="utf-8")
    assert store.sync_seed(shipped) == "reseeded"
    assert read_tree(store.snapshot()) == read_tree(shipped) and store.revision() == 2
    with store.edit("kim") as edit:
        (edit.dir / "programs.yaml").write_text("programs: []\n", encoding="utf-8")
    (shipped / "glossary.yaml").write_text("entries: [] # again\n", encoding="utf-8")
    assert store.sync_seed(shipped) == "kept"
    assert read_tree(store.snapshot())["programs.yaml"] == b"programs: []\n"


def _seed_in_another_process(url: str, snapshots: str, start) -> None:
    start.wait()
    CorpusStore(Database(url), snapshots).seed_once(SHIPPED)


def test_hosts_seeding_together_make_one_copy(state_db, tmp_path):
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_seed_in_another_process, args=(state_db.url, str(tmp_path / f"s{i}"), start))
               for i in range(2)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with state_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(tables.corpus_files)).scalar() == len(read_tree(SHIPPED))
        assert conn.execute(select(tables.corpus_state.c.revision)).scalar_one() == 1


def test_a_second_host_seeding_while_the_first_does_waits_and_finds_it_done(state_db, tmp_path, monkeypatch):
    stores = {"a": CorpusStore(state_db, tmp_path / "a"), "b": CorpusStore(Database(state_db.url), tmp_path / "b")}
    inside, release, b_found_none = threading.Event(), threading.Event(), threading.Event()
    imported, state = CorpusStore._import, CorpusStore._state

    def import_then_hold(self, *args):                  # host A stops with its copy written, not committed
        imported(self, *args)
        if threading.current_thread().name == "a":
            inside.set()
            release.wait(30)

    def noting_state(conn):
        row = state(conn)
        if row is None and threading.current_thread().name == "b":
            b_found_none.set()
        return row

    monkeypatch.setattr(CorpusStore, "_import", import_then_hold)
    monkeypatch.setattr(CorpusStore, "_state", staticmethod(noting_state))
    results = {}
    threads = {name: threading.Thread(target=lambda n=name: results.update({n: stores[n].seed_once(SHIPPED)}), name=name)
               for name in stores}
    threads["a"].start()
    assert inside.wait(30)
    threads["b"].start()
    try:
        assert b_found_none.wait(30)                      # B saw no corpus yet and goes on to seed
        if not state_db.is_sqlite:
            wait_until(lambda: services.sessions_waiting_for_a_lock(state_db), 15, "host B did not wait for host A's corpus lock")
    finally:
        release.set()
        for thread in threads.values():
            thread.join(30)
    assert results == {"a": True, "b": False}
    with state_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(tables.corpus_files)).scalar() == len(read_tree(SHIPPED))
    stores["b"].db.dispose()
