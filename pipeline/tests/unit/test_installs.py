"""pipeline.core.installs: a reused environment is re-installed exactly when its inputs change."""

from __future__ import annotations

from pathlib import Path

from pipeline.core import installs


def test_the_stamp_follows_the_files_bytes_and_the_pip_arguments(tmp_path: Path) -> None:
    lock = tmp_path / "test.txt"
    lock.write_text("pytest==8.0 --hash=sha256:aa\n", encoding="utf-8")
    venv = tmp_path / "venv"
    venv.mkdir()
    first = installs.digest([lock], ["--require-hashes"])
    assert not installs.current(venv, first)  # a new environment has no stamp
    installs.record(venv, first)
    assert installs.current(venv, first)
    assert installs.digest([lock], ["--require-hashes"]) == first
    assert installs.digest([lock], []) != first
    lock.write_text("pytest==8.1 --hash=sha256:bb\n", encoding="utf-8")
    assert not installs.current(venv, installs.digest([lock], ["--require-hashes"]))


def test_the_same_bytes_under_another_group_name_differ(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("x\n", encoding="utf-8")
    assert installs.digest([tmp_path / "a.txt"]) != installs.digest([tmp_path / "b.txt"])
