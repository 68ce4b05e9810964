"""kill -9 of the build process at random points: the live version keeps serving, no half-written
version is ever listed or loaded, the job is reported as failed, and the next build succeeds."""
from __future__ import annotations

import os
import random
import signal
import time

import pytest

from chatbot.admin import jobs
from chatbot.index.store import list_versions, load_version, read_current, verify_version
from chatbot.finder.service import FinderService
from test_admin_support import admin_app, admin_env  # noqa: F401
from test_admin_builds import change_corpus, wait_for

KILLS = 5


def _ask(app) -> dict:
    response = app.test_client().post("/api/ask", json={"question": "면접정장 무료대여 몇 번까지 돼요?"})
    assert response.status_code == 200
    return response.get_json()


def _every_listed_version_is_whole(index_dir) -> None:
    for version in list_versions(index_dir):
        verify_version(index_dir / version)               # raises IndexCorrupt on any half-written file
        load_version(index_dir, version)


@pytest.mark.integration
def test_builds_killed_at_random_points_never_hurt_the_live_version(admin_app, admin_env):
    settings = admin_app.config["SETTINGS"]
    live = read_current(admin_env.index_dir)
    assert _ask(admin_app)["index_version"] == live
    rng = random.Random(20240725)
    # spread over the build's phases: start-up, chunking/tokenising, embedding, writing, evaluating
    delays = [rng.uniform(low, high) for low, high in ((0.2, 1.0), (1.0, 2.5), (2.5, 4.0), (4.0, 6.0), (6.0, 9.0))]
    rng.shuffle(delays)
    killed = 0
    for n, delay in enumerate(delays):
        change_corpus(admin_env, f"\n ㅇ 정정 공고 {n}: 신청기간 연장\n")   # a new version each time, never a reuse
        job = jobs.start_build(settings, "editor")
        time.sleep(delay)
        finished = jobs.get_job(settings.admin_db_path, job.id)
        if finished.active:
            os.killpg(job.pid, signal.SIGKILL)            # the build and anything it started
            killed += 1
            deadline = time.monotonic() + 10
            while jobs.reconcile(settings) is not None and time.monotonic() < deadline:
                time.sleep(0.1)
            finished = jobs.get_job(settings.admin_db_path, job.id)
            assert finished.state == "failed" and "killed or crashed" in finished.error
        assert read_current(admin_env.index_dir) == live
        assert _ask(admin_app)["index_version"] == live                 # the serving worker
        assert FinderService(settings, admin_app.extensions["finder"].embedder()).snapshot().version == live  # a new one
        _every_listed_version_is_whole(admin_env.index_dir)
    assert killed >= 3, f"only {killed} of {KILLS} kills landed while building"

    change_corpus(admin_env)
    job = jobs.start_build(settings, "editor")
    done = wait_for(settings, job.id)
    assert done.state == "succeeded", done.error
    assert done.version != live and done.version in list_versions(admin_env.index_dir)
    _every_listed_version_is_whole(admin_env.index_dir)
    assert read_current(admin_env.index_dir) == live                    # a build never publishes
