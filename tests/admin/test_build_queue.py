"""Builds on the queue, for real: the Procfile's ``worker:`` process on the machine's Redis (a key
prefix of this test's own) and a fresh PostgreSQL database, the staff area of a Flask app
enqueueing. A build runs in the worker's work horse with its progress in the job's row; a work
horse killed with ``kill -9`` fails its job at once; a build whose worker and horse both die (its
host went down) is failed by the staff area from its stale heartbeat. Never "running" forever."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from chatbot.admin import build_queue, jobs
from chatbot.cli import procfile_command
from chatbot.config import PROJECT_ROOT
from chatbot.finder.evaluation import EVALUATION_FILES
from chatbot.storage import migrate
from chatbot.storage.corpus import ready_store
from chatbot.storage.database import database
from tests.support.admin import DOC, add_staff, make_admin_app, post, signed_in, wait_for_build
from tests.support.fake_embedder import PLUGIN as FAKE
from tests.support.held_embedder import HOLD, PLUGIN as HELD
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
STALE = 3.0        # seconds without a heartbeat after which a running build is taken for dead


@pytest.fixture
def fleet(make_app, admin_env, pg_url, redis_url, redis_prefix, tmp_path):
    """(app, its settings, the worker process, the hold file) on PostgreSQL and Redis."""
    migrate.upgrade(database(pg_url))
    add_staff(database(pg_url))
    eval_dir = tmp_path / "eval"                # a few questions: the evaluation runs, in seconds
    eval_dir.mkdir()
    for name in EVALUATION_FILES:
        lines = (PROJECT_ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (eval_dir / name).write_text("".join(lines[:4]), encoding="utf-8")
    app = make_admin_app(make_app, admin_env, database_url=pg_url, redis_url=redis_url, redis_prefix=redis_prefix,
                         embed_backend="fake-held", embed_plugins=f"{FAKE} {HELD}", job_stale_seconds=STALE,
                         eval_dir=eval_dir)
    settings = app.config["SETTINGS"]
    assert jobs.uses_queue(settings)
    hold = tmp_path / "hold-embedding"
    command = procfile_command("worker")
    command[0] = sys.executable if command[0] == "python" else command[0]
    log_path = tmp_path / "worker.log"
    with open(log_path, "ab") as log:
        worker = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**jobs.child_env(settings), HOLD: str(hold)},
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: worker.poll() is None and build_queue.worker_count(settings) == 1, 60,
                   lambda: f"the worker did not register: {log_path.read_text()[-3000:]}")
        yield app, settings, worker, hold, log_path
    finally:
        if worker.poll() is None:
            worker.terminate()              # SIGTERM: RQ's warm shutdown
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        forget_rq_members(redis_url, redis_prefix)


def forget_rq_members(redis_url: str, prefix: str) -> None:
    """RQ lists every queue and worker in two shared sets: this test's members go (its own keys are
    deleted by the redis_prefix fixture, which holds the prefix in every name)."""
    import redis
    client = redis.Redis.from_url(redis_url)
    for registry in ("rq:workers", "rq:queues"):
        ours = [name for name in client.smembers(registry) if prefix.encode() in name]
        if ours:
            client.srem(registry, *ours)


def change_corpus(settings, line: str) -> None:
    """A staff edit of the corpus in the shared database, so the next build embeds something."""
    with ready_store(settings).edit("test") as edit:
        path = edit.dir / DOC
        path.write_text(path.read_text(encoding="utf-8") + f"\n ㅇ {line}: 문의는 일자리정책과\n", encoding="utf-8")


def enqueue(editor) -> int:
    response = post(editor, "/admin/builds", page="/admin/builds")
    assert response.status_code == 302, response.get_data(as_text=True)[-1000:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def queue_status(settings, job_id: int) -> str:
    import redis
    from rq.job import Job
    connection = redis.Redis.from_url(settings.redis_url)
    return Job.fetch(build_queue.queue_job_id(settings, job_id), connection=connection).get_status().value


def running(settings, job_id: int) -> jobs.Job:
    def started():
        job = jobs.get_job(jobs.database(settings), job_id)
        assert job.state in ("queued", "running"), job.error
        return job if job.state == "running" else None
    return wait_until(started, 60, f"build {job_id} was not taken by the worker")


def test_builds_run_on_the_worker_and_a_killed_build_never_stays_running(fleet):
    app, settings, worker, hold, log_path = fleet
    editor = signed_in(app, "editor")
    db = jobs.database(settings)

    change_corpus(settings, "2024년 8월 신설: 면접정장 대여 연 12회")
    built = wait_for_build(settings, enqueue(editor), timeout=180)
    assert built.state == "succeeded", f"{built.error}\n{log_path.read_text()[-3000:]}"
    assert built.host == jobs.HOST and built.heartbeat_at and built.pid != worker.pid   # run by a work horse
    assert 0 < built.done == built.total and built.result["embedded"] > 0               # progress, in the row
    assert built.result["figures"]["ko"]["n"] > 0 and built.result["samples"]           # and what follows a build
    assert queue_status(settings, built.id) == "finished"                                # taken from the queue
    assert not (settings.var_dir / "admin" / "jobs" / f"{built.id}.log").exists()        # no child process of the app
    assert "succeeded" in editor.get(f"/admin/builds/{built.id}").get_data(as_text=True)

    hold.touch()                                         # the next builds wait inside their embedding
    change_corpus(settings, "2024년 9월 신설: 면접 코칭 연 4회")
    horse = running(settings, enqueue(editor))
    os.kill(horse.pid, signal.SIGKILL)                   # the work horse dies mid-build
    killed_at = time.monotonic()
    failed = wait_for_build(settings, horse.id, timeout=15)
    assert failed.state == "failed" and "killed by signal 9 (SIGKILL)" in failed.error, failed.error
    assert "Nothing was published" in failed.error and time.monotonic() - killed_at < 15
    assert worker.poll() is None                         # the worker lives on and takes the next build

    change_corpus(settings, "2024년 10월 신설: 이력서 첨삭 연 6회")
    orphan = running(settings, enqueue(editor))
    worker.kill()                                        # the whole build host goes down: worker …
    worker.wait()
    os.kill(orphan.pid, signal.SIGKILL)                  # … and work horse, with nobody left to tell
    lost = wait_for_build(settings, orphan.id, timeout=STALE + 15)       # the staff pages reconcile
    assert lost.state == "failed" and f"no sign of life from host {jobs.HOST}" in lost.error, lost.error
    assert jobs.get_job(db, orphan.id).finished_at
