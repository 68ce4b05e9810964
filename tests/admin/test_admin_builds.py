"""Builds run as separate processes with visible progress and evaluation figures beside the live
version's; publishing and rolling back swap index/current and the API follows without restart."""
from __future__ import annotations

import os

import pytest

from chatbot.admin import audit, jobs
from chatbot.index.store import MANIFEST, list_versions, read_current
from tests.support.admin import change_corpus, post, save, signed_in, wait_for_build
from tests.support.wait import wait_until


def start(client) -> int:
    response = post(client, "/admin/builds", page="/admin/builds")
    assert response.status_code == 302, response.get_data(as_text=True)[-1000:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def ask_version(app) -> str:
    response = app.test_client().post("/api/ask", json={"question": "청년취업사관학교 대상은?"})
    assert response.status_code == 200
    return response.get_json()["index_version"]


@pytest.mark.integration
def test_build_publish_and_roll_back(admin_app, admin_env):
    settings = admin_app.config["SETTINGS"]
    live = read_current(admin_env.index_dir)
    assert ask_version(admin_app) == live
    change_corpus(admin_env)
    editor, publisher = signed_in(admin_app, "editor"), signed_in(admin_app, "publisher")
    job_id = start(editor)
    assert "Build #" in editor.get(f"/admin/builds/{job_id}").get_data(as_text=True)
    job = wait_for_build(settings, job_id)
    assert job.state == "succeeded", job.error
    assert job.version != live and job.version in list_versions(admin_env.index_dir)
    assert 0 < job.result["embedded"] < job.result["passages"]            # only changed passages re-embedded
    assert 0 < job.result["lines_embedded"] < 100                          # and only their changed lines
    assert read_current(admin_env.index_dir) == live                     # built, not published
    assert job.result["figures"]["ko"]["n"] > 50 and "hit@1" in job.result["live_figures"]["en"]
    page = publisher.get(f"/admin/builds/{job_id}").get_data(as_text=True)
    assert "this build against the live version" in page and "hit@5" in page and f"Publish {job.version}" in page
    [sample] = job.result["samples"]                                        # the one new line, asked
    assert sample["question"] == "2024년 7월 신설: 청년 면접정장 대여 횟수 연 12회로 확대"
    assert sample["cites"] is True and "Does the new text answer?" in page and sample["question"] in page

    response = post(publisher, f"/admin/versions/{job.version}/publish", page="/admin/builds")
    assert response.status_code == 302
    assert read_current(admin_env.index_dir) == job.version
    wait_until(lambda: ask_version(admin_app) == job.version, 10, "not served")   # same process, no restart
    builds_page = publisher.get("/admin/builds").get_data(as_text=True)
    assert "Roll back to this" in builds_page

    response = post(publisher, f"/admin/versions/{live}/publish", page="/admin/builds")
    assert read_current(admin_env.index_dir) == live
    wait_until(lambda: ask_version(admin_app) == live, 10, "the rollback was not served")
    logged = [(e.action, e.target) for e in audit.entries(admin_env.db)]
    assert ("rollback", live) in logged and ("publish", job.version) in logged
    assert ("build.start", str(job_id)) in logged and ("build.finished", job.version) in logged
    rollback = audit.entries(admin_env.db, action="rollback")[0]
    assert rollback.actor == "publisher" and rollback.detail["previous"] == job.version


@pytest.mark.integration
def test_unchanged_corpus_reuses_the_version_and_one_build_at_a_time(admin_app, admin_env):
    settings = admin_app.config["SETTINGS"]
    editor = signed_in(admin_app, "editor")
    job_id = start(editor)
    response = post(editor, "/admin/builds", page="/admin/builds")            # while the first runs
    second = editor.get(response.headers["Location"]).get_data(as_text=True)
    job = wait_for_build(settings, job_id)
    assert "already running" in second or response.headers["Location"].endswith(f"/{job_id + 1}")
    assert job.state == "succeeded" and job.result["reused"] and job.version == read_current(admin_env.index_dir)


def test_publish_keeps_only_the_last_versions(make_app, admin_env):
    app = make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir,
                   rate_limit="off", keep_versions=2)
    from chatbot.index.builder import build_index

    settings = app.config["SETTINGS"]
    built = []
    for i in range(3):
        change_corpus(admin_env, f"\n ㅇ 추가 안내 {i}번: 문의는 일자리정책과\n")
        built.append(build_index(settings, embedder=app.extensions["finder"].embedder(), publish=False).version)
        # versions are listed by their manifest's mtime: set it a second apart, as builds minutes apart
        # would be, instead of relying on the file system's timestamp resolution
        manifest = admin_env.index_dir / built[-1] / MANIFEST
        os.utime(manifest, (manifest.stat().st_mtime + i + 1,) * 2)
    publisher = signed_in(app, "publisher")
    post(publisher, f"/admin/versions/{built[-1]}/publish", page="/admin/builds")
    kept = list_versions(admin_env.index_dir)
    assert read_current(admin_env.index_dir) == built[-1] and len(kept) == 2 and built[-2] in kept


