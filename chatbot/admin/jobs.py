"""Background builds: a separate process per build, its progress and result in the state database.

Two ways to run one. Embedded (the default): the web worker starts ``python -m chatbot.admin.jobs
run <id>`` as a child process and returns. On a fleet (``CHATBOT_BUILD_QUEUE``: REDIS_URL and
DATABASE_URL set) the staff area puts the job on an RQ queue in Redis and ``python -m chatbot
worker`` (the Procfile's ``worker:`` line, on any host) runs it in a work horse it forks per job.

Either way :func:`run` claims the job in one transaction (only one build runs in the fleet), then
beats a heartbeat into the job's row every few seconds. A job whose process is gone is marked
failed, never left "running": the worker sees its work horse die at once (RQ's killed-horse hook);
on the host that started it, its ``flock`` is free (embedded); from anywhere, its heartbeat is
older than ``CHATBOT_JOB_STALE_SECONDS`` (the host went down). The index itself is safe either
way: a version directory appears only when complete (see ``index_store.write_version``) and
nothing is published by a build."""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, select, update

from chatbot.config import PROJECT_ROOT, Settings
from chatbot.admin.audit import record as audit, utc_now
from chatbot.admin.build_evaluation import evaluate_version, sample_questions
from chatbot.admin.files import is_locked
from chatbot.storage import migrate
from chatbot.storage.database import Database, state_database
from chatbot.storage.locks import file_lock, transaction_lock
from chatbot.storage.tables import jobs as jobs_table
from chatbot.observability import metrics

log = logging.getLogger(__name__)
QUEUE_GRACE = 60          # seconds a queued job may wait for its process, or for a build worker, to start
ENQUEUE_GRACE = 10        # seconds between a job's row and its queue entry (written one after the other)
ACTIVE = ("queued", "running")
HOST = socket.gethostname()
NOTHING_PUBLISHED = "Nothing was published; the live version is unchanged. Start the build again."
_CHILDREN: list[subprocess.Popen] = []
_READY: set[str] = set()


class BuildNotStarted(RuntimeError):
    """The build could not be started; the message says why, for staff."""


class BuildBusy(BuildNotStarted):
    """A build is already running."""


class JobLost(RuntimeError):
    """This build's row was marked failed by someone else (its heartbeat was taken as stale)."""


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    state: str                # queued, running, succeeded, failed
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    pid: int | None
    stage: str
    done: int
    total: int
    version: str | None
    result: dict
    error: str
    host: str | None = None
    heartbeat_at: float | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def _job(row) -> Job:
    values = dict(row._mapping)
    values["result"] = json.loads(values["result"])
    return Job(**values)


def database(settings: Settings) -> Database:
    """The state database, brought to this code's schema once per process (embedded SQLite
    migrates itself; a shared database behind raises :class:`migrate.SchemaBehind`)."""
    db = state_database(settings)
    if db.url not in _READY:
        migrate.ensure_ready(settings)
        _READY.add(db.url)
    return db


def admin_dir(settings: Settings) -> Path:
    return Path(settings.var_dir) / "admin"


def build_lock_path(settings: Settings) -> Path:
    return admin_dir(settings) / "build.lock"


def uses_queue(settings: Settings) -> bool:
    """Whether builds go to the queue. ``auto``: when REDIS_URL and DATABASE_URL are both set; a
    worker on another host must see the same jobs, corpus and index versions, so the queue is
    never used with the local SQLite state (``on`` without both is refused, with the reason)."""
    mode = settings.build_queue.strip().lower()
    if mode not in ("auto", "on", "off"):
        raise BuildNotStarted(f"CHATBOT_BUILD_QUEUE={settings.build_queue!r}: expected auto, on or off")
    shared = bool(settings.redis_url and settings.database_url)
    if mode == "on" and not shared:
        raise BuildNotStarted("CHATBOT_BUILD_QUEUE=on needs REDIS_URL (the queue) and DATABASE_URL (the jobs, "
                              "corpus and index versions a worker on another host must see)")
    return mode != "off" and shared


def get_job(db: Database, job_id: int) -> Job | None:
    with db.read() as conn:
        row = conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).first()
    return _job(row) if row else None


