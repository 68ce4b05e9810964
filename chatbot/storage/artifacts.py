"""Index versions' files in a store every host of a fleet can read (``DATABASE_URL`` set).

A build uploads each file of its version directory with its sha256 and size; a host downloads a
version into a temporary directory beside its local index, checks every file against what was
recorded at upload, and only then renames the directory into place, so a damaged or partial
download is never where the loader looks. The store is behind :class:`ArtifactStore` (put, get,
list, delete); :class:`DatabaseArtifactStore` keeps the files in the database itself, cut in
chunks of ``CHUNK_BYTES`` (bytea on PostgreSQL, BLOB on SQLite), so one ``pg_dump`` backs up the
versions with everything else; :class:`S3ArtifactStore` keeps them in an S3-compatible bucket
(``CHATBOT_ARTIFACT_URL``) when versions are too large or too many for the database. The
registry and the current version stay in the database either way: its row (``index_versions``)
says ``uploaded = 1`` only after every file is stored, so a version half uploaded by a killed
build is never published."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select, update

from chatbot.storage.database import Database
from chatbot.storage.tables import artifact_chunks, artifact_files, index_versions

CHUNK_BYTES = 1 << 20
FETCHING_PREFIX = ".fetch-"        # a download in progress (never a version name)


class ArtifactDamaged(RuntimeError):
    """A downloaded file does not match the checksum or size recorded at upload (or is missing)."""


class ArtifactStoreUnreachable(OSError):
    """The store did not answer (a bucket's endpoint down, refused credentials): try again later."""


class ArtifactMissing(LookupError):
    """The store holds no complete copy of that version."""


@dataclass(frozen=True)
class StoredFile:
    path: str                      # relative to the version directory, with ``/``
    sha256: str
    size: int


class ArtifactStore(Protocol):
    """Where versions' files live: the database by default, or an S3-compatible bucket."""

    def put(self, version: str, directory: Path, files: list[StoredFile]) -> None:
        """Store every listed file of ``directory``, replacing any partial earlier upload."""

    def get(self, version: str, target: Path) -> list[StoredFile]:
        """Write the version's files under ``target``; returns what was recorded at upload."""

    def list(self) -> list[str]:
        """The versions whose files are stored."""

    def delete(self, version: str) -> None:
        """Forget the version's files (nothing if absent)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_files(directory: Path) -> list[StoredFile]:
    """Every regular file under ``directory`` with its sha256 and size, in path order."""
    found = sorted(p for p in directory.rglob("*") if p.is_file())
    return [StoredFile(p.relative_to(directory).as_posix(), sha256_of(p), p.stat().st_size) for p in found]


class DatabaseArtifactStore:
    """Files in ``artifact_files`` (checksum, size) and ``artifact_chunks`` (the bytes)."""

    def __init__(self, db: Database):
        self.db = db

    def put(self, version: str, directory: Path, files: list[StoredFile]) -> None:
        with self.db.write() as conn:                   # one transaction: all the files or none
            _delete_files(conn, version)
            for stored in files:
                conn.execute(insert(artifact_files).values(version=version, path=stored.path,
                                                           sha256=stored.sha256, size=stored.size))
                with open(directory / stored.path, "rb") as handle:
                    for seq, block in enumerate(iter(lambda: handle.read(CHUNK_BYTES), b"")):
                        conn.execute(insert(artifact_chunks).values(version=version, path=stored.path,
                                                                    seq=seq, data=block))

    def get(self, version: str, target: Path) -> list[StoredFile]:
        with self.db.read() as conn:
            rows = conn.execute(select(artifact_files.c.path, artifact_files.c.sha256, artifact_files.c.size)
                                .where(artifact_files.c.version == version)
                                .order_by(artifact_files.c.path)).all()
            if not rows:
                raise ArtifactMissing(f"index version {version} is not in the artifact store")
            files = [StoredFile(*row) for row in rows]
            for stored in files:
                destination = inside(target, stored.path)
                destination.parent.mkdir(parents=True, exist_ok=True)
                chunks = conn.execute(select(artifact_chunks.c.data)
                                      .where(artifact_chunks.c.version == version,
                                             artifact_chunks.c.path == stored.path)
                                      .order_by(artifact_chunks.c.seq)).scalars()
                with open(destination, "wb") as handle:
                    for data in chunks:                  # one file's chunks in memory at a time, never a version's
                        handle.write(data)
        return files

    def list(self) -> list[str]:
        with self.db.read() as conn:
            return list(conn.execute(select(artifact_files.c.version).distinct()
                                     .order_by(artifact_files.c.version)).scalars())

    def delete(self, version: str) -> None:
        with self.db.write() as conn:
            _delete_files(conn, version)


def _delete_files(conn, version: str) -> None:
    conn.execute(delete(artifact_chunks).where(artifact_chunks.c.version == version))
    conn.execute(delete(artifact_files).where(artifact_files.c.version == version))


def inside(target: Path, relative: str) -> Path:
    """Where a stored file goes under ``target``; a recorded path leading out of it is refused."""
    destination = (target / relative).resolve()
    if not destination.is_relative_to(target.resolve()):
        raise ArtifactDamaged(f"stored path {relative!r} leads outside the version directory")
    return destination


def _bucket_errors(method):
    """boto3's own errors, other than those the method handles, as :class:`ArtifactStoreUnreachable`
    (what the hosts' follower treats as an outage: logged once, retried)."""
    @functools.wraps(method)
    def guarded(*args, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise ArtifactStoreUnreachable(f"artifact bucket: {exc}") from exc
    return guarded


class S3ArtifactStore:
    """Each file as the object ``<prefix>/<version>/<path>``; then, last, the listing
    ``<prefix>/<version>.json`` (path, sha256, size of each file): a version without one is an
    upload cut short, neither listed nor downloadable. Endpoint, region and credentials are those
    boto3 reads itself (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, ...)."""

    def __init__(self, url: str, client=None):
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"CHATBOT_ARTIFACT_URL must look like s3://bucket/prefix, not {url!r}")
        self.bucket, self.prefix = parts.netloc, parts.path.strip("/")
        if client is None:
            import boto3                      # the s3 extra: needed only when a bucket is configured
            client = boto3.client("s3")
        self.client = client

    def _key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    @_bucket_errors
    def put(self, version: str, directory: Path, files: list[StoredFile]) -> None:
        self.delete(version)                              # a partial earlier upload: none of it is reused
        for stored in files:
            self.client.upload_file(str(directory / stored.path), self.bucket, self._key(version, stored.path))
        listing = json.dumps([vars(f) for f in files]).encode()
        self.client.put_object(Bucket=self.bucket, Key=self._key(f"{version}.json"), Body=listing)

    @_bucket_errors
    def get(self, version: str, target: Path) -> list[StoredFile]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(f"{version}.json"))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise ArtifactMissing(f"index version {version} is not in the artifact bucket") from None
        files = [StoredFile(**entry) for entry in json.loads(body.read())]
        for stored in files:
            destination = inside(target, stored.path)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.client.download_file(self.bucket, self._key(version, stored.path), str(destination))
            except self.client.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey"):
                    raise
                # gone since the upload: download()'s check refuses the version for it
        return files

    @_bucket_errors
    def list(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "", Delimiter="/")
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        return sorted(key.rsplit("/", 1)[-1][: -len(".json")] for key in keys if key.endswith(".json"))

    @_bucket_errors
    def delete(self, version: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(f"{version}.json"))   # unlisted first
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                      Prefix=self._key(version) + "/")
        for page in pages:
            objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if objects:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})