def test_publish_refuses_a_version_built_with_another_model(admin_app, admin_env, tmp_path):
    from chatbot.index.builder import build_index
    from tests.support.fake_embedder import FakeEmbedder

    settings = admin_app.config["SETTINGS"]
    change_corpus(admin_env)
    other = build_index(settings, embedder=FakeEmbedder(32), publish=False).version
    before = read_current(admin_env.index_dir)
    publisher = signed_in(admin_app, "publisher")
    response = post(publisher, f"/admin/versions/{other}/publish", page="/admin/builds")
    html = publisher.get(response.headers["Location"]).get_data(as_text=True)
    assert "was built with fake:32, but the server runs fake:64" in html
    assert read_current(admin_env.index_dir) == before
    assert audit.entries(admin_env.db, action="publish.refused")[0].target == other


def test_a_killed_build_is_marked_failed(admin_app, admin_env):
    from chatbot.storage.tables import jobs as jobs_table

    settings = admin_app.config["SETTINGS"]
    db = jobs.database(settings)
    with db.write() as conn:                           # a build whose process died without a word
        job_id = conn.execute(jobs_table.insert().values(
            kind="build", state="running", created_by="editor", created_at="2026-01-01T00:00:00Z", pid=999999,
            host=jobs.HOST)).inserted_primary_key[0]
    assert jobs.reconcile(settings) is None
    job = jobs.get_job(db, job_id)
    assert job.state == "failed" and "stopped before finishing" in job.error


def test_a_version_whose_catalog_does_not_match_its_documents_is_not_published(admin_app, admin_env):
    """The workers refuse such a version when they load it; publishing checks the same first, so
    the pointer never names a version that every worker would refuse."""
    from chatbot.index.builder import build_index

    from tests.support.index import edit_version_catalog

    settings = admin_app.config["SETTINGS"]
    live = read_current(admin_env.index_dir)
    catalog = admin_env.corpus_dir / "programs.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Free interview suit rental", "Suits for free", 1),
                       encoding="utf-8")                   # a new version, built and checked as usual …
    bad = build_index(settings, embedder=admin_app.extensions["finder"].embedder(), publish=False).version
    # … whose snapshot is then edited by hand (edit_version_catalog)
    edit_version_catalog(admin_env.index_dir, bad, lambda text: text.replace(
        "대 상 : 취업 의지가 있는 20~30대 청년 구직자", "대 상 : 20~34세 청년", 1))
    publisher = signed_in(admin_app, "publisher")
    response = post(publisher, f"/admin/versions/{bad}/publish", page="/admin/builds")
    html = publisher.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Version {bad} cannot be served: its catalog does not match its documents" in html
    assert "youth-academy" in html and read_current(admin_env.index_dir) == live


def test_rollback_restores_the_catalog_that_was_reviewed_with_the_version(admin_app, admin_env):
    from chatbot.admin.catalog_edit import get_record, record_version
    from chatbot.index.builder import build_index

    settings = admin_app.config["SETTINGS"]
    old = read_current(admin_env.index_dir)
    editor, publisher = signed_in(admin_app, "editor"), signed_in(admin_app, "publisher")
    record = get_record(admin_env.live, "youth-academy")
    base = record_version(record)
    record["summary"]["en"] = "A new summary"
    assert save(editor, record, base, url="/admin/catalog/youth-academy").status_code == 302
    new = build_index(settings, embedder=admin_app.extensions["finder"].embedder(), publish=False).version
    assert new != old                                              # the catalog is part of the version
    finder = admin_app.extensions["finder"]
    post(publisher, f"/admin/versions/{new}/publish", page="/admin/builds")
    wait_until(lambda: finder.snapshot().version == new, 10, f"the worker did not swap in {new}")
    assert finder.snapshot().catalog.get("youth-academy").summary.en == "A new summary"
    post(publisher, f"/admin/versions/{old}/publish", page="/admin/builds")
    assert read_current(admin_env.index_dir) == old
    wait_until(lambda: finder.snapshot().version == old, 10, f"the worker did not swap {old} back in")
    assert finder.snapshot().catalog.get("youth-academy").summary.en != "A new summary"
