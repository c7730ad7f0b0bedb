"""pipeline.lint.checks: one table drives the lint sessions and the pre-commit hooks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

from pipeline.core import cmd
from pipeline.core.cmd import Command
from pipeline.core.paths import ROOT
from pipeline.lint import checks
from pipeline.tests.support.recorder import Recorder


def test_every_check_is_named_once_and_lint_installs_each_group() -> None:
    names = [check.name for check in checks.CHECKS]
    assert len(names) == len(set(names)) == 10
    assert set(checks.all_groups()) == {g for check in checks.CHECKS for g in check.groups}
    assert checks.all_groups()[0] == "lint"


def test_python_checks_take_the_files_they_are_given() -> None:
    pycodestyle = checks.BY_NAME["pycodestyle"].commands(["serving/edge.py"])
    assert pycodestyle == [["pycodestyle", "--max-line-length=100", "--exclude=fixtures",
                            "serving/edge.py"]]
    mccabe = checks.BY_NAME["mccabe"].commands(["a.py"])[0]
    assert mccabe[-2:] == ["--max-complexity=10", "a.py"]
    assert checks.BY_NAME["pylint"].groups == ("runtime", "lint", "bench", "browser")


def test_the_workflow_check_covers_every_workflow_file() -> None:
    commands = checks.BY_NAME["workflows"].commands([])
    assert commands[0] == ["zizmor", "--offline", ".github/"]
    assert commands[1][0] == "actionlint"
    assert ".github/workflows/ci.yml" in commands[1]
    assert any("vendor.dependabot" in argv for argv in commands)


def test_the_hook_runs_the_tools_beside_its_python_and_fails_with_any() -> None:
    def answer(command: Command) -> tuple[int, str, str]:
        return (1, "app/x.py:1:1: F401\n", "") if command.argv[0] == "pyflakes" else (0, "", "")

    recorder = Recorder(answer)
    with cmd.using(recorder):
        assert checks.main(["pyflakes", "app/x.py"]) == 1
        assert checks.main(["pycodestyle"]) == 0
    assert recorder.argvs()[0] == ["pyflakes", "app/x.py"]
    assert recorder.argvs()[1][-len(checks.PYTHON_TARGETS):] == list(checks.PYTHON_TARGETS)
    first_path = recorder.calls[0].env["PATH"].split(os.pathsep)[0]
    assert first_path == str(Path(sys.executable).parent)


def test_every_check_is_a_pre_commit_hook_of_the_same_name() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook["entry"] for repo in config["repos"] for hook in repo["hooks"]}
    for check in checks.CHECKS:
        assert hooks[check.name] == f".nox/lint/bin/python -m pipeline.lint.checks {check.name}"


def test_an_unknown_check_is_refused_in_one_line() -> None:
    recorder = Recorder()
    with cmd.using(recorder):
        assert checks.main(["flake9"]) == 2
    assert not recorder.calls
