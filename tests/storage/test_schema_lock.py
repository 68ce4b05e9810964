"""Two gunicorn workers booting on a new SQLite file both create its tables: one of them used to die
with "database is locked" (SQLite refuses a switch to WAL while another connection writes, without
waiting), and gunicorn then stopped the whole server."""
from __future__ import annotations

import multiprocessing

import sqlalchemy.exc

from chatbot.config import Settings
from chatbot.storage import migrate

WORKERS = 6
ROUNDS = 5


def _start_app(barrier, path, failures):
    """What each worker does at start: both SQLite files (state and feedback) migrated."""
    settings = Settings().with_overrides({"admin_db": path, "feedback_db": path.with_suffix(".feedback.sqlite3"),
                                          "corpus_dir": path.parent / "no-corpus", "database_url": ""})
    barrier.wait()
    try:
        migrate.ensure_ready(settings)
    except sqlalchemy.exc.OperationalError as error:
        failures.put(str(error))


def test_workers_starting_together_on_new_files_all_succeed(tmp_path):
    context = multiprocessing.get_context("fork")
    failures = context.Queue()
    for round_ in range(ROUNDS):
        path = tmp_path / f"round{round_}.sqlite3"
        barrier = context.Barrier(WORKERS)
        processes = [context.Process(target=_start_app, args=(barrier, path, failures)) for _ in range(WORKERS)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(30)
            assert process.exitcode == 0
    errors = []
    while not failures.empty():
        errors.append(failures.get())
    assert errors == []
