"""Fixtures of the integration tests (real server and build processes on loopback). Builds and
publishing under failure need the staff area's private corpus, index and var/ copies, as the
staff-area tests do (tests/admin/conftest.py): the same two fixtures over tests.support.admin."""
from __future__ import annotations

import pytest

from tests.support.admin import AdminEnv, make_admin_app, make_admin_env


@pytest.fixture
def admin_env(tmp_path, fake_index_dir) -> AdminEnv:
    return make_admin_env(tmp_path, fake_index_dir)


@pytest.fixture
def admin_app(make_app, admin_env):
    return make_admin_app(make_app, admin_env)
