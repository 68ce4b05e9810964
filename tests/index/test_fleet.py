"""Index versions across a fleet (DATABASE_URL on PostgreSQL): hosts with separate local index
directories follow the database's current version. A publish reaches another host through the
notification (their poll interval here is far longer than the wait), a host starting empty fetches
the current version by itself, two workers of one host download it once, and a database outage
leaves a host serving what it loaded until the database is back."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from chatbot.admin import versions
from chatbot.cli import main
from chatbot.config import Settings
from chatbot.finder.service import FinderService
from chatbot.index import fleet
from chatbot.index.builder import build_index
from chatbot.index.store import read_current
from chatbot.observability import metrics
from chatbot.storage import artifacts, migrate, registry
from chatbot.storage.database import Database
from tests.support.metrics import total
from tests.support.tcp_proxy import tcp_proxy
from tests.support.wait import wait_until

NEVER_POLLS = 60            # seconds: only the LISTEN wake-up can bring a version within a test's wait


@pytest.fixture
def fleet_url(pg_url) -> str:
    db = Database(pg_url)
    migrate.upgrade(db)
    db.dispose()
    return pg_url


def host(index_dir: Path, url: str, reload_seconds: float = NEVER_POLLS) -> Settings:
    return Settings().with_overrides({"index_dir": index_dir, "database_url": url, "embed_backend": "fake",
                                      "embed_model": "64", "reload_seconds": reload_seconds})


def another_version(index_dir: Path, name: str) -> str:
    """A second version in ``index_dir``: the live one's files under another name (a build would
    take seconds and give the same thing for this purpose)."""
    source = index_dir / read_current(index_dir)
    shutil.copytree(source, index_dir / name)
    manifest = json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(version=name, built_at="2030-01-01T00:00:00Z")
    (index_dir / name / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return name


def store_errors() -> float:
    return total(metrics.render()[0].decode(), "chatbot_store_errors_total", store="database", use="index_versions")


def test_a_publish_on_one_host_is_served_by_another_within_seconds(fleet_url, index_copy, tmp_path, fake_embedder):
    first = read_current(index_copy)
    host_a, host_b = host(index_copy, fleet_url), host(tmp_path / "b", fleet_url)
    fleet.publish(host_a, first, "tester")                          # uploads A's copy, then publishes it
    service_b = FinderService(host_b, embedder=fake_embedder)      # an empty host: fetches the current version
    assert service_b.snapshot().version == first

    second = another_version(index_copy, "bbbbbbbbbbbb")
    assert fleet.publish(host_a, second, "tester") == first         # what A's staff area and CLI do
    assert read_current(index_copy) == second                       # A's own pointer follows at once
    wait_until(lambda: service_b.status()["index_version"] == second, 5, "host B never served the new version")
    assert read_current(tmp_path / "b") == second
    assert service_b.snapshot().answer("면접 정장 몇 번 빌려요?").status


def test_two_workers_of_a_new_host_download_the_version_once_and_clear_a_killed_download(fleet_url, index_copy, tmp_path, fake_embedder,
                                                           monkeypatch):
    fleet.publish(host(index_copy, fleet_url), read_current(index_copy), "tester")
    downloads = []
    real_download = artifacts.download
    monkeypatch.setattr(artifacts, "download", lambda *a, **k: downloads.append(a[1]) or real_download(*a, **k))
    killed_download = tmp_path / "b" / f"{artifacts.FETCHING_PREFIX}{read_current(index_copy)}-x"
    killed_download.mkdir(parents=True)
    (killed_download / "vectors.npy").write_bytes(b"half")
    workers = [FinderService(host(tmp_path / "b", fleet_url), embedder=fake_embedder) for _ in range(2)]
    threads = [threading.Thread(target=worker.start) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [w.status()["index_version"] for w in workers] == [read_current(index_copy)] * 2
    assert downloads == [read_current(index_copy)]
    assert not killed_download.exists()


def test_a_host_serves_nothing_until_a_version_is_published_then_fetches_it(fleet_url, index_copy, tmp_path,
                                                                           make_app):
    app = make_app(tmp_path / "b", database_url=fleet_url, reload_seconds=NEVER_POLLS)
    client = app.test_client()
    assert client.get("/readyz").status_code == 503
    fleet.publish(host(index_copy, fleet_url), read_current(index_copy), "tester")
    # the notification wakes it (it would poll only after a minute); the time is a first, cold load
    ready = wait_until(lambda: client.get("/readyz").status_code == 200 and client.get("/readyz").get_json(),
                       30, "the host never loaded the published version")
    assert ready["index_version"] == read_current(index_copy)


def test_a_damaged_version_in_the_store_is_never_served(fleet_url, index_copy, tmp_path, fake_embedder):
    first = read_current(index_copy)
    fleet.publish(host(index_copy, fleet_url), first, "tester")
    service = FinderService(host(tmp_path / "b", fleet_url), embedder=fake_embedder)
    assert service.snapshot().version == first
    second = another_version(index_copy, "bbbbbbbbbbbb")
    fleet.upload_version(host(index_copy, fleet_url), second)
    db = Database(fleet_url)
    with db.write() as conn:
        conn.exec_driver_sql("UPDATE artifact_chunks SET data = 'x'::bytea || data "
                             "WHERE version = 'bbbbbbbbbbbb' AND path = 'vectors.npy' AND seq = 0")
    registry.publish(db, second, "tester")               # published behind the checks' back
    db.dispose()
    wait_until(lambda: "cannot be fetched" in (service.status()["error"] or ""), 5, "the damage was never noticed")
    assert service.snapshot().version == first
    assert not (tmp_path / "b" / second).exists() and read_current(tmp_path / "b") == first


def test_an_unreachable_database_leaves_the_loaded_version_serving(fleet_url, index_copy, tmp_path, fake_embedder):
    first = read_current(index_copy)
    host_a = host(index_copy, fleet_url)
    fleet.publish(host_a, first, "tester")
    address = make_url(fleet_url)
    with tcp_proxy(address.host, address.port) as proxy:
        via_proxy = address.set(port=proxy.port).render_as_string(hide_password=False)
        service = FinderService(host(tmp_path / "b", via_proxy, reload_seconds=0.1), embedder=fake_embedder)
        assert service.snapshot().version == first
        errors = store_errors()
        proxy.cut()
        second = another_version(index_copy, "bbbbbbbbbbbb")
        fleet.publish(host_a, second, "tester")
        wait_until(lambda: store_errors() > errors, 10, "the outage was never counted")
        assert service.snapshot().version == first
        assert service.snapshot().answer("면접 정장 몇 번 빌려요?").status
        proxy.restore()
        wait_until(lambda: service.status()["index_version"] == second, 10,
                   "the host never caught up once the database was back")


def test_the_staff_publish_refuses_a_version_not_uploaded_and_lists_the_registry(fleet_url, index_copy, tmp_path,
                                                                                fake_embedder):
    first = read_current(index_copy)
    fleet.publish(host(index_copy, fleet_url), first, "tester")
    host_b = host(tmp_path / "b", fleet_url)
    with pytest.raises(versions.PublishRefused, match="not in the artifact store"):
        versions.publish(host_b, "bbbbbbbbbbbb", fake_embedder.name, by="editor")
    second = another_version(index_copy, "bbbbbbbbbbbb")
    fleet.upload_version(host(index_copy, fleet_url), second)
    assert [(v.version, v.current) for v in versions.describe(host_b)] == [(second, False), (first, True)]
    assert versions.publish(host_b, second, fake_embedder.name, by="editor") == first   # B had neither copy
    assert versions.is_rollback(host_b, first) and not versions.is_rollback(host_b, second)
    assert registry.current(Database(fleet_url)) == second and read_current(tmp_path / "b") == second


def test_a_build_uploads_its_version_and_prunes_the_store_but_never_current(fleet_url, admin_env, fake_embedder):
    settings = host(admin_env.index_dir, fleet_url).with_overrides({"corpus_dir": admin_env.corpus_dir,
                                                                     "keep_versions": 1})
    built = read_current(admin_env.index_dir)                   # what a build of this corpus gives (reused)
    oldest, older, live = [another_version(admin_env.index_dir, name * 12) for name in "bcd"]
    for version in (oldest, older):
        fleet.upload_version(settings, version)
    fleet.publish(settings, live, "tester")
    db = Database(fleet_url)
    assert not artifacts.is_uploaded(db, built)

    assert build_index(settings, embedder=fake_embedder, publish=False).version == built
    assert artifacts.is_uploaded(db, built) and registry.current(db) == live
    # as on one host, at least 2 are kept: the current one, the one just built, and one more
    assert {v.version for v in registry.versions(db)} == {older, live, built}
    assert artifacts.artifact_store(db).list() == sorted([older, live, built])
    assert read_current(admin_env.index_dir) == live             # the build host still follows the fleet
    db.dispose()


def test_the_command_line_publishes_to_the_fleet_and_lists_its_registry(fleet_url, index_copy, tmp_path,
                                                                      monkeypatch, capsys):
    first = read_current(index_copy)
    second = another_version(index_copy, "bbbbbbbbbbbb")
    fleet.publish(host(index_copy, fleet_url), first, "tester")
    fleet.upload_version(host(index_copy, fleet_url), second)
    monkeypatch.setenv("DATABASE_URL", fleet_url)
    monkeypatch.setenv("CHATBOT_INDEX_DIR", str(tmp_path / "ops"))          # an operator's machine: no copy
    assert main(["publish", "cccccccccccc"]) == 2
    assert main(["publish", second]) == 0
    assert registry.current(Database(fleet_url)) == second
    capsys.readouterr()
    assert main(["versions"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith(f"* {second}  ")
    assert main(["build-index", "--if-missing", "--quiet"]) == 0           # the fleet has a version already
    assert f"index {second} already published" in capsys.readouterr().out
