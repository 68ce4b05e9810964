"""A newly published version is loaded by the worker's watcher thread, never inside a request:
requests keep answering from the version they find while the next one loads, and the swap
happens without any request at all."""
from __future__ import annotations

import gc
import threading
import time

import pytest

from chatbot.config import Settings
from chatbot.finder.service import FinderService, NotReady
from chatbot.index.builder import build_index
from chatbot.index.store import set_current
from tests.support.admin import change_corpus
from tests.support.wait import wait_until


def settings_for(admin_env) -> Settings:
    return Settings().with_overrides({"index_dir": admin_env.index_dir, "corpus_dir": admin_env.corpus_dir,
                                      "var_dir": admin_env.var_dir, "embed_backend": "fake", "embed_model": "64", "reload_seconds": 0.05})


class GatedService(FinderService):
    """A service whose loads wait at a gate the test opens: a version that takes long to load."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.gate.set()
        self.loading = threading.Event()

    def _load(self, version):
        self.loading.set()
        assert self.gate.wait(30), "the test never opened the gate"
        return super()._load(version)


def second_version(admin_env, fake_embedder) -> str:
    change_corpus(admin_env)
    return build_index(settings_for(admin_env), embedder=fake_embedder, publish=False).version


def test_requests_answer_from_the_old_version_while_the_new_one_loads(admin_env, fake_embedder):
    service = GatedService(settings_for(admin_env), embedder=fake_embedder)
    live = service.snapshot().version                     # the first load (gunicorn's post_worker_init)
    new = second_version(admin_env, fake_embedder)
    service.gate.clear()
    service.loading.clear()
    set_current(admin_env.index_dir, new)
    wait_until(service.loading.is_set, 10, "the watcher never started loading the new version")

    started = time.monotonic()
    snapshot = service.snapshot()                         # a request arriving mid-load
    assert snapshot.version == live and time.monotonic() - started < 0.5
    assert snapshot.answer("면접 정장 몇 번 빌려요?").status in ("answered", "partial", "not_in_report", "clarify")

    service.gate.set()
    wait_until(lambda: service.snapshot().version == new, 10, f"{new} was never swapped in")
    assert snapshot.version == live                       # a request that started before keeps its version


def test_a_publish_is_swapped_in_without_any_request(admin_env, fake_embedder):
    service = FinderService(settings_for(admin_env), embedder=fake_embedder)
    service.snapshot()
    new = second_version(admin_env, fake_embedder)
    set_current(admin_env.index_dir, new)
    wait_until(lambda: service.status()["index_version"] == new, 10, "the watcher did not load the new version")


def test_not_ready_until_a_version_is_published_then_ready_by_itself(tmp_path, admin_env, fake_embedder):
    settings = settings_for(admin_env).with_overrides({"index_dir": tmp_path / "empty"})
    service = FinderService(settings, embedder=fake_embedder)
    with pytest.raises(NotReady, match="no index published"):
        service.snapshot()
    build_index(settings, embedder=fake_embedder)         # builds and publishes into the empty directory
    wait_until(lambda: service.status()["ready"], 10, "the first version was not picked up")
    assert service.snapshot().version == service.status()["index_version"]


def test_the_watcher_ends_with_its_service(admin_env, fake_embedder):
    """Tests and command-line tools make services and drop them: their threads must not pile up."""
    service = FinderService(settings_for(admin_env), embedder=fake_embedder)
    service.snapshot()
    watcher = service._watcher
    assert watcher.is_alive() and watcher.daemon
    del service
    gc.collect()
    wait_until(lambda: not watcher.is_alive(), 5, "the watcher outlived its service")
