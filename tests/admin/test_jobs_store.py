"""Build jobs in the state database, on SQLite and PostgreSQL: one build at a time across hosts,
a dead build (stale heartbeat) marked failed instead of "running" forever, the heartbeat of a
live one, and evaluation figures replaced rather than duplicated."""
from __future__ import annotations

import threading
import time

import pytest

from chatbot.admin import jobs
from chatbot.admin.build_evaluation import store_figures, stored_figures
from chatbot.config import Settings
from chatbot.storage.database import Database
from chatbot.storage.tables import jobs as jobs_table
from tests.support.wait import wait_until

STALE = 3.0


def settings_for(db: Database, tmp_path, **overrides) -> Settings:
    """Settings whose state database is ``db`` (its SQLite file, or DATABASE_URL), no build queue."""
    where = {"admin_db": db.sqlite_path, "database_url": ""} if db.is_sqlite else {"database_url": db.url}
    return Settings().with_overrides({**where, "var_dir": tmp_path / "var", "build_queue": "off",
                                      "job_stale_seconds": STALE, **overrides})


def add_job(db: Database, state: str, **values) -> int:
    with db.write() as conn:
        return conn.execute(jobs_table.insert().values(kind="build", state=state, created_by="editor",
                                                       created_at=jobs.utc_now(), **values)).inserted_primary_key[0]


def test_a_build_alive_on_another_host_holds_the_fleet_until_its_heartbeat_stops(state_db, tmp_path):
    settings = settings_for(state_db, tmp_path)
    other = add_job(state_db, "running", host="build-host-b", pid=4242, heartbeat_at=time.time())
    assert jobs.reconcile(settings).id == other                 # alive: its host beat a moment ago
    with pytest.raises(jobs.BuildBusy):
        jobs.start_build(settings, "editor")
    late = add_job(state_db, "queued")                            # e.g. queued just before, on another host
    assert jobs._claim(state_db, settings, late) == "busy"
    assert jobs.get_job(state_db, late).error == "Another build was running."

    jobs.update_job(state_db, other, heartbeat_at=time.time() - STALE - 1)   # its host went down
    assert jobs.reconcile(settings) is None
    dead = jobs.get_job(state_db, other)
    assert dead.state == "failed" and "no sign of life from host build-host-b" in dead.error
    assert "Nothing was published" in dead.error

    waiting = add_job(state_db, "queued")
    assert jobs._claim(state_db, settings, waiting) == "claimed"
    claimed = jobs.get_job(state_db, waiting)
    assert claimed.state == "running" and claimed.host == jobs.HOST and time.time() - claimed.heartbeat_at < 5
    assert jobs._claim(state_db, settings, waiting) == "gone"    # a second worker handed the same job: no


def test_two_workers_claiming_at_once_start_one_build(state_db, tmp_path):
    settings = settings_for(state_db, tmp_path)
    for _ in range(5):                       # a race lost without the lock shows in one round or another
        queued = [add_job(state_db, "queued") for _ in range(4)]
        start = threading.Barrier(len(queued))
        outcomes: dict[int, str] = {}

        def claim(job_id: int) -> None:
            start.wait()
            outcomes[job_id] = jobs._claim(state_db, settings, job_id)

        threads = [threading.Thread(target=claim, args=(job_id,)) for job_id in queued]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["busy", "busy", "busy", "claimed"]
        [winner] = [job_id for job_id, outcome in outcomes.items() if outcome == "claimed"]
        jobs.update_job(state_db, winner, state="succeeded")


def test_the_heartbeat_beats_and_notices_when_its_job_was_failed(state_db, tmp_path):
    settings = settings_for(state_db, tmp_path)
    job_id = add_job(state_db, "queued")
    assert jobs._claim(state_db, settings, job_id) == "claimed"
    first = jobs.get_job(state_db, job_id).heartbeat_at
    heartbeat = jobs.Heartbeat(state_db, job_id, 0.05)
    heartbeat.start()
    try:
        wait_until(lambda: jobs.get_job(state_db, job_id).heartbeat_at > first, 5, "no heartbeat written")
        assert jobs.fail_job(state_db, job_id, "taken for dead")
        wait_until(lambda: heartbeat.lost, 5, "the heartbeat did not notice its job was failed")
        assert jobs.get_job(state_db, job_id).state == "failed"      # and did not bring it back
        assert not jobs.update_job(state_db, job_id, only_if=("running",), state="succeeded")
    finally:
        heartbeat.finished.set()


def test_the_queue_needs_redis_and_a_shared_database(tmp_path):
    base = Settings().with_overrides({"var_dir": tmp_path})
    assert not jobs.uses_queue(base.with_overrides({"redis_url": "redis://r:6379/0"}))    # SQLite state: a child process
    assert jobs.uses_queue(base.with_overrides({"redis_url": "redis://r:6379/0", "database_url": "postgresql://d/f"}))
    assert not jobs.uses_queue(base.with_overrides({"redis_url": "redis://r", "database_url": "postgresql://d/f",
                                                    "build_queue": "off"}))
    with pytest.raises(jobs.BuildNotStarted, match="needs REDIS_URL .* and DATABASE_URL"):
        jobs.uses_queue(base.with_overrides({"redis_url": "redis://r:6379/0", "build_queue": "on"}))


def test_evaluation_figures_are_replaced_not_duplicated(state_db):
    store_figures(state_db, "v1", {"ko": {"hit@1": 0.5}})
    store_figures(state_db, "v1", {"ko": {"hit@1": 0.75}})
    assert stored_figures(state_db, "v1") == {"ko": {"hit@1": 0.75}}
    assert stored_figures(state_db, "v2") is None


def test_the_worker_refuses_to_start_without_a_queue_and_a_shared_database(monkeypatch, capsys, tmp_path):
    from chatbot import cli

    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["worker", "--burst"]) == 2
    assert "refused: No build queue: set REDIS_URL and DATABASE_URL" in capsys.readouterr().err


def test_a_build_the_queue_cannot_take_is_refused_at_once_not_left_queued(pg_url, tmp_path):
    from chatbot.storage import migrate
    from chatbot.storage.database import database

    db = database(pg_url)
    migrate.upgrade(db)
    closed = "redis://127.0.0.1:1/0"                   # nothing listens there: Redis is down
    settings = settings_for(db, tmp_path, redis_url=closed, build_queue="auto")
    with pytest.raises(jobs.BuildNotStarted, match="build queue is unreachable"):
        jobs.start_build(settings, "editor")
    [job] = jobs.list_jobs(db)
    assert job.state == "failed" and "The build queue (REDIS_URL) is unreachable" in job.error
