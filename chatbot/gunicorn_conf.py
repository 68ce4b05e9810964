"""gunicorn settings used by the Procfile.

Thread pools are limited before anything threaded is imported, and the app is NOT preloaded:
each worker imports FAISS, the embedder's OpenMP engine and Kiwi after the fork, so no worker
inherits a thread pool from the master (forking after OpenMP has started can hang).

Metrics: every worker (and every build process a worker starts) writes its counters to files in
``PROMETHEUS_MULTIPROC_DIR``, which /metrics sums. It is set here, in the master, before any
process imports prometheus_client: the operator's directory, emptied at start, or else a fresh
private one per master start, removed at exit. Logs: gunicorn's own lines are JSON too."""
import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger

from chatbot.config import Settings
from chatbot.observability.logs import REQUEST_ID_HEADER, json_formatter

_OWN_METRICS_DIR = "_CHATBOT_OWN_METRICS_DIR"     # the directory this master made (not a setting)
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # remembered in the environment: a configuration reload (HUP) re-reads this file
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ[_OWN_METRICS_DIR] = tempfile.mkdtemp(prefix="chatbot-metrics-")

settings = Settings()          # the workers' create_app() reads the same environment
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(settings.threads))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# HOST and WEB_CONCURRENCY are gunicorn's own (no setting of the app): the address and the workers
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{settings.port}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# threads: a slow client holds one of a worker's threads, not the whole worker (a sync worker
# waits on its socket until the client finishes or the 60 s timeout kills it)
worker_class = "gthread"
threads = settings.web_threads
preload_app = False
timeout = 60
graceful_timeout = 20
accesslog = "-"


class JsonLogger(Logger):
    """gunicorn's error and access logs as one JSON object a line. The access line holds the
    path without its query string, never a body (questions travel in POST bodies), and the
    request id the app sent back, which joins it to the app's own line for the request."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(json_formatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        sent = dict((name.lower(), value) for name, value in resp.headers)
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        self.access_log.info("access", extra={
            "request_id": sent.get(REQUEST_ID_HEADER.lower()), "remote": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"), "path": environ.get("PATH_INFO"), "status": int(status),
            "bytes": getattr(resp, "sent", None), "duration_ms": round(request_time.total_seconds() * 1000, 1)})


logger_class = JsonLogger


def on_starting(server):
    """Counters left by an earlier run in the operator's directory would be summed as if new."""
    metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """A dead worker's "live" gauges (the index version it served) leave /metrics with it."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    own = os.environ.get(_OWN_METRICS_DIR)
    if own and own == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(own, ignore_errors=True)


def post_worker_init(worker):
    """Load the index in each worker before it takes traffic, so the first citizen does not wait."""
    app = worker.wsgi
    try:
        app.extensions["finder"].snapshot()
    except Exception as exc:  # no index yet: the worker serves 503 until one is published
        worker.log.warning("index not loaded at start: %s", exc)
