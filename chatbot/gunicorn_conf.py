"""gunicorn settings used by the Procfile.

Thread pools are limited before anything threaded is imported, and the app is NOT preloaded:
each worker imports FAISS, the embedder's OpenMP engine and Kiwi after the fork, so no worker
inherits a thread pool from the master (forking after OpenMP has started can hang)."""
import os

from chatbot.config import Settings

settings = Settings()          # the workers' create_app() reads the same environment
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(settings.threads))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# HOST and WEB_CONCURRENCY are gunicorn's own (no setting of the app): the address and the workers
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{settings.port}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
preload_app = False
timeout = 60
graceful_timeout = 20
accesslog = "-"
# the access log records paths only; questions travel in POST bodies and are never logged raw
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Load the index in each worker before it takes traffic, so the first citizen does not wait."""
    app = worker.wsgi
    try:
        app.extensions["finder"].snapshot()
    except Exception as exc:  # no index yet: the worker serves 503 until one is published
        worker.log.warning("index not loaded at start: %s", exc)
