"""Helpers for the tests that are not fixtures, imported as ``tests.support.…``: pytest puts the
repository root on the import path (``pythonpath`` in pyproject.toml's [tool.pytest.ini_options])."""
