"""Background builds: a separate process per build, its progress and result in the database.

The web worker only starts ``python -m chatbot.admin.jobs run <id>`` and returns. The build
process holds an ``flock`` while it works; the kernel drops it however the process ends, so a
job still marked "running" whose lock is free was killed or crashed and is marked failed. The
index itself is safe either way: a version directory appears only when complete (see
``index_store.write_version``) and nothing is published by a build."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from chatbot.config import PROJECT_ROOT, Settings
from chatbot.admin.audit import record as audit, utc_now
from chatbot.admin.db import connect, init_db, read
from chatbot.admin.files import is_locked
from chatbot.storage.locks import file_lock
from chatbot.observability import metrics

log = logging.getLogger(__name__)
QUEUE_GRACE = 60          # seconds a queued job may wait for its process to start
_CHILDREN: list[subprocess.Popen] = []


class BuildBusy(RuntimeError):
    """A build is already running."""


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

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def _job(row) -> Job:
    return Job(row["id"], row["kind"], row["state"], row["created_by"], row["created_at"], row["started_at"],
               row["finished_at"], row["pid"], row["stage"], row["done"], row["total"], row["version"],
               json.loads(row["result"]), row["error"])


def admin_dir(settings: Settings) -> Path:
    return Path(settings.var_dir) / "admin"


def build_lock_path(settings: Settings) -> Path:
    return admin_dir(settings) / "build.lock"


def get_job(db: Path, job_id: int) -> Job | None:
    with read(db) as conn:
        row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def list_jobs(db: Path, limit: int = 20) -> list[Job]:
    with read(db) as conn:
        return [_job(r) for r in conn.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()]


def update_job(db: Path, job_id: int, **values) -> None:
    if "result" in values:
        values["result"] = json.dumps(values["result"], ensure_ascii=False)
    columns = ", ".join(f"{k} = ?" for k in values)
    with connect(db) as conn:
        conn.execute(f"UPDATE jobs SET {columns} WHERE id = ?", (*values.values(), job_id))


def _age(stamp: str) -> float:
    then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - then).total_seconds()


def reconcile(settings: Settings) -> Job | None:
    """Mark jobs whose process is gone as failed; return the job still building, if any."""
    for child in list(_CHILDREN):          # reap finished children so none lingers as a zombie
        if child.poll() is not None:
            _CHILDREN.remove(child)
    db = settings.admin_db_path
    with read(db) as conn:                 # the builds page calls this on every view: only a failed job writes
        rows = conn.execute("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY id").fetchall()
    # read the rows before the lock: a build sets "running" only while holding the lock and its
    # final state before releasing it, and the updates below only apply if the state is unchanged
    locked = is_locked(build_lock_path(settings)) if rows else False
    alive = None
    for job in map(_job, rows):
        gone = (job.state == "running" and not locked) or (job.state == "queued" and _age(job.created_at) > QUEUE_GRACE)
        if not gone:
            alive = job
            continue
        with connect(db) as conn:
            cursor = conn.execute("UPDATE jobs SET state = 'failed', finished_at = ?, error = ? WHERE id = ? "
                                  "AND state = ?", (utc_now(), "The build process stopped before finishing (killed or "
                                  "crashed). Nothing was published; the live version is unchanged. Start the build "
                                  "again.", job.id, job.state))
        if cursor.rowcount:                # the one process whose update applied counts it
            metrics.record_build("crashed")
    return alive


def child_env(settings: Settings) -> dict[str, str]:
    """The web app's effective settings, every one of them (:meth:`Settings.to_env`), handed to
    the build process as its environment: its ``Settings()`` equals ``settings``."""
    env = {**os.environ, **settings.to_env(), "PYTHONPATH": str(PROJECT_ROOT)}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(settings.threads)
    return env


def start_build(settings: Settings, actor: str) -> Job:
    """Queue a build and start its process; BuildBusy while another one runs."""
    db = settings.admin_db_path
    with file_lock(admin_dir(settings) / "build-start.lock"):
        if reconcile(settings) is not None:
            raise BuildBusy("A build is already running; wait for it to finish.")
        with connect(db) as conn:
            job_id = conn.execute("INSERT INTO jobs (kind, state, created_by, created_at, stage) VALUES "
                                  "('build', 'queued', ?, ?, 'starting')", (actor, utc_now())).lastrowid
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


# -- evaluation ------------------------------------------------------------------------------------
def stored_figures(db: Path, version: str | None) -> dict | None:
    if not version:
        return None
    with read(db) as conn:
        row = conn.execute("SELECT figures FROM evaluations WHERE version = ?", (version,)).fetchone()
    return json.loads(row["figures"]) if row else None


def evaluate_version(settings: Settings, version: str, embedder=None) -> dict:
    """hit@1, hit@5, MRR and program@1 per language of the project's evaluation set, on ``version``
    (loaded and verified beside whatever is live), stored so each version is evaluated once."""
    db = settings.admin_db_path
    cached = stored_figures(db, version)
    if cached is not None:
        return cached
    from chatbot.finder.evaluation import EVALUATION_FILES, figures, read_questions, score
    from chatbot.finder.service import FinderService

    paths = [Path(settings.eval_dir) / name for name in EVALUATION_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return {"error": f"evaluation set missing: {', '.join(missing)} (CHATBOT_EVAL_DIR)"}
    questions = read_questions(paths)

    started = time.monotonic()
    report = figures(score(FinderService(settings, embedder=embedder, version=version), questions))
    rounded = {lang: {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items() if k != "confidences"}
               for lang, row in report.items()}
    rounded["_seconds"] = round(time.monotonic() - started, 1)
    with connect(db) as conn:
        conn.execute("INSERT OR REPLACE INTO evaluations (version, at, figures) VALUES (?, ?, ?)",
                     (version, utc_now(), json.dumps(rounded)))
    return rounded


_BULLET = re.compile(r"^[\s□○◦ㅇ\-–·•*※▸▶①-⑳]+")


def sample_questions(settings: Settings, version: str, live: str | None, embedder=None, limit: int = 5) -> list[dict]:
    """Does the new text answer? Up to ``limit`` lines found in the new version and not in the live
    one, each asked as a citizen's question of the new version: its status, and whether the answer
    cites the passage holding that line (staff see this with the build result)."""
    from chatbot.documents.corpus import collapse_whitespace
    from chatbot.finder.service import FinderService

    new = FinderService(settings, embedder=embedder, version=version).snapshot().answerer
    old_ids: set[str] = set()
    old_lines: set[str] = set()
    if live:
        old = FinderService(settings, embedder=embedder, version=live).snapshot().answerer
        old_ids = {p.id for p in old.retriever.index.passages}
        old_lines = {collapse_whitespace(line) for p in old.retriever.index.passages for line in p.text.splitlines()}
    samples: list[dict] = []
    for passage in new.retriever.index.passages:
        if passage.id in old_ids:
            continue
        fresh = [_BULLET.sub("", line).strip() for line in passage.text.splitlines()
                 if collapse_whitespace(line) not in old_lines]
        question = next((line[:80] for line in fresh if len(line) >= 8), None)
        if question is None:
            continue
        answer = new.answer(question)
        cited = any(c.passage.id == passage.id for c in answer.citations)
        samples.append({"question": question, "status": answer.status, "cites": cited,
                        "document": passage.document_id, "lines": [passage.start_line, passage.end_line]})
        if len(samples) >= limit:
            break
    return samples


# -- the build process -------------------------------------------------------------------------------
def run(job_id: int) -> int:
    settings = Settings()
    db = settings.admin_db_path
    init_db(db)
    with file_lock(build_lock_path(settings), blocking=False) as acquired:
        if not acquired:
            update_job(db, job_id, state="failed", finished_at=utc_now(), error="Another build was running.")
            return 1
        update_job(db, job_id, state="running", started_at=utc_now(), pid=os.getpid(), stage="reading documents")
        from chatbot.index.builder import build_index                  # heavy imports only once the job is marked running
        from chatbot.index.embedding import create_embedder
        from chatbot.index.store import prune_versions, read_current

        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            if time.monotonic() - last > 0.25 or done == total:
                last = time.monotonic()
                update_job(db, job_id, stage="embedding changed passages", done=done, total=total)

        metrics.serving_process(False)     # the evaluation's questions are not citizens' questions
        started = time.monotonic()
        try:
            embedder = create_embedder(settings.embed_backend, settings.embed_model, **settings.embedder_options())
            report = build_index(settings, embedder=embedder, publish=False, progress=progress)
            update_job(db, job_id, stage="evaluating", version=report.version)
            live = read_current(settings.index_dir)
            figures = evaluate_version(settings, report.version, embedder)
            live_figures = evaluate_version(settings, live, embedder) if live else None
            update_job(db, job_id, stage="asking the new text")
            samples = sample_questions(settings, report.version, live, embedder)
            pruned = prune_versions(settings.index_dir, max(settings.keep_versions, 2), protect={report.version})
            result = {"passages": report.passages, "embedded": report.embedded,
                      "lines_embedded": report.lines_embedded, "reused": report.reused,
                      "seconds": round(time.monotonic() - started, 1), "live_version": live,
                      "figures": figures, "live_figures": live_figures, "pruned": pruned, "samples": samples}
            update_job(db, job_id, state="succeeded", finished_at=utc_now(), stage="done", result=result)
            metrics.record_build("succeeded", time.monotonic() - started)
            job = get_job(db, job_id)
            audit(db, job.created_by if job else "?", "build.finished", report.version,
                  {"job": job_id, **{k: v for k, v in result.items() if k not in ("figures", "live_figures", "samples")}})
            return 0
        except Exception as exc:  # any failure is the job's result, shown to staff
            log.exception("build job %s failed", job_id)
            update_job(db, job_id, state="failed", finished_at=utc_now(), error=f"{type(exc).__name__}: {exc}")
            metrics.record_build("failed", time.monotonic() - started)
            return 1


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if len(argv) == 2 and argv[0] == "run":
        return run(int(argv[1]))
    print("usage: python -m chatbot.admin.jobs run JOB_ID", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