def list_jobs(db: Database, limit: int = 20) -> list[Job]:
    with db.read() as conn:
        return [_job(r) for r in conn.execute(select(jobs_table).order_by(jobs_table.c.id.desc()).limit(limit))]


def update_job(db: Database, job_id: int, only_if: tuple[str, ...] = (), **values) -> bool:
    """Set ``values`` on the job; with ``only_if``, only while its state is one of those (a build
    marked failed by a reconciler is not brought back). True when the row was updated."""
    if "result" in values:
        values["result"] = json.dumps(values["result"], ensure_ascii=False)
    statement = update(jobs_table).where(jobs_table.c.id == job_id).values(**values)
    if only_if:
        statement = statement.where(jobs_table.c.state.in_(only_if))
    with db.write() as conn:
        return conn.execute(statement).rowcount > 0


def fail_job(db: Database, job: Job | int, error: str) -> bool:
    """Mark a job that is still queued or running failed; counted once, by whoever's update applied."""
    job_id = job if isinstance(job, int) else job.id
    states = ACTIVE if isinstance(job, int) else (job.state,)
    failed = update_job(db, job_id, only_if=states, state="failed", finished_at=utc_now(), error=error)
    if failed:
        metrics.record_build("crashed")
    return failed


def _age(stamp: str) -> float:
    then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - then).total_seconds()


def stopped(why: str) -> str:
    return f"The build process stopped before finishing ({why}). {NOTHING_PUBLISHED}"


def _why_gone(settings: Settings, job: Job, queued: bool, locked: bool) -> str | None:
    """Why ``job`` (queued or running) is dead, or None while it may still be alive."""
    if job.state == "running":
        if not queued and job.host in (None, HOST):       # started here: its flock tells at once
            return None if locked else stopped("killed or crashed")
        silent = time.time() - (job.heartbeat_at or 0)
        if silent <= settings.job_stale_seconds:
            return None
        return stopped(f"no sign of life from host {job.host or '?'} for {silent:.0f} s: killed, or its host went down")
    if not queued:
        return stopped("its process never started") if _age(job.created_at) > QUEUE_GRACE else None
    from chatbot.admin import build_queue

    try:
        waiting = build_queue.waiting(settings, job.id)
        unserved = waiting and _age(job.created_at) > QUEUE_GRACE and not build_queue.worker_count(settings)
    except Exception as exc:  # Redis unreachable: nothing known, nothing marked
        log.warning("build queue unreachable while checking job %s: %s", job.id, exc)
        return None
    if waiting is None and _age(job.created_at) > ENQUEUE_GRACE:
        return f"The build queue lost this build before it started (see the build worker's log). {NOTHING_PUBLISHED}"
    if unserved:
        return (f"No build worker took this build within {QUEUE_GRACE} s: start one (`python -m chatbot worker`, "
                f"the Procfile's worker line). {NOTHING_PUBLISHED}")
    return None


def reconcile(settings: Settings) -> Job | None:
    """Mark jobs whose process is gone as failed; return the job still building, if any."""
    for child in list(_CHILDREN):          # reap finished children so none lingers as a zombie
        if child.poll() is not None:
            _CHILDREN.remove(child)
    db = database(settings)
    with db.read() as conn:                 # the builds page calls this on every view: only a failed job writes
        rows = conn.execute(select(jobs_table).where(jobs_table.c.state.in_(ACTIVE)).order_by(jobs_table.c.id)).all()
    if not rows:
        return None
    try:
        queued = uses_queue(settings)
    except BuildNotStarted:              # misconfigured: starting a build says why; here nothing is queued
        queued = False
    # read the rows before the lock: a build sets "running" only while holding the lock and its
    # final state before releasing it, and the updates below only apply if the state is unchanged
    locked = False if queued else is_locked(build_lock_path(settings))
    alive = None
    for job in map(_job, rows):
        why = _why_gone(settings, job, queued, locked)
        if why is None:
            alive = job
        else:
            fail_job(db, job, why)
    return alive


def child_env(settings: Settings) -> dict[str, str]:
    """The web app's effective settings, every one of them (:meth:`Settings.to_env`), handed to
    the build process as its environment: its ``Settings()`` equals ``settings``."""
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(PROJECT_ROOT)}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(settings.threads)
    return env


