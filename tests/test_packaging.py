"""A wheel install works: the built wheel holds every module and every data file the code reads
(templates, static files, fitted weights, the staff area's translations)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import chatbot

PACKAGE = Path(chatbot.__file__).parent
PROJECT_ROOT = PACKAGE.parent
DATA_SUFFIXES = {".json", ".npz", ".css", ".js", ".svg", ".mo", ".po"}


def _expected() -> set[str]:
    files = {p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts
             and (p.suffix == ".py" or p.suffix in DATA_SUFFIXES)}
    names = {str(p.relative_to(PROJECT_ROOT)) for p in files}
    names |= {"chatbot/" + str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "templates").rglob("*.html")}
    return names


@pytest.mark.slow
def test_the_wheel_ships_every_module_template_and_data_file(tmp_path):
    source = tmp_path / "source"          # a copy: building writes build/ and *.egg-info beside the sources
    for name in ("chatbot", "templates"):
        shutil.copytree(PROJECT_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(source)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_expected() - shipped)
    assert not missing, f"not in the wheel (list the folder in pyproject.toml's packages): {missing[:20]}"
    assert "chatbot/templates/admin/base.html" in shipped


def test_every_dependency_is_pinned_in_the_constraints_both_install_commands_use():
    """A fresh machine installs what CI tested: each dependency of the package and of its test
    extra has an exact version in constraints.txt, and the README's commands and .ci/run use it."""
    import re
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"],
              *project["optional-dependencies"]["bench"]]
    names = {re.split(r"[<>=!~\[;\s]", r, maxsplit=1)[0].lower().replace("_", "-") for r in wanted}
    names.discard("seoul-program-finder")
    pins = {}
    for line in (PROJECT_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    assert sorted(names - set(pins)) == []
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("pip install -c constraints.txt -e .") == 1
    assert "pip install -q -c constraints.txt -e '.[test]'" in readme
    assert "-c constraints.txt" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