def artifact_store(db: Database, url: str = "") -> ArtifactStore:
    """The store of this fleet's versions: the bucket ``url`` names (CHATBOT_ARTIFACT_URL), else
    the database."""
    return S3ArtifactStore(url) if url else DatabaseArtifactStore(db)


# -- the registry of uploaded versions ------------------------------------------------------------
def is_uploaded(db: Database, version: str) -> bool:
    with db.read() as conn:
        return bool(conn.execute(select(index_versions.c.uploaded)
                                 .where(index_versions.c.version == version)).scalar())


def upload(db: Database, store: ArtifactStore, version: str, directory: Path, created_at: str) -> bool:
    """Register ``version`` and store every file of ``directory``; ``uploaded`` is set only after
    the store holds them all. Returns False when it was already uploaded (nothing sent again)."""
    if is_uploaded(db, version):
        return False
    manifest = (directory / "manifest.json").read_text(encoding="utf-8")
    files = describe_files(directory)
    total = sum(f.size for f in files)
    with db.write() as conn:
        known = conn.execute(select(index_versions.c.version).where(index_versions.c.version == version)).scalar()
        values = {"manifest": manifest, "total_bytes": total, "uploaded": 0}
        if known:
            conn.execute(update(index_versions).where(index_versions.c.version == version).values(**values))
        else:
            conn.execute(insert(index_versions).values(version=version, created_at=created_at, **values))
    store.put(version, directory, files)
    with db.write() as conn:
        conn.execute(update(index_versions).where(index_versions.c.version == version).values(uploaded=1))
    return True


def download(store: ArtifactStore, version: str, index_dir: Path,
             verify: Callable[[Path], object] | None = None) -> Path:
    """``index_dir/version`` from the store: written under a temporary name, every file checked
    against its recorded sha256 and size (and by ``verify``, say against the version's manifest),
    then renamed into place. A damaged download raises (:class:`ArtifactDamaged`, or what
    ``verify`` raises) and leaves nothing behind."""
    index_dir.mkdir(parents=True, exist_ok=True)
    final = index_dir / version
    tmp = Path(tempfile.mkdtemp(prefix=f"{FETCHING_PREFIX}{version}-", dir=index_dir))
    try:
        files = store.get(version, tmp)
        _check(tmp, files, version)
        if verify is not None:
            verify(tmp)
        if final.exists():                       # a copy the loader refused: the verified one replaces it
            shutil.rmtree(final)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _check(directory: Path, files: list[StoredFile], version: str) -> None:
    expected = {f.path for f in files}
    written = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    if written != expected or "manifest.json" not in expected:
        raise ArtifactDamaged(f"index version {version}: the download's files differ from the upload's")
    for stored in files:
        path = directory / stored.path
        if path.stat().st_size != stored.size or sha256_of(path) != stored.sha256:
            raise ArtifactDamaged(f"index version {version}: {stored.path} does not match its checksum")
    try:
        json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ArtifactDamaged(f"index version {version}: manifest.json unreadable") from exc
