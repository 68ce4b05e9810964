"""Alembic's entry point. Migrations only ever run through chatbot/storage/migrate.py, which hands
over the connection (already holding the migration lock) in ``config.attributes``."""
from __future__ import annotations

from alembic import context

from chatbot.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