def start_build(settings: Settings, actor: str) -> Job:
    """Queue a build and start its process, or put it on the build queue; BuildBusy while another
    one is queued or running anywhere, BuildNotStarted when the queue is unreachable."""
    on_queue = uses_queue(settings)
    db = database(settings)
    reconcile(settings)
    with db.write() as conn:
        transaction_lock(conn, "builds")     # starting and claiming builds take turns, fleet-wide
        if conn.execute(select(jobs_table.c.id).where(jobs_table.c.state.in_(ACTIVE))).first():
            raise BuildBusy("A build is already running; wait for it to finish.")
        job_id = conn.execute(insert(jobs_table).values(
            kind="build", state="queued", created_by=actor, created_at=utc_now(),
            stage="waiting for a build worker" if on_queue else "starting")).inserted_primary_key[0]
    if on_queue:
        from chatbot.admin import build_queue
        try:
            build_queue.enqueue(settings, job_id)
        except Exception as exc:  # Redis down: say so now rather than leave a job nobody will take
            log.warning("build %s not queued: %s", job_id, exc)
            fail_job(db, job_id, f"The build queue (REDIS_URL) is unreachable: {type(exc).__name__}. {NOTHING_PUBLISHED}")
            raise BuildNotStarted("The build queue is unreachable; the build was not started. Try again later.") from exc
    else:
        logs = admin_dir(settings) / "jobs"
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / f"{job_id}.log", "ab") as out:
            child = subprocess.Popen([sys.executable, "-m", "chatbot.admin.jobs", "run", str(job_id)],
                                     cwd=PROJECT_ROOT, env=child_env(settings), stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        _CHILDREN.append(child)
        update_job(db, job_id, pid=child.pid)
    job = get_job(db, job_id)
    assert job is not None
    return job


# -- the build process -------------------------------------------------------------------------------
def _claim(db: Database, settings: Settings, job_id: int) -> str:
    """In one transaction: the job goes from queued to running here, unless it is no longer queued
    (``"gone"``: failed by a reconciler, or taken) or another build is alive (``"busy"``)."""
    with db.write() as conn:
        transaction_lock(conn, "builds")     # starting and claiming builds take turns, fleet-wide
        state = conn.execute(select(jobs_table.c.state).where(jobs_table.c.id == job_id)).scalar()
        if state != "queued":
            return "gone"
        others = conn.execute(select(jobs_table.c.heartbeat_at).where(
            jobs_table.c.state == "running", jobs_table.c.id != job_id)).scalars().all()
        now = time.time()
        if any(beat and now - beat <= settings.job_stale_seconds for beat in others):
            conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(
                state="failed", finished_at=utc_now(), error="Another build was running."))
            return "busy"
        conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(
            state="running", started_at=utc_now(), pid=os.getpid(), host=HOST, heartbeat_at=now,
            stage="reading documents"))
    return "claimed"


class Heartbeat(threading.Thread):
    """Writes the time into the running job's row every ``interval`` seconds, so any host can tell
    a live build from a dead one; notices when the row was failed meanwhile (``lost``). In the
    embedded child process only; a beat may come seconds late while a library holds the GIL."""

    def __init__(self, db: Database, job_id: int, interval: float):
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.db, self.job_id, self.interval = db, job_id, interval
        self.finished = threading.Event()
        self.lost = False

    def run(self) -> None:
        while not self.finished.wait(self.interval):
            try:
                if not update_job(self.db, self.job_id, only_if=("running",), heartbeat_at=time.time()):
                    self.lost = True
                    return
            except Exception as exc:  # the database blinked: the next beat tries again
                log.warning("heartbeat of build %s not written: %s", self.job_id, exc)


