"""Index versions' files in an S3-compatible bucket (CHATBOT_ARTIFACT_URL), against moto's S3
server on a loopback port: a version round-trips byte for byte, a damaged or missing object is
refused with nothing placed, an upload cut short before its listing is neither listed nor
downloadable, delete removes every object, and a fleet on PostgreSQL publishes through the bucket
(no bytes in the database) to a host that starts empty."""
from __future__ import annotations

import filecmp
import uuid

import pytest
from sqlalchemy import func, select

from chatbot.config import Settings
from chatbot.index import fleet
from chatbot.index.store import list_versions, read_current, verify_version
from chatbot.storage import artifacts, migrate, registry
from chatbot.storage.database import Database, sqlite_url
from chatbot.storage.tables import artifact_chunks

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket_url(s3_endpoint, monkeypatch, tmp_path) -> str:
    """A new bucket of this test's own; boto3 finds it through the standard AWS variables only."""
    for name, value in {"AWS_ENDPOINT_URL": s3_endpoint, "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_CONFIG_FILE": str(tmp_path / "none"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    name = f"versions-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return f"s3://{name}/finder/prod"


@pytest.fixture
def objects(bucket_url):
    """The bucket's keys and bodies, read directly."""
    client, bucket = boto3.client("s3"), bucket_url.split("/")[2]

    def read() -> dict[str, bytes]:
        listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}
    read.put = lambda key, body: client.put_object(Bucket=bucket, Key=key, Body=body)
    read.delete = lambda key: client.delete_object(Bucket=bucket, Key=key)
    return read


@pytest.fixture
def sqlite_db(tmp_path):
    db = Database(sqlite_url(tmp_path / "state.sqlite3"))
    migrate.upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def version(fake_index_dir) -> str:
    return read_current(fake_index_dir)


def upload(db, bucket_url, fake_index_dir, version):
    store = artifacts.artifact_store(db, bucket_url)
    return artifacts.upload(db, store, version, fake_index_dir / version, "2026-01-01T00:00:00Z")


def test_a_version_round_trips_through_the_bucket(sqlite_db, bucket_url, objects, fake_index_dir, version,
                                                  tmp_path):
    assert upload(sqlite_db, bucket_url, fake_index_dir, version) is True
    assert artifacts.is_uploaded(sqlite_db, version)
    store = artifacts.artifact_store(sqlite_db, bucket_url)
    assert isinstance(store, artifacts.S3ArtifactStore) and store.list() == [version]
    keys = set(objects())
    assert f"finder/prod/{version}.json" in keys and f"finder/prod/{version}/manifest.json" in keys
    with sqlite_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(artifact_chunks)).scalar() == 0

    placed = artifacts.download(store, version, tmp_path / "host", verify=verify_version)
    comparison = filecmp.dircmp(fake_index_dir / version, placed)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    assert [p.name for p in (tmp_path / "host").iterdir()] == [version]


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_damaged_object_is_refused_and_nothing_placed(sqlite_db, bucket_url, objects, fake_index_dir, version,
                                                         tmp_path, damage):
    upload(sqlite_db, bucket_url, fake_index_dir, version)
    key = f"finder/prod/{version}/vectors.npy"
    if damage == "altered":
        data = objects()[key]
        objects.put(key, bytes([data[0] ^ 1]) + data[1:])
    else:
        objects.delete(key)
    host = tmp_path / "host"
    with pytest.raises(artifacts.ArtifactDamaged, match="vectors.npy|differ"):
        artifacts.download(artifacts.artifact_store(sqlite_db, bucket_url), version, host, verify=verify_version)
    assert list(host.iterdir()) == [] and list_versions(host) == []


def test_an_upload_cut_before_its_listing_is_neither_listed_nor_fetched(sqlite_db, bucket_url, objects,
                                                                       fake_index_dir, version, tmp_path,
                                                                       monkeypatch):
    store = artifacts.artifact_store(sqlite_db, bucket_url)

    put_object = store.client.put_object

    def killed_at_the_listing(**kwargs):             # the files' uploads go through put_object as well
        if kwargs["Key"] == f"finder/prod/{version}.json":
            raise OSError("the build was killed before the listing was written")
        return put_object(**kwargs)

    monkeypatch.setattr(store.client, "put_object", killed_at_the_listing)
    with pytest.raises(OSError):
        artifacts.upload(sqlite_db, store, version, fake_index_dir / version, "2026-01-01T00:00:00Z")
    assert any(key.startswith(f"finder/prod/{version}/") for key in objects())    # files, but no listing
    assert store.list() == [] and not artifacts.is_uploaded(sqlite_db, version)
    with pytest.raises(artifacts.ArtifactMissing):
        artifacts.download(store, version, tmp_path / "host")
    assert list((tmp_path / "host").iterdir()) == []

    assert upload(sqlite_db, bucket_url, fake_index_dir, version) is True              # a retry completes it
    assert artifacts.artifact_store(sqlite_db, bucket_url).list() == [version]


def test_delete_removes_every_object_of_the_version(sqlite_db, bucket_url, objects, fake_index_dir, version):
    upload(sqlite_db, bucket_url, fake_index_dir, version)
    objects.put("finder/prod/keep-me.txt", b"not a version")
    store = artifacts.artifact_store(sqlite_db, bucket_url)
    store.delete(version)
    assert store.list() == [] and set(objects()) == {"finder/prod/keep-me.txt"}
    store.delete(version)                                                  # nothing left: no error


def test_a_fleet_publishes_through_the_bucket_to_an_empty_host(pg_url, bucket_url, objects, index_copy, tmp_path):
    db = Database(pg_url)
    migrate.upgrade(db)
    version = read_current(index_copy)
    overrides = {"database_url": pg_url, "artifact_url": bucket_url, "embed_backend": "fake", "embed_model": "64"}
    host_a = Settings().with_overrides({"index_dir": index_copy, **overrides})
    host_b = Settings().with_overrides({"index_dir": tmp_path / "b", **overrides})

    fleet.publish(host_a, version, "tester")                      # uploads A's copy to the bucket, publishes it
    assert registry.current(db) == version and artifacts.is_uploaded(db, version)
    assert f"finder/prod/{version}.json" in objects()
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(artifact_chunks)).scalar() == 0
    db.dispose()

    fleet.follow(host_b, version)                                 # host B had nothing: fetched from the bucket
    assert read_current(tmp_path / "b") == version
    comparison = filecmp.dircmp(index_copy / version, tmp_path / "b" / version)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only


def test_a_bucket_that_does_not_answer_is_an_outage_not_a_crash(bucket_url, monkeypatch):
    """What the hosts' follower logs once and retries (and the staff area's publish refuses)."""
    from botocore.config import Config
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")      # nothing listens on port 1
    client = boto3.client("s3", config=Config(connect_timeout=1, retries={"max_attempts": 1}))
    with pytest.raises(artifacts.ArtifactStoreUnreachable):
        artifacts.S3ArtifactStore(bucket_url, client=client).list()
    assert issubclass(artifacts.ArtifactStoreUnreachable, OSError)


def test_a_stored_path_leading_out_of_the_version_directory_is_refused(tmp_path):
    assert artifacts.inside(tmp_path, "sub/file.npy") == (tmp_path / "sub" / "file.npy").resolve()
    with pytest.raises(artifacts.ArtifactDamaged):
        artifacts.inside(tmp_path, "../outside.npy")
