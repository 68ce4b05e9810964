"""Two gunicorn workers booting on a new SQLite file both create its tables: one of them used to die
with "database is locked" (SQLite refuses a switch to WAL while another connection writes, without
waiting), and gunicorn then stopped the whole server."""
from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from chatbot.admin.db import init_db
from chatbot.feedback.store import FeedbackStore

WORKERS = 6
ROUNDS = 20


def _init_admin(barrier, path, failures):
    barrier.wait()
    try:
        init_db(path)
    except sqlite3.OperationalError as error:
        failures.put(str(error))


def _init_feedback(barrier, path, failures):
    barrier.wait()
    try:
        list(FeedbackStore(path).rows())
    except sqlite3.OperationalError as error:
        failures.put(str(error))


@pytest.mark.parametrize("target", [_init_admin, _init_feedback], ids=["admin", "feedback"])
def test_workers_creating_one_new_file_together_all_succeed(tmp_path, target):
    context = multiprocessing.get_context("fork")
    failures = context.Queue()
    for round_ in range(ROUNDS):
        path = tmp_path / f"round{round_}.sqlite3"
        barrier = context.Barrier(WORKERS)
        processes = [context.Process(target=target, args=(barrier, path, failures)) for _ in range(WORKERS)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(30)
            assert process.exitcode == 0
    errors = []
    while not failures.empty():
        errors.append(failures.get())
    assert errors == []
