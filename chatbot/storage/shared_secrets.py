"""Generated secrets every host of a fleet must share: the key signing answer ids (an answer from
host A is rated through host B) and the staff session/CSRF key (a clerk's cookie from A is good on
B). A configured value (CHATBOT_ANSWER_SECRET, CHATBOT_SECRET_KEY) always wins. Unset, with
``DATABASE_URL`` the first host to need one generates it into the ``secrets`` table and every
other host reads that one; embedded, it is a 0600 file as before, shared by the host's workers.

Callers load a secret once (app start or first use) and keep it in memory, so nothing that
signs needs the database afterwards."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from chatbot.config import Settings, shared_secret
from chatbot.storage.database import Database, state_database
from chatbot.storage.statements import upsert
from chatbot.storage.tables import secrets


def stored_secret(db: Database, name: str, make: Callable[[], str]) -> str:
    """The secret ``name`` in ``db``, generated with ``make()`` if no host made it yet. Every host
    may race here: the first insert wins, the others' do nothing, and all read the winner."""
    with db.read() as conn:
        found = conn.execute(select(secrets.c.value).where(secrets.c.name == name)).scalar()
    if found is not None:
        return found
    with db.write() as conn:
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        conn.execute(upsert(conn, secrets).values(name=name, value=make(), created_at=created)
                     .on_conflict_do_nothing(index_elements=[secrets.c.name]))
        return conn.execute(select(secrets.c.value).where(secrets.c.name == name)).scalar_one()


def generated_secret(settings: Settings, name: str, local_file: Path, make: Callable[[], str]) -> str:
    """The fleet's shared secret ``name`` with DATABASE_URL, else the one in ``local_file``."""
    if settings.database_url:
        return stored_secret(state_database(settings), name, make)
    return shared_secret(local_file, make)
