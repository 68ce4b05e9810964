"""Every metric the service exports, defined once, and the one-line calls that move them.

Under gunicorn each worker is its own process, so the metrics use prometheus-client's
multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` (set by ``chatbot.gunicorn_conf`` before any
worker imports this module, and inherited by the build processes the workers start) holds one
file per process and :func:`render` sums them. Without it (tests, ``flask run``) the default
in-process registry serves.

Labels are bounded: routes are URL rule templates (never raw paths), languages outside a fixed
list are "other", ratings and verdicts are closed sets."""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest, multiprocess)

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BUILD_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 3600)
# langdetect's languages (zh-cn and zh-tw as zh) and Mongolian (chatbot/finder/language.py): a
# client-chosen "lang" outside them is counted as "other", so no client can mint new series
LANGUAGES = frozenset(
    "af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja kn ko lt lv mk ml mn mr ne nl no "
    "pa pl pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh".split())
UNMATCHED_ROUTE = "unmatched"

REQUESTS = Counter("chatbot_http_requests", "HTTP requests answered, by route template, method and status",
                   ["route", "method", "status"])
REQUEST_SECONDS = Histogram("chatbot_http_request_duration_seconds", "Time to answer an HTTP request",
                            ["route", "method"], buckets=LATENCY_BUCKETS)
ANSWERS = Counter("chatbot_answers", "Answers given by /api/ask, by status and language", ["status", "language"])
VERDICTS = Counter("chatbot_verdicts", "Eligibility verdicts given by /api/match, by kind", ["verdict"])
FEEDBACK = Counter("chatbot_feedback", "Feedback received on answers, by rating", ["rating"])
RATE_LIMITED = Counter("chatbot_rate_limited", "Requests refused with 429 by the rate limiter", ["route"])
INDEX_VERSION = Gauge("chatbot_index_version_info", "1 for the index version a worker serves, 0 for one it served",
                      ["version", "model"], multiprocess_mode="liveall")
BUILDS = Counter("chatbot_builds", "Index builds finished, by outcome", ["outcome"])
BUILD_SECONDS = Histogram("chatbot_build_duration_seconds", "Wall time of an index build, by outcome",
                          ["outcome"], buckets=BUILD_BUCKETS)
EMBED_SECONDS = Histogram("chatbot_embedding_seconds", "Time to embed one question", buckets=LATENCY_BUCKETS)
ANSWER_CACHE = Counter("chatbot_answer_cache_lookups", "Answer-cache lookups, by result (hit, miss)", ["result"])
STORE_ERRORS = Counter("chatbot_store_errors", "Operations that could not use an outside store (failed, or skipped while it was down), by store and use (rate_limit, answer_cache, index_versions)", ["store", "use"])


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render() -> tuple[bytes, str]:
    """The exposition text and its content type, summed over every worker when multiprocess."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


# -- the calls the stages make --------------------------------------------------------------------
def count_request(route: str | None, method: str, status: int, seconds: float) -> None:
    """One finished HTTP request; ``route`` is the URL rule template, None when no rule matched.
    A 429 is also counted in :data:`RATE_LIMITED` (the limiter answers before any view runs)."""
    route = route or UNMATCHED_ROUTE
    REQUESTS.labels(route, method, str(status)).inc()
    REQUEST_SECONDS.labels(route, method).observe(seconds)
    if status == 429:
        RATE_LIMITED.labels(route).inc()


def language_label(language: str) -> str:
    base = language.split("-")[0].lower()
    return base if base in LANGUAGES else "other"


def count_answer(status: str, language: str) -> None:
    ANSWERS.labels(status, language_label(language)).inc()


def count_verdicts(verdicts: Iterable[str]) -> None:
    for verdict in verdicts:
        VERDICTS.labels(verdict).inc()


def count_feedback(rating: str) -> None:
    FEEDBACK.labels(rating).inc()


def index_loaded(old: str | None, new: str, model: str) -> None:
    """A worker swapped in version ``new``: its series reads 1, the one it served before 0 (one
    process serves one model). With multiprocess mode "liveall" each worker's series carries its
    pid and goes when the worker does (gunicorn_conf.child_exit)."""
    if old is not None and old != new:
        INDEX_VERSION.labels(old, model).set(0)
    INDEX_VERSION.labels(new, model).set(1)


def record_build(outcome: str, seconds: float | None = None) -> None:
    """One finished build: ``succeeded`` or ``failed`` recorded by the build process itself (it
    inherits the workers' multiprocess directory, and a dead process's counters still count), or
    ``crashed`` (no duration) by the web worker that finds its process gone. Never fails a build."""
    try:
        BUILDS.labels(outcome).inc()
        if seconds is not None:
            BUILD_SECONDS.labels(outcome).observe(seconds)
    except OSError as exc:        # the directory went away (the server stopped while the build ran)
        log.warning("build metrics not recorded: %s", exc)


_serving = True


def serving_process(serving: bool) -> None:
    """False in a build process: the questions its evaluation asks are not timed as citizens' are."""
    global _serving
    _serving = serving


@contextmanager
def timing_embedding() -> Iterator[None]:
    """Around the one call that embeds a question (chatbot/finder/retrieve.py)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if _serving:
            EMBED_SECONDS.observe(time.perf_counter() - started)
