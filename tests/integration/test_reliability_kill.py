"""kill -9 of the build process in each of its phases: the live version keeps serving, no
half-written version is ever listed or loaded, the job is reported as failed, and the next build
succeeds."""
from __future__ import annotations

import os
import signal

import pytest

from chatbot.admin import jobs
from chatbot.index.store import list_versions, load_version, read_current, verify_version
from chatbot.finder.service import FinderService
from chatbot.storage.database import state_database
from tests.support.admin import change_corpus, wait_for_build
from tests.support.wait import wait_until

# The build's stages as it reports them (chatbot.admin.jobs.run), in order.
STAGES = ["starting", "reading documents", "embedding changed passages", "evaluating", "asking the new text", "done"]
# Where each kill lands, as the build shows it: (job, writing: a new .build-* directory exists in
# the index directory) → reached or passed. Each is waited for, not guessed with a delay, so every
# kill lands in its phase however fast the machine.
KILL_POINTS = [
    ("start-up: importing, reading and chunking", lambda job, writing: job.state == "running"),
    ("embedding", lambda job, writing: _stage(job) >= 2),
    ("writing the version's files", lambda job, writing: writing or _stage(job) >= 3),
    ("evaluating", lambda job, writing: _stage(job) >= 3),
    ("asking the new text", lambda job, writing: _stage(job) >= 4),
]


def _stage(job) -> int:
    return STAGES.index(job.stage) if job.stage in STAGES else 0


def _ask(app) -> dict:
    response = app.test_client().post("/api/ask", json={"question": "면접정장 무료대여 몇 번까지 돼요?"})
    assert response.status_code == 200
    return response.get_json()


def _every_listed_version_is_whole(index_dir) -> None:
    for version in list_versions(index_dir):
        verify_version(index_dir / version)               # raises IndexCorrupt on any half-written file
        load_version(index_dir, version)


def _reached_or_over(settings, job_id: int, reached, leftovers: set):
    """The job once it has reached its kill point or is over; None while it is not there yet.
    ``leftovers``: the temporary directories earlier killed builds left (pruned after an hour)."""
    job = jobs.get_job(state_database(settings), job_id)
    writing = bool(set(settings.index_dir.glob(".build-*")) - leftovers)
    return job if job and (not job.active or reached(job, writing)) else None


@pytest.mark.integration
def test_builds_killed_in_every_phase_never_hurt_the_live_version(admin_app, admin_env):
    settings = admin_app.config["SETTINGS"]
    live = read_current(admin_env.index_dir)
    assert _ask(admin_app)["index_version"] == live
    killed = []
    for n, (point, reached) in enumerate(KILL_POINTS):
        change_corpus(admin_env, f"\n ㅇ 정정 공고 {n}: 신청기간 연장\n")   # a new version each time, never a reuse
        leftovers = set(settings.index_dir.glob(".build-*"))
        job = jobs.start_build(settings, "editor")
        finished = wait_until(lambda: _reached_or_over(settings, job.id, reached, leftovers), 240,
                              f"build {job.id} never reached {point}", interval=0.02)
        if finished.active:
            os.killpg(job.pid, signal.SIGKILL)            # the build and anything it started
            killed.append(point)
            wait_until(lambda: jobs.reconcile(settings) is None, 10, f"killed build {job.id} still listed as building")
            finished = jobs.get_job(state_database(settings), job.id)
            assert finished.state == "failed" and "killed or crashed" in finished.error
        assert read_current(admin_env.index_dir) == live
        assert _ask(admin_app)["index_version"] == live                 # the serving worker
        assert FinderService(settings, admin_app.extensions["finder"].embedder()).snapshot().version == live  # a new one
        _every_listed_version_is_whole(admin_env.index_dir)
    assert killed == [p for p, _ in KILL_POINTS], f"only {killed} landed while building"

    change_corpus(admin_env)
    job = jobs.start_build(settings, "editor")
    done = wait_for_build(settings, job.id)
    assert done.state == "succeeded", done.error
    assert done.version != live and done.version in list_versions(admin_env.index_dir)
    _every_listed_version_is_whole(admin_env.index_dir)
    assert read_current(admin_env.index_dir) == live                    # a build never publishes
