"""Every table the service keeps, as SQLAlchemy Core tables: the one description the code queries
and the migrations (chatbot/storage/migrations) are checked against (tests/storage/test_migrations.py
compares a migrated database with this metadata). Types are the portable ones, so the same
statements run on SQLite (the embedded default) and PostgreSQL (``DATABASE_URL``).

Times keep the forms the SQLite schema had: ISO text where people read them (``created_at``),
epoch seconds where code compares them (``login_failures.at``, ``sessions.created_at``)."""
from __future__ import annotations

from sqlalchemy import (CheckConstraint, Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String,
                        Table, Text, func)

metadata = MetaData()

# ---- staff area: accounts, sessions, sign-in throttling, audit log, build jobs --------------------
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("roles", Text, nullable=False),
    Column("active", Integer, nullable=False, server_default="1"),
    Column("created_at", Text, nullable=False),
    Column("password_changed_at", Text, nullable=False),
)
# One account per name whatever its case ("Admin" is "admin"), on both engines.
Index("users_username_lower", func.lower(users.c.username), unique=True)

login_failures = Table(
    "login_failures", metadata,
    Column("key", Text, nullable=False),
    Column("at", Float, nullable=False),
    Index("login_failures_key", "key", "at"),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Index("sessions_user", "user_id"),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("ip", Text, nullable=False, server_default=""),
    Index("audit_action", "action", "id"),
)

jobs = Table(
    "jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("started_at", Text),
    Column("finished_at", Text),
    Column("pid", Integer),
    Column("stage", Text, nullable=False, server_default=""),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("version", Text),
    Column("result", Text, nullable=False, server_default="{}"),
    Column("error", Text, nullable=False, server_default=""),
    Column("host", Text),                            # where it runs (a build worker anywhere in the fleet)
    Column("heartbeat_at", Float),                   # epoch seconds of its last sign of life
)

evaluations = Table(
    "evaluations", metadata,
    Column("version", Text, primary_key=True),
    Column("at", Text, nullable=False),
    Column("figures", Text, nullable=False),
)

secrets = Table(                                     # generated keys every host must share (signing, sessions)
    "secrets", metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

# ---- citizens' ratings of answers (masked text only) ---------------------------------------------
feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_nonce", Text, nullable=False, unique=True),
    Column("answered_at", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("rating", Text, CheckConstraint("rating IN ('up', 'down')", name="feedback_rating"), nullable=False),
    Column("comment", Text),
    Column("question", Text),
    Column("answer_language", Text, nullable=False),
    Column("grounded", Integer, nullable=False),
    Column("index_version", Text, nullable=False),
    Column("passage_ids", Text, nullable=False),
)

# ---- the corpus as staff edit it (seeded once from the shipped corpus/) --------------------------
corpus_files = Table(
    "corpus_files", metadata,
    Column("path", Text, primary_key=True),          # relative to the corpus root: documents.yaml, programs.yaml, texts
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("revision", Integer, nullable=False),     # the corpus revision that last wrote it
)

corpus_state = Table(                                # one row (id = 1): the corpus revision, bumped by every edit
    "corpus_state", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("changed_at", Text, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("seeded_from", Text),                     # the shipped corpus directory it was last seeded from
    Column("seed_sha256", String(64)),               # and that seed's fingerprint (chatbot/storage/corpus.py)
)

uploads = Table(                                     # staged documents waiting for review
    "uploads", metadata,
    Column("id", Text, primary_key=True),
    Column("created_at", Text, nullable=False),
    Column("meta", Text, nullable=False),            # the StagedUpload as JSON
    Column("text", Text, nullable=False),            # the extracted text
    Column("original_name", Text, nullable=False),
    Column("original", LargeBinary, nullable=False),
    Column("patches", Text),                         # catalog records staged with it (JSON), if any
)

# ---- index versions every host can fetch --------------------------------------------------------
index_versions = Table(
    "index_versions", metadata,
    Column("version", Text, primary_key=True),
    Column("created_at", Text, nullable=False),
    Column("manifest", Text, nullable=False),        # the version's manifest.json
    Column("total_bytes", Integer, nullable=False),
    Column("uploaded", Integer, nullable=False, server_default="0"),  # 1 once every file is stored
)

index_current = Table(                               # one row (id = 1): the version every host serves
    "index_current", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Text, ForeignKey("index_versions.version"), nullable=False),
    Column("published_at", Text, nullable=False),
    Column("published_by", Text, nullable=False),
)

artifact_files = Table(
    "artifact_files", metadata,
    Column("version", Text, ForeignKey("index_versions.version", ondelete="CASCADE"), primary_key=True),
    Column("path", Text, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
)

artifact_chunks = Table(                             # files cut in chunks (bytea / BLOB), stored with the database
    "artifact_chunks", metadata,
    Column("version", Text, primary_key=True),
    Column("path", Text, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
