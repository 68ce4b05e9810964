"""Waiting for something to happen: poll a predicate until it holds or a deadline passes.

Tests never sleep "long enough" for a build, a server or a thread to get somewhere: they wait for
the state they need and fail with a message naming it when it does not come."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, message: str | Callable[[], str],
               interval: float = 0.05) -> T:
    """Return ``predicate()``'s first truthy value; AssertionError with ``message`` (a string, or a
    function called only on failure, e.g. for a log's tail) once ``timeout`` seconds have passed.
    An exception from ``predicate`` ends the wait at once (say, a server process that exited)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"{text} (waited {timeout:g}s)")
        time.sleep(interval)
