"""pipeline.lint.conflicts: what an update could not merge stops the pipeline."""

from __future__ import annotations

import pytest

from pipeline.core import cmd, project
from pipeline.core.cmd import Command
from pipeline.lint import conflicts
from pipeline.tests.support.recorder import Recorder


def test_rej_files_are_found_among_the_shipped_files() -> None:
    assert conflicts.rejected(["a.py", "pyproject.toml.rej", "b/c.md.rej", "rej.txt"]) == [
        "pyproject.toml.rej", "b/c.md.rej"]


def test_markers_and_rejects_each_fail_with_their_file(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(project, "shipped_files", lambda: ["README.md", "README.md.rej"])

    def answer(_command: Command) -> tuple[int, str, str]:
        return 1, "README.md:3: Merge conflict string '<<<<<<<' found\n", ""

    recorder = Recorder(answer)
    with cmd.using(recorder):
        assert conflicts.main() == 1
    assert "--assume-in-merge" in recorder.argvs()[0]
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("conflicts: README.md.rej: hunks an update could not merge")
    assert err[1] == "conflicts: README.md:3: Merge conflict string '<<<<<<<' found"


def test_a_clean_tree_passes(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(project, "shipped_files", lambda: ["README.md"])
    with cmd.using(Recorder()):
        assert conflicts.main() == 0
    assert capsys.readouterr().out == "conflicts: none in 1 files\n"
