"""ci.yml runs every session plain `nox` runs, and fuzzes the pushed image, before it deploys."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.actions import ci_sessions
from pipeline.core.paths import ROOT

NOXFILE = ROOT / "noxfile.py"
CI = ROOT / ".github" / "workflows" / "ci.yml"


def _planted(tmp_path: Path, old: str, new: str) -> Path:
    text = CI.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "ci.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_plain_nox_is_read_from_the_noxfile_without_running_it() -> None:
    assert ci_sessions.plain_sessions(NOXFILE) == [
        "lint", "mypy", "bandit", "secrets", "tests-3.11", "tests-3.12", "tests-3.13", "tests-3.14",
        "tests-3.15"]


def test_github_runs_every_gate_of_plain_nox_before_it_deploys() -> None:
    assert ci_sessions.missing(NOXFILE, CI) == []


@pytest.mark.parametrize(("old", "new", "named"), [
    ("run: nox -s mypy", "run: echo mypy skipped", "`nox -s mypy` (plain nox runs it)"),
    ('"3.14", "3.15"]', '"3.14"]', "`nox -s tests-3.15` (plain nox runs it)"),
    ('nox -s fuzz -- --url "$url"', "nox -s fuzz", "`nox -s fuzz -- --url <the pushed image>`"),
])
def test_a_gate_missing_from_ci_yml_is_named(tmp_path: Path, old: str, new: str,
                                             named: str) -> None:
    assert ci_sessions.missing(NOXFILE, _planted(tmp_path, old, new)) == [
        f"ci.yml: {named} does not run before job deploy"]


def test_a_gate_in_a_job_deploy_does_not_wait_for_does_not_count(tmp_path: Path) -> None:
    planted = _planted(tmp_path, "needs: [lint, bandit, audit, tests]", "needs: [bandit, tests]")
    assert set(ci_sessions.missing(NOXFILE, planted)) == {
        "ci.yml: `nox -s lint` (plain nox runs it) does not run before job deploy",
        "ci.yml: `nox -s mypy` (plain nox runs it) does not run before job deploy"}


def test_nox_calls_are_read_from_shell_lines() -> None:
    assert list(ci_sessions.nox_calls('nox -s bandit secrets 2>&1 | tee x')) == [
        ("bandit", []), ("secrets", [])]
    assert list(ci_sessions.nox_calls("nox --envdir e -s lock -- --check")) == [
        ("lock", ["--check"])]
