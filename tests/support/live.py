"""The real server for the integration and end-to-end tests and bench/http_latency.py: the
Procfile's gunicorn command on a free loopback port, started and stopped around a block of tests."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import requests

from chatbot.cli import procfile_command
from chatbot.config import PROJECT_ROOT
from tests.support.wait import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(env: dict, log_path: Path, ready_path: str = "/readyz", timeout: float = 180):
    """Yield (url, process) once ``ready_path`` answers 200; always stop the server."""
    port = free_port()
    # the address is this function's: a PORT in ``env`` (Settings.to_env() has one) does not move it
    full_env = {**os.environ, "WEB_CONCURRENCY": "2", **env, "HOST": "127.0.0.1", "PORT": str(port)}
    command = procfile_command()
    executable = Path(sys.executable).with_name(command[0])
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(executable), *command[1:]], cwd=PROJECT_ROOT, env=full_env,
                                   stdout=log, stderr=subprocess.STDOUT)

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()[-3000:]}")
            try:
                return requests.get(url + ready_path, timeout=10).status_code == 200
            except (requests.ConnectionError, requests.Timeout):
                return False

        try:
            wait_until(ready, timeout, lambda: f"server not ready: {log_path.read_text()[-3000:]}", interval=0.2)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []
