"""The layout is a checked contract, not a hope: the import contracts in pyproject.toml hold and
no module grows past what a reader takes in at once."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chatbot

PACKAGE = Path(chatbot.__file__).parent
PROJECT_ROOT = PACKAGE.parent
MAX_MODULE_LINES = 450


def test_import_contracts_hold():
    """Layers (a module imports only its own folder and the folders below) and no cycles between
    siblings, as import-linter reads them from pyproject.toml."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache", "--config", str(PROJECT_ROOT / "pyproject.toml")],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_import_contracts_catch_an_upward_import(tmp_path):
    """The contract is not vacuous: the same configuration fails on a copy of the package in which
    the lowest layer imports the highest."""
    import shutil

    copy = tmp_path / "chatbot"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.npz", "*.json", "*.mo"))
    config = copy / "config.py"
    config.write_text(config.read_text() + "\nfrom chatbot.web import ask  # noqa: E402,F401\n")
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache", "--config", str(PROJECT_ROOT / "pyproject.toml")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert result.returncode != 0
    assert "chatbot.config is not allowed to import chatbot.web" in result.stdout


def test_no_module_is_longer_than_a_reader_takes_in():
    long = {str(path.relative_to(PROJECT_ROOT)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"
