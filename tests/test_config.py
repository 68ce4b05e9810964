"""Settings travel as an environment (chatbot/config.py): each field names its variable once,
``to_env`` writes it and ``from_env`` reads it back to the same settings."""
from __future__ import annotations

import os
from dataclasses import fields
from datetime import date
from pathlib import Path

from chatbot.config import Settings

# one value for every field, none of them a default, of the field's own type
NOT_DEFAULTS = {
    "corpus_dir": Path("/srv/finder/corpus"), "index_dir": Path("relative/index"), "embed_backend": "fake",
    "embed_model": "32", "embed_plugins": "tests.support.fake_embedder other.plugin",
    "embed_query_prefix": "query: ", "embed_passage_prefix": "passage: ", "threads": 3, "query_threads": 7,
    "fusion": "rrf", "rerank": False, "min_confidence": 1e-06, "reload_seconds": 0.1, "keep_versions": 9,
    "answer_cache_size": 7, "web_threads": 9,
    "max_body_bytes": 4097, "today": date(2024, 7, 1), "port": 8123, "cors_origins": "self https://city.example",
    "rate_limit": "5 per minute; 100 per hour", "rate_limit_storage_uri": "redis://cache:6379",
    "redis_url": "redis://shared:6379/2", "redis_prefix": "finder-b", "database_url": "postgresql://db/finder", "artifact_url": "s3://finder-versions/prod", "limits_on_store_down": "closed",
    "answer_cache_ttl": 600,
    "login_rate_limit": "3 per minute", "session_max_hours": 2.5,
    "feedback_db": Path("/tmp/f b/feedback.sqlite3"), "feedback_export_token": "t0ken", "feedback_retention_days": 30,
    "metrics_token": "m3trics",
    "answer_secret": "s=cret", "var_dir": Path("/var/lib/finder"), "secret_key": "key with spaces",
    "admin_db": Path("/var/lib/finder/admin.sqlite3"), "upload_max_bytes": 1, "upload_max_expanded": 2,
    "upload_max_pages": 3, "extract_timeout": 2.5, "extract_memory_mb": 512, "cookie_secure": "never",
    "admin_lang": "en", "proxy_hops": 1, "eval_dir": Path("/srv/eval"),
    "build_queue": "off", "job_stale_seconds": 12.5,
}


def test_every_field_round_trips_through_the_environment():
    assert set(NOT_DEFAULTS) == {f.name for f in fields(Settings)}, "a new setting needs a value here"
    settings = Settings(**NOT_DEFAULTS)
    for name, value in NOT_DEFAULTS.items():
        assert getattr(Settings(), name) != value, f"{name}: pick a value that is not the default"
    env = settings.to_env()
    assert all(isinstance(v, str) for v in env.values())
    assert Settings.from_env(env) == settings
    assert env["CHATBOT_RERANK"] == "off" and env["CHATBOT_TODAY"] == "2024-07-01" and env["PORT"] == "8123"


def test_empty_values_and_defaults_round_trip():
    settings = Settings.from_env({})
    assert settings.today is None and settings.admin_db is None and settings.embed_model == ""
    env = settings.to_env()
    assert env["CHATBOT_TODAY"] == "" and env["CHATBOT_ADMIN_DB"] == "" and env["CHATBOT_SECRET_KEY"] == ""
    assert Settings.from_env(env) == settings
    assert Settings.from_env({"CHATBOT_FUSION": "", "CHATBOT_THREADS": ""}) == settings    # empty = default


def test_settings_read_this_process_environment(monkeypatch):
    monkeypatch.setenv("CHATBOT_MIN_CONFIDENCE", "0.25")
    monkeypatch.setenv("CHATBOT_TODAY", "2024-03-05")
    assert Settings().min_confidence == 0.25 and Settings().today == date(2024, 3, 5)
    assert Settings() == Settings.from_env(os.environ)
