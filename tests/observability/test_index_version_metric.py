"""chatbot_index_version_info follows the version a worker serves: 1 for the one it swapped in,
0 for the one it served before."""
from __future__ import annotations

from chatbot.config import Settings
from chatbot.finder.service import FinderService
from chatbot.index.builder import build_index
from chatbot.index.store import read_current
from chatbot.observability import metrics
from tests.support.admin import change_corpus
from tests.support.metrics import total


def version_info(version: str) -> float:
    return total(metrics.render()[0].decode(), "chatbot_index_version_info", version=version)


def test_a_published_version_reads_1_and_the_one_it_replaced_0(admin_env, fake_embedder):
    settings = Settings().with_overrides({"index_dir": admin_env.index_dir, "corpus_dir": admin_env.corpus_dir,
                                          "var_dir": admin_env.var_dir, "embed_backend": "fake", "embed_model": "64",
                                          "reload_seconds": 3600})
    old = read_current(admin_env.index_dir)
    service = FinderService(settings, embedder=fake_embedder)
    assert service.snapshot().version == old and version_info(old) == 1

    change_corpus(admin_env)
    new = build_index(settings, embedder=fake_embedder).version          # built and published
    # the registry is the test session's: another test may have served this version already
    metrics.INDEX_VERSION.labels(new, fake_embedder.name).set(0)
    service.refresh()
    assert service.snapshot().version == new
    assert (version_info(new), version_info(old)) == (1, 0)


def test_a_version_loaded_only_to_evaluate_it_is_not_reported(fake_index_dir, fake_embedder):
    """A build scores its version through a pinned service; that is not a version being served."""
    version = read_current(fake_index_dir)
    settings = Settings().with_overrides({"index_dir": fake_index_dir, "embed_backend": "fake", "embed_model": "64"})
    metrics.INDEX_VERSION.labels(version, fake_embedder.name).set(0)      # as if no worker served it
    FinderService(settings, embedder=fake_embedder, version=version).snapshot()
    assert version_info(version) == 0
