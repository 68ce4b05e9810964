"""One worker's view of whether an outside store (Redis) is reachable: a short circuit breaker.

A dead Redis must not make every request wait for a connect timeout, nor fill the log with one
traceback per request. After a failure the store is skipped for ``retry_seconds``; then the next
operation tries it again (and either ends the outage or starts another wait). Every operation that
could not use the store, failed or skipped, is counted in ``chatbot_store_errors_total``; the
outage is logged when it starts and when it ends, once per worker."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from chatbot.observability.metrics import STORE_ERRORS

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


class StoreOutage:
    def __init__(self, store: str, use: str, retry_seconds: float = RETRY_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.store, self.use = store, use
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failed_at: float | None = None      # None while the store works

    @property
    def down(self) -> bool:
        return self._failed_at is not None

    def usable(self) -> bool:
        """Whether to try the store now: it works, or it failed long enough ago to try again."""
        with self._lock:
            failed_at = self._failed_at
        return failed_at is None or self._clock() - failed_at >= self.retry_seconds

    def skipped(self) -> None:
        """An operation went on without the store, which was down."""
        STORE_ERRORS.labels(store=self.store, use=self.use).inc()

    def failed(self, error: BaseException) -> None:
        STORE_ERRORS.labels(store=self.store, use=self.use).inc()
        with self._lock:
            started = self._failed_at is None
            self._failed_at = self._clock()
        if started:
            log.warning("%s unreachable (%s): %s goes on without it, retrying every %g s",
                        self.store, type(error).__name__, self.use, self.retry_seconds)

    def succeeded(self) -> None:
        with self._lock:
            ended = self._failed_at is not None
            self._failed_at = None
        if ended:
            log.warning("%s reachable again: %s uses it again", self.store, self.use)