def run(job_id: int) -> int:
    """Run build ``job_id``: in the embedded child process, or in an RQ work horse."""
    settings = Settings()
    db = database(settings)
    with file_lock(build_lock_path(settings), blocking=False) as acquired:
        if not acquired:
            update_job(db, job_id, only_if=ACTIVE, state="failed", finished_at=utc_now(),
                       error="Another build was running.")
            return 1
        claimed = _claim(db, settings, job_id)
        if claimed != "claimed":
            log.warning("build job %s not run: %s", job_id, claimed)
            return 1
        # On the queue the worker's own process beats for its horse (jobs.work): a thread here
        # would stall whenever a library holds the GIL for seconds (tokenising the corpus does).
        heartbeat = Heartbeat(db, job_id, max(0.2, settings.job_stale_seconds / 6))
        if not uses_queue(settings):
            heartbeat.start()
        try:
            return _build(settings, db, job_id, heartbeat)
        finally:
            heartbeat.finished.set()


def _build(settings: Settings, db: Database, job_id: int, heartbeat: Heartbeat) -> int:
    from chatbot.index.builder import build_index                  # heavy imports only once the job is marked running
    from chatbot.index.embedding import create_embedder
    from chatbot.index.store import prune_versions, read_current

    last = 0.0

    def step(**values) -> None:
        if heartbeat.lost or not update_job(db, job_id, only_if=("running",), **values):
            raise JobLost(f"build {job_id} was marked failed while it ran")

    def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last > 0.25 or done == total:
            last = time.monotonic()
            step(stage="embedding changed passages", done=done, total=total)

    metrics.serving_process(False)     # the evaluation's questions are not citizens' questions
    started = time.monotonic()
    try:
        embedder = create_embedder(settings.embed_backend, settings.embed_model, **settings.embedder_options())
        report = build_index(settings, embedder=embedder, publish=False, progress=progress)
        step(stage="evaluating", version=report.version)
        live = read_current(settings.index_dir)
        figures = evaluate_version(settings, report.version, embedder)
        live_figures = evaluate_version(settings, live, embedder) if live else None
        step(stage="asking the new text")
        samples = sample_questions(settings, report.version, live, embedder)
        pruned = prune_versions(settings.index_dir, max(settings.keep_versions, 2), protect={report.version})
        result = {"passages": report.passages, "embedded": report.embedded,
                  "lines_embedded": report.lines_embedded, "reused": report.reused,
                  "seconds": round(time.monotonic() - started, 1), "live_version": live,
                  "figures": figures, "live_figures": live_figures, "pruned": pruned, "samples": samples}
        step(state="succeeded", finished_at=utc_now(), stage="done", result=result)
        metrics.record_build("succeeded", time.monotonic() - started)
        job = get_job(db, job_id)
        audit(db, job.created_by if job else "?", "build.finished", report.version,
              {"job": job_id, **{k: v for k, v in result.items() if k not in ("figures", "live_figures", "samples")}})
        return 0
    except JobLost:
        log.error("build job %s stopped: another process marked it failed (its heartbeat was late)", job_id)
        return 1
    except Exception as exc:  # any failure is the job's result, shown to staff
        log.exception("build job %s failed", job_id)
        update_job(db, job_id, only_if=("running",), state="failed", finished_at=utc_now(),
                   error=f"{type(exc).__name__}: {exc}")
        metrics.record_build("failed", time.monotonic() - started)
        return 1


# -- the build worker (python -m chatbot worker) -----------------------------------------------------
def work(settings: Settings, burst: bool = False) -> int:
    """Run the build queue's worker: first fail the jobs whose process died while no worker
    watched, then take builds one at a time, each in a forked work horse running :func:`run`."""
    from chatbot.admin import build_queue

    if not uses_queue(settings):
        raise BuildNotStarted("No build queue: set REDIS_URL and DATABASE_URL (and CHATBOT_BUILD_QUEUE not off); "
                              "without them builds run as child processes of the web host")
    os.environ.update(settings.to_env())          # the work horses' Settings() are these
    db = database(settings)
    reconcile(settings)

    def horse_killed(job_id: int, how: str) -> None:
        if fail_job(db, job_id, stopped(f"{how} on host {HOST}")):
            log.error("build job %s: its work horse was %s", job_id, how)

    def horse_alive(job_id: int) -> None:
        update_job(db, job_id, only_if=("running",), heartbeat_at=time.time())

    return build_queue.work(settings, horse_killed, horse_alive, burst=burst)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if len(argv) == 2 and argv[0] == "run":
        return run(int(argv[1]))
    print("usage: python -m chatbot.admin.jobs run JOB_ID", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
