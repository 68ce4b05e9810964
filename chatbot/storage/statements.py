"""Statements SQLAlchemy Core words differently per engine, chosen by the connection's dialect so
one call site runs on SQLite and PostgreSQL alike."""
from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: Connection, table: Table):
    """``INSERT`` that takes ``.on_conflict_do_nothing()`` / ``.on_conflict_do_update()`` (both
    engines spell it ``INSERT … ON CONFLICT``, but SQLAlchemy has one construct per dialect)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
