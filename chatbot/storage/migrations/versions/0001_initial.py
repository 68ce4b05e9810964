"""The first schema under Alembic: the staff area's tables and feedback as the hand-written SQLite
layer had them (its version 2), plus the corpus, uploads and index versions that leave the disk.

A SQLite file written by that layer (``admin.sqlite3``, ``feedback.sqlite3``) is adopted: tables it
has are kept with their rows, the missing tables, columns and indexes are created, and a version-1 file gets version 2's
clean-up (typed sign-in names that are no account's are no longer kept).

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UNKNOWN_USER = "(unknown user)"


def _tables() -> list[tuple[str, list, list]]:
    """(name, columns and constraints, indexes as (name, columns, unique)) of this revision."""
    text, integer = sa.Text, sa.Integer
    return [
        ("users", [sa.Column("id", integer, primary_key=True), sa.Column("username", text, nullable=False),
                   sa.Column("password_hash", text, nullable=False), sa.Column("roles", text, nullable=False),
                   sa.Column("active", integer, nullable=False, server_default="1"),
                   sa.Column("created_at", text, nullable=False),
                   sa.Column("password_changed_at", text, nullable=False)],
         [("users_username_lower", [sa.text("lower(username)")], True)]),
        ("login_failures", [sa.Column("key", text, nullable=False), sa.Column("at", sa.Float, nullable=False)],
         [("login_failures_key", ["key", "at"], False)]),
        ("sessions", [sa.Column("token_hash", text, primary_key=True), sa.Column("user_id", integer, nullable=False),
                      sa.Column("created_at", sa.Float, nullable=False)],
         [("sessions_user", ["user_id"], False)]),
        ("audit", [sa.Column("id", integer, primary_key=True), sa.Column("at", text, nullable=False),
                   sa.Column("actor", text, nullable=False), sa.Column("action", text, nullable=False),
                   sa.Column("target", text, nullable=False, server_default=""),
                   sa.Column("detail", text, nullable=False, server_default="{}"),
                   sa.Column("ip", text, nullable=False, server_default="")],
         [("audit_action", ["action", "id"], False)]),
        ("jobs", [sa.Column("id", integer, primary_key=True), sa.Column("kind", text, nullable=False),
                  sa.Column("state", text, nullable=False), sa.Column("created_by", text, nullable=False),
                  sa.Column("created_at", text, nullable=False), sa.Column("started_at", text),
                  sa.Column("finished_at", text), sa.Column("pid", integer),
                  sa.Column("stage", text, nullable=False, server_default=""),
                  sa.Column("done", integer, nullable=False, server_default="0"),
                  sa.Column("total", integer, nullable=False, server_default="0"), sa.Column("version", text),
                  sa.Column("result", text, nullable=False, server_default="{}"),
                  sa.Column("error", text, nullable=False, server_default=""), sa.Column("host", text),
                  sa.Column("heartbeat_at", sa.Float)], []),
        ("evaluations", [sa.Column("version", text, primary_key=True), sa.Column("at", text, nullable=False),
                         sa.Column("figures", text, nullable=False)], []),
        ("secrets", [sa.Column("name", text, primary_key=True), sa.Column("value", text, nullable=False),
                     sa.Column("created_at", text, nullable=False)], []),
        ("feedback", [sa.Column("id", integer, primary_key=True),
                      sa.Column("answer_nonce", text, nullable=False, unique=True),
                      sa.Column("answered_at", text, nullable=False), sa.Column("received_at", text, nullable=False),
                      sa.Column("rating", text, sa.CheckConstraint("rating IN ('up', 'down')", name="feedback_rating"),
                                nullable=False),
                      sa.Column("comment", text), sa.Column("question", text),
                      sa.Column("answer_language", text, nullable=False), sa.Column("grounded", integer, nullable=False),
                      sa.Column("index_version", text, nullable=False),
                      sa.Column("passage_ids", text, nullable=False)], []),
        ("corpus_files", [sa.Column("path", text, primary_key=True), sa.Column("content", sa.LargeBinary, nullable=False),
                          sa.Column("sha256", sa.String(64), nullable=False),
                          sa.Column("revision", integer, nullable=False)], []),
        ("corpus_state", [sa.Column("id", integer, primary_key=True), sa.Column("revision", integer, nullable=False),
                          sa.Column("changed_at", text, nullable=False),
                          sa.Column("changed_by", text, nullable=False)], []),
        ("uploads", [sa.Column("id", text, primary_key=True), sa.Column("created_at", text, nullable=False),
                     sa.Column("meta", text, nullable=False), sa.Column("text", text, nullable=False),
                     sa.Column("original_name", text, nullable=False),
                     sa.Column("original", sa.LargeBinary, nullable=False), sa.Column("patches", text)], []),
        ("index_versions", [sa.Column("version", text, primary_key=True), sa.Column("created_at", text, nullable=False),
                            sa.Column("manifest", text, nullable=False),
                            sa.Column("total_bytes", integer, nullable=False),
                            sa.Column("uploaded", integer, nullable=False, server_default="0")], []),
        ("index_current", [sa.Column("id", integer, primary_key=True),
                           sa.Column("version", text, sa.ForeignKey("index_versions.version"), nullable=False),
                           sa.Column("published_at", text, nullable=False),
                           sa.Column("published_by", text, nullable=False)], []),
        ("artifact_files", [sa.Column("version", text, sa.ForeignKey("index_versions.version", ondelete="CASCADE"),
                                      primary_key=True),
                            sa.Column("path", text, primary_key=True), sa.Column("sha256", sa.String(64), nullable=False),
                            sa.Column("size", integer, nullable=False)], []),
        ("artifact_chunks", [sa.Column("version", text, primary_key=True), sa.Column("path", text, primary_key=True),
                             sa.Column("seq", integer, primary_key=True),
                             sa.Column("data", sa.LargeBinary, nullable=False)], []),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    adopted_v1 = (bind.dialect.name == "sqlite" and inspector.has_table("users")
                  and bind.exec_driver_sql("PRAGMA user_version").scalar() < 2)
    for name, columns, indexes in _tables():
        existing = set()
        if inspector.has_table(name):
            existing = {index["name"] for index in inspector.get_indexes(name)}
            present = {column["name"] for column in inspector.get_columns(name)}
            for column in columns:
                if column.name not in present:      # added since the hand-written layer (all nullable)
                    op.add_column(name, column)
        else:
            op.create_table(name, *columns)
        for index_name, index_columns, unique in indexes:
            if index_name not in existing:
                op.create_index(index_name, name, index_columns, unique=unique)
    if adopted_v1:
        op.execute(sa.text("UPDATE audit SET actor = :unknown, target = :unknown "
                           "WHERE action IN ('login.failed', 'login.throttled') "
                           "AND target NOT IN (SELECT username FROM users)").bindparams(unknown=UNKNOWN_USER))
        op.execute("DELETE FROM login_failures")


def downgrade() -> None:
    for name, _columns, _indexes in reversed(_tables()):
        op.drop_table(name)
