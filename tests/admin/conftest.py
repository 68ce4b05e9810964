"""Fixtures of the staff-area tests: each test gets its own copy of the corpus, the fake index and
the var/ directory (tests.support.admin), so nothing it does reaches the repository's files."""
from __future__ import annotations

import pytest

from tests.support.admin import AdminEnv, make_admin_app, make_admin_env


@pytest.fixture
def admin_env(tmp_path, fake_index_dir) -> AdminEnv:
    return make_admin_env(tmp_path, fake_index_dir)


@pytest.fixture
def admin_app(make_app, admin_env):
    return make_admin_app(make_app, admin_env)
