"""Generated secrets a fleet shares: the first host to need one stores it, every other host (and
every later start) reads that same value, on both engines; embedded mode keeps its 0600 file."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import count

from sqlalchemy import select

from chatbot.config import Settings
from chatbot.storage.shared_secrets import generated_secret, stored_secret
from chatbot.storage.tables import secrets


def test_the_first_secret_stored_is_the_one_everybody_gets(state_db):
    made = count()
    values = {stored_secret(state_db, "answer_secret", lambda: f"value-{next(made)}") for _ in range(3)}
    assert values == {"value-0"} and next(made) == 1                 # generated once, then only read
    assert stored_secret(state_db, "secret_key", lambda: "other") == "other"       # one per name
    with state_db.read() as conn:
        assert dict(conn.execute(select(secrets.c.name, secrets.c.value)).all()) == {
            "answer_secret": "value-0", "secret_key": "other"}


def test_hosts_racing_for_a_new_secret_all_get_the_winner(state_db):
    with ThreadPoolExecutor(8) as pool:
        values = set(pool.map(lambda i: stored_secret(state_db, "race", lambda: f"host-{i}"), range(8)))
    assert len(values) == 1


def test_embedded_mode_keeps_the_local_file(tmp_path):
    settings = Settings().with_overrides({"database_url": ""})
    value = generated_secret(settings, "secret_key", tmp_path / "secret_key", lambda: "local")
    assert value == "local" and (tmp_path / "secret_key").read_text() == "local"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_with_database_url_no_file_is_written(pg_url, tmp_path):
    from chatbot.storage import migrate
    from chatbot.storage.database import database
    migrate.upgrade(database(pg_url))
    settings = Settings().with_overrides({"database_url": pg_url})
    first = generated_secret(settings, "secret_key", tmp_path / "a" / "secret_key", lambda: "from-a")
    second = generated_secret(settings, "secret_key", tmp_path / "b" / "secret_key", lambda: "from-b")
    assert first == second == "from-a" and not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    database(pg_url).dispose()
