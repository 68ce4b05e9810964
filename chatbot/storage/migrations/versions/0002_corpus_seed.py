"""What the corpus in the database was seeded from: the shipped corpus directory and a fingerprint
of its files, so a build can tell when ``CHATBOT_CORPUS_DIR`` no longer holds what the database
started from (chatbot/storage/corpus.py decides what then happens).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("corpus_state") as batch:
        batch.add_column(sa.Column("seeded_from", sa.Text))
        batch.add_column(sa.Column("seed_sha256", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("corpus_state") as batch:
        batch.drop_column("seed_sha256")
        batch.drop_column("seeded_from")
