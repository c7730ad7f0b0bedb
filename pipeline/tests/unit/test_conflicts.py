"""pipeline.lint.conflicts: what an update could not merge stops the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import cmd, project
from pipeline.lint import conflicts

CONFLICTED = "a\n<<<<<<< before updating\nb\n=======\nc\n>>>>>>> after updating\nd\n"


def _files(root: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return list(files)


def test_rej_files_are_found_among_the_shipped_files() -> None:
    assert conflicts.rejected(["a.py", "pyproject.toml.rej", "b/c.md.rej", "rej.txt"]) == [
        "pyproject.toml.rej", "b/c.md.rej"]


def test_each_marker_is_named_by_file_and_line_and_nothing_else_is(tmp_path: Path) -> None:
    names = _files(tmp_path, {"m.yml": CONFLICTED, "ok.md": "Title\n=======\n\n==== x\n<<< y\n"})
    assert conflicts.markers([*names, "gone.txt"], tmp_path) == ["m.yml:2", "m.yml:6"]


def test_stop_names_the_first_conflicts_and_the_command_that_lists_them_all(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    names = _files(tmp_path, {f"f{i}.txt": CONFLICTED for i in range(6)})
    monkeypatch.setattr(conflicts, "ROOT", tmp_path)
    monkeypatch.setattr(project, "shipped_files", lambda: names)
    with pytest.raises(SystemExit) as stopped:
        conflicts.stop()
    lines = str(stopped.value).splitlines()
    assert lines[0] == "conflicts: f0.txt:2: conflict marker an update left"
    assert lines[conflicts.LISTED] == "conflicts: ... and 2 more"
    assert lines[-1].startswith("nox stops: 12 conflict(s) an update left; merge each by hand")
    assert "`python3 -m pipeline.lint.conflicts` lists them all" in lines[-1]


def test_markers_and_rejects_each_fail_with_their_file(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    names = _files(tmp_path, {"README.md": CONFLICTED, "README.md.rej": "-a\n+b\n"})
    monkeypatch.setattr(conflicts, "ROOT", tmp_path)
    monkeypatch.setattr(project, "shipped_files", lambda: names)
    assert conflicts.main() == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "conflicts: README.md:2: conflict marker an update left"
    assert err[2].startswith("conflicts: README.md.rej: hunks an update could not merge")
    assert err[3].startswith("To fix: merge each by hand")


def test_a_clean_tree_passes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    names = _files(tmp_path, {"README.md": "# a\n"})
    monkeypatch.setattr(conflicts, "ROOT", tmp_path)
    monkeypatch.setattr(project, "shipped_files", lambda: names)
    conflicts.stop()
    assert conflicts.main() == 0
    assert capsys.readouterr().out == "conflicts: none in 1 files\n"


def test_a_tree_outside_git_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_git() -> list[str]:
        raise cmd.CommandFailed(cmd.Result(cmd.Command(("git",)), 128, "", "not a git repository"))

    monkeypatch.setattr(project, "shipped_files", no_git)
    conflicts.stop()  # returns: nothing to scan, and nothing an update left
