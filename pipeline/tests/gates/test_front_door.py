"""The front door: nox installed on its own loads the noxfile and deploys; what is too old says so.

Each environment is made the way a user makes it: `python -m venv`, then `pip install nox` from
PyPI, nothing else. The planted defects are the ones found before: a third-party import
at load, and a session importing the deploy stage (PyYAML) into nox's own process. Every other
session's in-process imports are held to the same rule statically: pipeline/tests/unit/
test_noxfile.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core import interpreters
from pipeline.core.service import serve
from pipeline.tests.support.double import BASE, environment
from pipeline.tests.support.tree import Tree, failed, passed

NEEDS_NOX = ">=2026.8.10"
OLD_NOX = "nox==2024.10.9"  # before script mode: it can only read nox.needs_version


def _venv(where: Path, python: str, *requirements: str) -> Path:
    """A clean venv holding only what pip installs for `requirements` (from PyPI)."""
    subprocess.run([python, "-m", "venv", str(where)], check=True, timeout=300)  # nosec B603
    subprocess.run(  # nosec B603
        [str(where / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", *requirements], check=True, timeout=600)
    return where / "bin" / "nox"


@pytest.fixture(scope="module")
def stock_nox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install nox` into a clean venv of the Python that runs the gates."""
    return _venv(tmp_path_factory.mktemp("stock") / "venv", sys.executable, "nox")


def _nox(nox: Path, tree: Tree, *args: str,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # The tree's own environment directory, so a stock nox never reuses the gates' environments.
    return tree.run(str(nox), "--envdir", str(tree.path / ".nox"), *args, env=env)


def _one_line_no_traceback(output: str) -> str:
    assert "Traceback" not in output, output[-3000:]
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output[-3000:]
    return lines[0]


def test_a_stock_nox_lists_the_sessions_and_yaml_is_not_needed(
        tree: Tree, stock_nox: Path) -> None:
    python = stock_nox.parent / "python"
    assert tree.run(str(python), "-c", "import yaml").returncode != 0  # only nox is installed
    listed = passed(_nox(stock_nox, tree, "-l"))
    for session in ("* lint", "* mypy", "* tests-3.11", "- pylint", "- deploy", "- bench"):
        assert session in listed
    # Also where nox's script mode is off: the load-time imports alone must be enough.
    passed(_nox(stock_nox, tree, "--script-mode", "none", "-l"))


def test_a_third_party_import_at_load_fails_the_stock_nox(tree: Tree, stock_nox: Path) -> None:
    tree.plant("noxfile.py", "\nimport yaml  # planted: a stage helper imported at load time\n")
    output = failed(_nox(stock_nox, tree, "--script-mode", "none", "-l"))
    assert "No module named 'yaml'" in output


def test_a_stock_nox_deploys_dry_run_and_for_real_with_no_traceback(
        tree: Tree, stock_nox: Path, tmp_path: Path) -> None:
    cf_log = tmp_path / "cf-calls.jsonl"
    dry = passed(_nox(stock_nox, tree, "-s", "deploy", "--", "--dry-run",
                      env=environment(cf_log, **BASE)))
    assert "cf push -f" in dry and "--strategy canary" in dry
    assert "Traceback" not in dry and not cf_log.exists()
    with serve(tmp_path / "live.log") as live:
        real = passed(_nox(stock_nox, tree, "-s", "deploy",
                           env=environment(cf_log, **BASE, CANARY_URL=live.url)))
    assert "Traceback" not in real
    assert f"DEPLOYED, and the canary passed at {live.url}" in real


def test_a_session_importing_the_deploy_stage_fails_the_stock_nox(
        tree: Tree, stock_nox: Path, tmp_path: Path) -> None:
    # Found before: the deploy session imported the stage (PyYAML) into nox's process.
    noxfile = tree.path / "noxfile.py"
    noxfile.write_text(noxfile.read_text(encoding="utf-8").replace(
        '    session.run("python", "-m", "pipeline.deploy", *session.posargs)',
        "    from pipeline.deploy import rollout  # pylint: disable=import-outside-toplevel\n"
        "    session.log(rollout.run(dry_run=True))"), encoding="utf-8")
    output = failed(_nox(stock_nox, tree, "-s", "deploy", "--", "--dry-run",
                         env=environment(tmp_path / "cf-calls.jsonl", **BASE)))
    assert "No module named 'yaml'" in output


def test_an_older_nox_is_told_what_to_install(tree: Tree, tmp_path: Path) -> None:
    old = _venv(tmp_path / "venv", sys.executable, OLD_NOX)
    line = _one_line_no_traceback(failed(_nox(old, tree, "-l")).replace("nox > ", ""))
    assert NEEDS_NOX in line and "Nox" in line


def test_an_older_python_is_told_what_to_install(tree: Tree, tmp_path: Path) -> None:
    found = interpreters.locate(["3.10"], os.environ)
    if "3.10" not in found:
        pytest.skip("no Python 3.10 on this machine to run nox with")
    nox = _venv(tmp_path / "venv", str(found["3.10"] / "python3.10"), "nox")
    line = _one_line_no_traceback(failed(_nox(nox, tree, "--script-mode", "none", "-l")))
    assert "needs Python 3.11 or newer" in line
    assert "pipx install --python python3.11 nox" in line


def test_a_missing_python_is_skipped_offline_and_fails_under_ci(tree: Tree) -> None:
    pyproject = tree.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(
        'pythons = ["3.11", "3.12", "3.13", "3.14", "3.15"]', 'pythons = ["3.11", "3.99"]'),
        encoding="utf-8")
    offline: dict[str, str | None] = {"UV_OFFLINE": "1", "CI": None}  # nox: any CI means CI
    skipped = passed(tree.nox("-s", "tests-3.99", env=offline))
    assert "Python 3.99 is not installed and cannot be downloaded (UV_OFFLINE is set)" in skipped
    assert "uv python install 3.99" in skipped
    assert "tests-3.99: skipped" in skipped
    in_ci = failed(tree.nox("-s", "tests-3.99", env={**offline, "CI": "true"}))
    assert "tests-3.99: failed" in in_ci or "Session tests-3.99 failed" in in_ci


