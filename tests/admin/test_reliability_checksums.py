"""A version with a truncated or altered file is refused on publish (with the reason shown to the
publisher) and on load (the workers keep serving what they had and say why)."""
from __future__ import annotations

import pytest

from chatbot.admin import audit
from chatbot.index.builder import build_index
from chatbot.index.store import POINTER, read_current
from tests.support.admin import post, signed_in
from tests.support.wait import wait_until

DOC = "documents/seoul-economic-policy-office-2024.txt"


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def alter(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01                   # same size, one bit different
    path.write_bytes(bytes(data))


@pytest.fixture
def second_version(admin_app, admin_env) -> str:
    path = admin_env.corpus_dir / DOC
    path.write_text(path.read_text(encoding="utf-8") + "\n ㅇ 정정 공고: 신청기간 연장\n", encoding="utf-8")
    settings = admin_app.config["SETTINGS"]
    return build_index(settings, embedder=admin_app.extensions["finder"].embedder(), publish=False).version


@pytest.mark.parametrize("damage, file", [(truncate, "vectors.npy"), (alter, "passages.jsonl"), (truncate, "dense.faiss")])
def test_damaged_version_is_refused_on_publish_with_the_reason(admin_app, admin_env, second_version, damage, file):
    live = read_current(admin_env.index_dir)
    damage(admin_env.index_dir / second_version / file)
    publisher = signed_in(admin_app, "publisher")
    builds = publisher.get("/admin/builds").get_data(as_text=True)
    assert f"Damaged — cannot be published: {second_version}: {file} checksum mismatch" in builds
    response = post(publisher, f"/admin/versions/{second_version}/publish", page="/admin/builds")
    html = publisher.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Version {second_version} is damaged and was not published" in html
    assert f"{file} checksum mismatch (truncated or altered)" in html
    assert read_current(admin_env.index_dir) == live
    assert admin_app.test_client().post("/api/ask", json={"question": "청년 일자리"}).get_json()["index_version"] == live
    assert audit.entries(admin_env.db, action="publish.refused")[0].detail["reason"].endswith("(truncated or altered)")


def test_damaged_version_is_refused_on_load_and_the_old_one_keeps_serving(make_app, admin_app, admin_env,
                                                                          second_version):
    live = read_current(admin_env.index_dir)
    client = admin_app.test_client()
    assert client.post("/api/ask", json={"question": "청년 일자리"}).get_json()["index_version"] == live
    alter(admin_env.index_dir / second_version / "vectors.npy")
    (admin_env.index_dir / POINTER).write_text(second_version + "\n")      # a pointer set behind our back
    finder = admin_app.extensions["finder"]
    wait_until(lambda: "checksum mismatch" in (finder.status()["error"] or ""), 10, "the watcher never tried it")
    response = client.post("/api/ask", json={"question": "청년 일자리"})
    assert response.status_code == 200 and response.get_json()["index_version"] == live
    status = admin_app.extensions["finder"].status()
    assert status["index_version"] == live and "checksum mismatch" in status["error"]
    publisher = signed_in(admin_app, "publisher")
    assert "checksum mismatch" in publisher.get("/admin/").get_data(as_text=True)    # shown to staff
    fresh = make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir)
    refused = fresh.test_client().get("/readyz")                     # a new worker never loads it
    assert refused.status_code == 503 and "checksum mismatch" in refused.get_json()["error"]["message"]
