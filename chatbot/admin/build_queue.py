"""The build queue of a fleet: RQ on the fleet's Redis (REDIS_URL), taken by ``python -m chatbot worker``.

RQ because Redis is already the fleet's (limits, answer cache) and because its worker forks a
work horse per job: the worker's own process stays light (Redis, SQLAlchemy, no torch nor faiss)
and each build loads the heavy, threaded libraries in a fresh child that exits with it. When a
horse dies (``kill -9``, the OOM killer), the worker sees it at once and hands the job to
``on_killed``, which marks its row failed. The job's row in the state database, not RQ, is what
staff see and what keeps one build at a time (chatbot/admin/jobs.py); RQ only carries the row id.

Queue, job and worker names start with CHATBOT_REDIS_PREFIX, so several deployments (or tests)
can share one Redis."""
from __future__ import annotations

import logging
import os
import signal
import socket
import uuid
from typing import Callable

from chatbot.config import Settings

log = logging.getLogger(__name__)
RUN = "chatbot.admin.jobs.run"     # what the work horse calls, with the job's row id
TIMEOUT = 6 * 3600                 # a build still running after this is stopped by the worker
KEEP_FAILED = 7 * 86400            # seconds RQ keeps a failed job's traceback (the row keeps its error)
_CLIENTS: dict[str, object] = {}


class QueueUnreachable(RuntimeError):
    """Redis did not answer the worker at start."""


def _redis(settings: Settings):
    """One client (and connection pool) per process and address: the staff pages ask on each view."""
    client = _CLIENTS.get(settings.redis_url)
    if client is None:
        from redis import Redis
        client = _CLIENTS[settings.redis_url] = Redis.from_url(settings.redis_url, socket_connect_timeout=5,
                                                               socket_timeout=10, health_check_interval=30)
    return client


def queue_name(settings: Settings) -> str:
    return f"{settings.redis_prefix}-builds"


def queue_job_id(settings: Settings, job_id: int) -> str:
    return f"{settings.redis_prefix}-build-{job_id}"


def _queue(settings: Settings, connection=None):
    from rq import Queue
    return Queue(queue_name(settings), connection=connection or _redis(settings))


def enqueue(settings: Settings, job_id: int) -> None:
    _queue(settings).enqueue(RUN, job_id, job_id=queue_job_id(settings, job_id), job_timeout=TIMEOUT,
                             result_ttl=3600, failure_ttl=KEEP_FAILED, description=f"build #{job_id}")


def waiting(settings: Settings, job_id: int) -> bool | None:
    """True while the job waits on the queue, False once a worker took it, None when the queue no
    longer has it (failed, stopped, expired or never written)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        status = Job.fetch(queue_job_id(settings, job_id), connection=_redis(settings)).get_status()
    except NoSuchJobError:
        return None
    if status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.CREATED):
        return True
    return False if status == JobStatus.STARTED else None


def worker_count(settings: Settings) -> int:
    """Build workers alive on this queue (each refreshes its registration every few seconds)."""
    from rq import Worker
    connection = _redis(settings)
    return Worker.count(connection=connection, queue=_queue(settings, connection))


def _how_it_ended(status: int | None) -> str:
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"killed by signal {number} ({signal.Signals(number).name})"
    code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else "?"
    return f"exited unexpectedly (status {code})"


def work(settings: Settings, on_killed: Callable[[int, str], None], on_alive: Callable[[int], None],
         burst: bool = False) -> int:
    """Take builds from the queue until stopped (SIGTERM: the current build finishes first).
    While a horse works, ``on_alive(job_id)`` is called every sixth of CHATBOT_JOB_STALE_SECONDS
    (whole seconds: RQ's monitor uses ``alarm``) from this process, which no build ever blocks; when
    the horse dies otherwise than by finishing, ``on_killed(job_id, how)``."""
    from rq import Worker

    class BuildWorker(Worker):
        def maintain_heartbeats(self, job, execution):
            super().maintain_heartbeats(job, execution)
            try:
                on_alive(int(job.args[0]))
            except Exception as exc:  # the database blinked: the next beat tries again
                log.warning("heartbeat of %s not written: %s", job.id, exc)

    def horse_killed(job, _pid, status, _rusage) -> None:
        on_killed(int(job.args[0]), _how_it_ended(status))

    connection = _redis(settings)
    try:
        connection.ping()
    except Exception as exc:
        raise QueueUnreachable(f"the build queue's Redis (REDIS_URL) does not answer: {exc}") from exc
    worker = BuildWorker([_queue(settings, connection)], connection=connection,
                         name=f"{settings.redis_prefix}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
                         job_monitoring_interval=max(1, int(settings.job_stale_seconds / 6)),
                         work_horse_killed_handler=horse_killed)
    worker.work(burst=burst, logging_level="INFO")
    return 0