def test_pythons_is_idempotent_and_a_minor_debian_lacks_is_one_line(tree: Tree) -> None:
    assert "nothing to do: 3.11 in" in passed(tree.nox("-s", "pythons"))
    pyproject = tree.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(
        'pythons = ["3.11", "3.12", "3.13", "3.14", "3.15"]', 'pythons = ["3.11", "3.99"]'),
        encoding="utf-8")
    output = failed(tree.nox("-s", "pythons", env={"UV_OFFLINE": "1"}))
    assert "no Debian suite carries Python 3.99: install it with `pyenv install 3.99`" in output
    assert "Traceback" not in output


def _starred(listing: str) -> list[str]:
    return [line.split()[1] for line in listing.splitlines() if line.startswith("* tests-")]


def test_plain_nox_tests_the_oldest_and_newest_found_and_under_ci_the_supported_ends(
        tree: Tree, tmp_path: Path) -> None:
    for version in ("3.12.1", "3.14.8"):  # what pyenv would hold: locate checks executability
        python = tmp_path / "versions" / version / "bin" / f"python{version[:4]}"
        python.parent.mkdir(parents=True)
        python.write_text("#!/bin/sh\n", encoding="utf-8")
        python.chmod(0o755)
    env: dict[str, str | None] = {"PYENV_ROOT": str(tmp_path), "PATH": "/nonexistent",
                                  "UV_OFFLINE": "1", "CI": None}
    assert _starred(passed(tree.nox("-l", env=env))) == ["tests-3.12", "tests-3.14"]
    ci = passed(tree.nox("-l", env={**env, "CI": "true"}))
    assert _starred(ci) == ["tests-3.11", "tests-3.15"]
