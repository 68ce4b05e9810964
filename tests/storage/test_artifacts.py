"""Index versions in the artifact store (the database) and the registry every host of a fleet reads:
a version round-trips byte for byte on both engines, a damaged download is never placed, a
version is publishable only once every file is stored, and a failed publish changes nothing."""
from __future__ import annotations

import filecmp
import threading

import pytest
from sqlalchemy import select, update

from chatbot.index.store import list_versions, read_current, verify_version
from chatbot.storage import artifacts, migrate, registry
from chatbot.storage.database import Database
from chatbot.storage.tables import artifact_chunks, index_current


@pytest.fixture
def version(fake_index_dir) -> str:
    return read_current(fake_index_dir)


@pytest.fixture
def pg_db(pg_url):
    """For what only PostgreSQL does (NOTIFY): a migrated database of this test's own."""
    db = Database(pg_url)
    migrate.upgrade(db)
    yield db
    db.dispose()


def upload(db, fake_index_dir, version, name=None):
    return artifacts.upload(db, artifacts.artifact_store(db), name or version, fake_index_dir / version,
                            "2026-01-01T00:00:00Z")


def test_a_version_round_trips_byte_for_byte(state_db, fake_index_dir, version, tmp_path, monkeypatch):
    monkeypatch.setattr(artifacts, "CHUNK_BYTES", 64 * 1024)         # several chunks per large file
    assert upload(state_db, fake_index_dir, version) is True
    assert artifacts.is_uploaded(state_db, version)
    assert upload(state_db, fake_index_dir, version) is False         # nothing sent twice
    with state_db.read() as conn:
        assert max(conn.execute(select(artifact_chunks.c.seq)).scalars()) >= 1
    assert artifacts.artifact_store(state_db).list() == [version]

    placed = artifacts.download(artifacts.artifact_store(state_db), version, tmp_path / "host",
                                verify=verify_version)
    assert placed == tmp_path / "host" / version
    comparison = filecmp.dircmp(fake_index_dir / version, placed)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    assert verify_version(placed)["version"] == version
    assert [p.name for p in (tmp_path / "host").iterdir()] == [version]   # no temporary directory left


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_damaged_download_is_never_placed(state_db, fake_index_dir, version, tmp_path, damage):
    upload(state_db, fake_index_dir, version)
    chunk = (artifact_chunks.c.version == version) & (artifact_chunks.c.path == "vectors.npy") & (artifact_chunks.c.seq == 0)
    with state_db.write() as conn:
        if damage == "altered":
            data = conn.execute(select(artifact_chunks.c.data).where(chunk)).scalar()
            conn.execute(update(artifact_chunks).where(chunk).values(data=bytes([data[0] ^ 1]) + data[1:]))
        else:
            conn.execute(artifact_chunks.delete().where(chunk))
    host = tmp_path / "host"
    with pytest.raises(artifacts.ArtifactDamaged, match="vectors.npy"):
        artifacts.download(artifacts.artifact_store(state_db), version, host)
    assert list(host.iterdir()) == [] and list_versions(host) == []


def test_an_interrupted_upload_is_not_publishable_and_a_retry_completes_it(state_db, fake_index_dir, version,
                                                                          monkeypatch):
    store = artifacts.artifact_store(state_db)
    original = artifacts.DatabaseArtifactStore.put

    def dies(self, *args):
        raise OSError("the build was killed while uploading")

    monkeypatch.setattr(artifacts.DatabaseArtifactStore, "put", dies)
    with pytest.raises(OSError):
        artifacts.upload(state_db, store, version, fake_index_dir / version, "2026-01-01T00:00:00Z")
    assert not artifacts.is_uploaded(state_db, version)
    with pytest.raises(registry.NotUploaded):
        registry.publish(state_db, version, "tester")
    assert registry.current(state_db) is None

    monkeypatch.setattr(artifacts.DatabaseArtifactStore, "put", original)
    assert upload(state_db, fake_index_dir, version) is True
    assert registry.publish(state_db, version, "tester") is None
    assert registry.current(state_db) == version


def test_publish_moves_the_current_version_and_reports_the_previous(state_db, fake_index_dir, version):
    upload(state_db, fake_index_dir, version)
    upload(state_db, fake_index_dir, version, name="bbbbbbbbbbbb")
    registry.publish(state_db, version, "first")
    assert registry.publish(state_db, "bbbbbbbbbbbb", "second") == version
    with state_db.read() as conn:
        row = conn.execute(select(index_current)).one()
    assert (row.version, row.published_by) == ("bbbbbbbbbbbb", "second")
    assert [v.version for v in registry.versions(state_db)] == [version, "bbbbbbbbbbbb"]


def test_a_publish_failing_inside_its_transaction_leaves_current_unchanged(pg_db, fake_index_dir, version,
                                                                          monkeypatch):
    upload(pg_db, fake_index_dir, version)
    upload(pg_db, fake_index_dir, version, name="bbbbbbbbbbbb")
    registry.publish(pg_db, version, "first")
    monkeypatch.setattr(registry, "CHANNEL", "")          # pg_notify refuses an empty channel, after the UPDATE
    with pytest.raises(Exception, match="channel name cannot be empty"):
        registry.publish(pg_db, "bbbbbbbbbbbb", "second")
    assert registry.current(pg_db) == version


def test_forget_never_removes_the_current_version(state_db, fake_index_dir, version):
    upload(state_db, fake_index_dir, version)
    registry.publish(state_db, version, "tester")
    assert registry.forget(state_db, version) is False
    assert registry.current(state_db) == version and artifacts.is_uploaded(state_db, version)


def test_the_listener_is_woken_by_a_publish_when_it_commits(pg_db, fake_index_dir, version):
    upload(pg_db, fake_index_dir, version)
    listener = registry.PublishListener(pg_db)
    try:
        assert listener.wait(0.01) is False                     # connected and listening, nothing yet
        woken = []
        thread = threading.Thread(target=lambda: woken.append(listener.wait(10)))
        thread.start()
        registry.publish(pg_db, version, "tester")
        thread.join(10)
        assert woken == [True]
    finally:
        listener.close()
