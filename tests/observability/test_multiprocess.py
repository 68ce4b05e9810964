"""Metrics across processes: gunicorn_conf's PROMETHEUS_MULTIPROC_DIR (a private directory per
master start unless the operator names one, emptied at start, a dead worker's live gauges
dropped) and a build process recording its outcome into the workers' directory."""
from __future__ import annotations

import importlib
import json
import os
import stat
import subprocess
import sys
import tempfile

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from chatbot.admin import jobs
from chatbot.config import PROJECT_ROOT, Settings
from tests.support.admin import wait_for_build
from tests.support.metrics import total

OWN_DIRECTORY = """
import json, os, stat
import chatbot.gunicorn_conf as conf
made = os.environ["PROMETHEUS_MULTIPROC_DIR"]
mode = stat.S_IMODE(os.stat(made).st_mode)
conf.on_starting(None)
conf.on_exit(None)
print(json.dumps({"dir": made, "mode": mode, "left": os.path.exists(made)}))
"""


def summed(directory) -> str:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return generate_latest(registry).decode()


def test_without_a_directory_each_master_makes_a_private_one_and_removes_it():
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    runs = [json.loads(subprocess.run([sys.executable, "-c", OWN_DIRECTORY], cwd=PROJECT_ROOT, env=env, check=True,
                                      capture_output=True, text=True).stdout.splitlines()[-1]) for _ in range(2)]
    assert runs[0]["dir"] != runs[1]["dir"]                              # fresh per start
    for run in runs:
        assert os.path.dirname(run["dir"]) == tempfile.gettempdir() and run["mode"] == 0o700
        assert not run["left"]                                          # removed at exit


def test_the_operators_directory_is_emptied_at_start_and_kept(monkeypatch, tmp_path):
    directory = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    conf = importlib.import_module("chatbot.gunicorn_conf")
    directory.mkdir()
    (directory / "counter_4242.db").write_bytes(b"left by the last run")
    (directory / "notes.txt").write_text("not ours")
    conf.on_starting(None)
    assert sorted(p.name for p in directory.iterdir()) == ["notes.txt"]
    (directory / "gauge_liveall_4242.db").write_bytes(b"")
    (directory / "counter_4242.db").write_bytes(b"")
    conf.child_exit(None, type("Worker", (), {"pid": 4242})())
    assert sorted(p.name for p in directory.iterdir()) == ["counter_4242.db", "notes.txt"]   # counters still count
    conf.on_exit(None)
    assert directory.is_dir()


@pytest.mark.integration
def test_a_build_process_records_its_outcome_in_the_workers_directory(admin_env, monkeypatch, tmp_path):
    """The build runs in its own process, started by a web worker: it inherits the directory and its
    counters outlive it, so /metrics of any worker counts the build once."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))      # as gunicorn's workers have it
    settings = Settings().with_overrides({"index_dir": admin_env.index_dir, "corpus_dir": admin_env.corpus_dir,
                                          "var_dir": admin_env.var_dir, "embed_backend": "no-such-backend"})
    job = wait_for_build(settings, jobs.start_build(settings, "editor").id, timeout=60)
    assert job.state == "failed" and "no-such-backend" in job.error
    text = summed(directory)
    assert total(text, "chatbot_builds_total", outcome="failed") == 1
    assert total(text, "chatbot_build_duration_seconds_count", outcome="failed") == 1
    assert total(text, "chatbot_builds_total", outcome="succeeded") == 0
