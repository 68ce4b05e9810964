#!/usr/bin/env python3
"""A local fleet: two web hosts on two loopback ports, each with its own local index cache and var
directory, and one build worker, all on one PostgreSQL database and one Redis: what a city runs
behind its balancer, on one machine.

    .venv/bin/python scripts/fleet.py                 # ports 8001 and 8002, the real model; Ctrl-C stops it
    .venv/bin/python scripts/fleet.py --hosts 3 --first-port 9001
    DATABASE_URL=postgresql://me@db/finder REDIS_URL=redis://cache:6379/0 .venv/bin/python scripts/fleet.py

It creates the database if it does not exist, runs ``python -m chatbot db upgrade``, builds and
publishes a first index version when the database has none, then starts the hosts and the worker
(the Procfile's two lines) and prints their addresses and log files. The integration tests and
bench/fleet.py drive the same class, :class:`LocalFleet`.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatbot.cli import procfile_command                      # noqa: E402
from chatbot.config import PROJECT_ROOT, Settings            # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/chatbot_fleet"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` on its server if it is missing (the fleet's first start)."""
    import psycopg
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def serving_version(url: str) -> str | None:
    """The index version the host at ``url`` serves (its /readyz), None while it serves none."""
    try:
        response = requests.get(url + "/readyz", timeout=5)
    except requests.RequestException:
        return None
    return response.json().get("index_version") if response.status_code == 200 else None


@dataclass
class Process:
    """One process of the fleet: a web host (gunicorn) or the build worker."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    port: int | None = None
    popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Process":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a") as log:
            self.popen = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, signum: int) -> None:
        """Signal the process and its children (gunicorn's workers, RQ's work horse)."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)

    def stop(self, timeout: float = 30) -> None:
        if self.popen is None:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait()

    def kill(self) -> None:
        """kill -9 of the host and its workers: what a crashed machine looks like to the others."""
        self.signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait()

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def ready(self, path: str = "/readyz") -> bool:
        if not self.running:
            raise RuntimeError(f"{self.name} exited: {self.tail()}")
        try:
            return requests.get(self.url + path, timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False


@dataclass
class LocalFleet:
    """Web hosts and a build worker sharing ``database_url`` and ``redis_url``. Each host has its
    own directory under ``root`` (index cache, var/, log), as separate machines would."""

    root: Path
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    settings: dict = field(default_factory=dict)   # more settings for every process (Settings field names)
    web_workers: int = 2
    hosts: dict[str, Process] = field(default_factory=dict)
    worker: Process | None = None

    def env(self, name: str, port: int | None = None) -> dict[str, str]:
        """The environment of one process: shared engines, its own local directories."""
        home = self.root / name
        overrides = {"database_url": self.database_url, "redis_url": self.redis_url,
                     "index_dir": home / "index", "var_dir": home / "var", "feedback_db": home / "var" / "feedback.sqlite3",
                     "cookie_secure": "never", **self.settings}
        env = {**os.environ, **Settings().with_overrides(overrides).to_env(), "WEB_CONCURRENCY": str(self.web_workers),
               "HOST": "127.0.0.1"}
        if port is not None:
            env["PORT"] = str(port)
        return env

    def run(self, *args: str, name: str = "admin", check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        """``python -m chatbot ARGS`` with the fleet's settings (db upgrade, build-index, create-admin, ...)."""
        return subprocess.run([sys.executable, "-m", "chatbot", *args], cwd=PROJECT_ROOT, env=self.env(name),
                              input=stdin, text=True, capture_output=True, check=check)

    def prepare(self) -> None:
        """The database exists and is migrated; a first version is built and published if it has none."""
        ensure_database(self.database_url)
        self.run("db", "upgrade")
        self.run("build-index", "--if-missing", "--quiet", name="builder")

    def start_host(self, name: str, port: int) -> Process:
        command = procfile_command()
        executable = Path(sys.executable).with_name(command[0])
        host = Process(name, [str(executable), *command[1:]], self.env(name, port), self.root / name / "web.log", port)
        self.hosts[name] = host.start()
        return host

    def start_worker(self) -> Process:
        self.worker = Process("worker", [sys.executable, "-m", "chatbot", "worker"], self.env("worker"),
                              self.root / "worker" / "worker.log").start()
        return self.worker

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        for host in self.hosts.values():
            while not host.ready():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{host.name} not ready: {host.tail()}")
                time.sleep(0.2)

    def stop(self) -> None:
        for process in [*self.hosts.values(), *([self.worker] if self.worker else [])]:
            process.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--first-port", type=int, default=8001)
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT / "var" / "fleet",
                        help="each process's local directories and logs")
    args = parser.parse_args(argv)
    fleet = LocalFleet(args.root, os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
                       os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    print(f"preparing {fleet.database_url} (db upgrade; a first index version if there is none) ...", flush=True)
    fleet.prepare()
    names = [f"host-{chr(ord('a') + i)}" for i in range(args.hosts)]
    for offset, name in enumerate(names):
        fleet.start_host(name, args.first_port + offset)
    worker = fleet.start_worker()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})   # sigwait below takes them
    try:
        fleet.wait_ready()
        for host in fleet.hosts.values():
            print(f"{host.name}: {host.url}  (log {host.log_path})")
        print(f"build worker: log {worker.log_path}")
        print("staff account: python -m chatbot create-admin NAME with the same DATABASE_URL; Ctrl-C stops the fleet")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        fleet.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
