"""Issue 14, item 10: publishing, rolling back and pruning take one lock (index/.lock) and read
``index/current`` inside it, so a build's pruning never deletes the version another worker just
published, and ``build-index --force`` never deletes the live version."""
from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time

from chatbot.index import store
from chatbot.index.store import list_versions, prune_versions, read_current, set_current, verify_version

LOCK_FILE = ".lock"


def versions_by_age(index_dir, count: int) -> list[str]:
    """``count`` valid versions, oldest first: copies of the fake index's one version under other
    names (a version's name is not in its checksums), aged by their manifests' mtimes."""
    live = read_current(index_dir)
    names = [f"{n:x}" * 12 for n in range(10, 10 + count - 1)] + [live]
    now = time.time()
    for age, name in enumerate(names):
        if name != live:
            shutil.copytree(index_dir / live, index_dir / name)
        os.utime(index_dir / name / store.MANIFEST, (now - 100 * (count - age),) * 2)
    assert list_versions(index_dir) == names
    return names


def test_prune_spares_the_current_version_and_the_one_being_published(index_copy):
    oldest, middle, newest = versions_by_age(index_copy, 3)
    set_current(index_copy, oldest)           # another worker rolled back while a build published `newest`
    assert prune_versions(index_copy, keep=1, protect={newest}) == [middle]
    assert list_versions(index_copy) == [oldest, newest] and read_current(index_copy) == oldest
    verify_version(index_copy / oldest)


def test_prune_waits_for_a_publish_holding_the_lock_and_sees_its_pointer(index_copy):
    oldest, middle, newest = versions_by_age(index_copy, 3)
    assert read_current(index_copy) == newest
    holding, pruned = threading.Event(), []

    def prune() -> None:
        pruned.append(prune_versions(index_copy, keep=1))

    fd = os.open(index_copy / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)            # a publisher (another process) holds the lock...
        worker = threading.Thread(target=prune)
        worker.start()
        holding.wait(0.5)
        assert not pruned and list_versions(index_copy) == [oldest, middle, newest]   # ...the prune waits
        pointer = index_copy / ".current.publisher.tmp"      # ...while it rolls back to the oldest
        pointer.write_text(oldest + "\n")
        os.replace(pointer, index_copy / "current")
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    worker.join(30)
    assert pruned == [[middle, newest]]             # the pointer read after the lock: `oldest` is live
    assert list_versions(index_copy) == [oldest]
    verify_version(index_copy / oldest)


def test_publish_waits_for_the_lock(index_copy):
    oldest, _, newest = versions_by_age(index_copy, 3)
    with store.index_lock(index_copy):
        worker = threading.Thread(target=set_current, args=(index_copy, oldest))
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and read_current(index_copy) == newest
    worker.join(30)
    assert read_current(index_copy) == oldest


def test_forced_rebuild_of_the_live_version_never_deletes_it(index_copy, monkeypatch, capsys):
    """``build-index --force`` rebuilds the live version's own directory: the new files are swapped
    in with one atomic exchange and the old ones deleted afterwards, so at no moment (checked
    after every delete the build does) is the live version missing or unverifiable."""
    from chatbot.cli import main

    live = read_current(index_copy)
    inode = (index_copy / live).stat().st_ino
    real_rmtree, checks = shutil.rmtree, []

    def rmtree(path, *args, **kwargs):
        real_rmtree(path, *args, **kwargs)
        checks.append(str(path))
        verify_version(index_copy / live)          # raises IndexCorrupt if the live version went missing

    monkeypatch.setattr(store.shutil, "rmtree", rmtree)
    for name, value in (("CHATBOT_EMBED_BACKEND", "fake"), ("CHATBOT_EMBED_MODEL", "64")):
        monkeypatch.setenv(name, value)
    assert main(["--index-dir", str(index_copy), "build-index", "--force", "--quiet"]) == 0
    assert f"index {live}:" in capsys.readouterr().out
    assert checks                                    # the old copy was deleted, after the swap
    assert (index_copy / live).stat().st_ino != inode  # really rebuilt, not reused
    assert read_current(index_copy) == live and verify_version(index_copy / live)["version"] == live
    assert not list(index_copy.glob(".build-*"))
