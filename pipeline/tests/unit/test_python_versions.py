"""pipeline.core.python_versions: every file naming a Python agrees with [tool.pipeline]."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.core import python_versions
from pipeline.core.paths import ROOT

NAMING = ("pyproject.toml", "Dockerfile", "runtime.txt", ".github/workflows/ci.yml",
          ".github/actions/setup-nox/action.yml")


@pytest.fixture(name="tree")
def _tree(tmp_path: Path) -> Path:
    for name in NAMING:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def test_this_tree_names_one_python_everywhere() -> None:
    assert python_versions.disagreements(ROOT) == []


def test_the_copy_agrees_before_anything_is_planted(tree: Path) -> None:
    assert python_versions.disagreements(tree) == []


def test_runtime_txt_on_another_minor_than_the_dockerfile_fails(tree: Path) -> None:
    (tree / "runtime.txt").write_text("python-3.11.x\n")
    assert python_versions.disagreements(tree) == [
        "runtime.txt asks for 'python-3.11.x', not 'python-3.13.x'"]


def test_a_dockerfile_on_another_minor_fails(tree: Path) -> None:
    dockerfile = tree / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("python:3.13-slim", "python:3.11-slim"))
    assert python_versions.disagreements(tree) == [
        "Dockerfile's official base runs Python 3.11, not 3.13"]


def test_a_matrix_missing_the_newest_fails(tree: Path) -> None:
    workflow = tree / ".github/workflows/ci.yml"
    workflow.write_text(workflow.read_text().replace(', "3.15"]', "]"))
    [found] = python_versions.disagreements(tree)
    assert found.startswith(".github/workflows/ci.yml's tests matrix names")


def test_metadata_follows_pythons(tree: Path) -> None:
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'pythons = ["3.11", "3.12", "3.13", "3.14", "3.15"]', 'pythons = ["3.12", "3.13"]'))
    found = python_versions.disagreements(tree)
    assert any("requires-python" in line for line in found)
    assert any("classifiers" in line for line in found)
    assert any("[tool.mypy]" in line for line in found)
    assert any("setup-nox" in line for line in found)


def test_docs_naming_another_runtime_or_range_fail(tree: Path) -> None:
    (tree / "docs").mkdir()
    (tree / "docs" / "deploy.md").write_text("`runtime.txt` (`python-3.11.x`), supported: "
                                             "Python 3.11 to 3.14, image python:3.13-slim\n")
    assert python_versions.disagreements(tree) == [
        "docs/deploy.md names runtime Python 3.11, not 3.13",
        "docs/deploy.md says Python 3.11 to 3.14, not 3.11 to 3.15"]
