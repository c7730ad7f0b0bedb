"""pipeline.core.project: the facts the noxfile reads from pyproject.toml and git."""

from __future__ import annotations

from pathlib import Path

from pipeline.core import project
from pipeline.core.paths import LOCK_DIR, ROOT, RUNTIME_LOCK


def test_every_group_has_its_hashed_export() -> None:
    assert project.lock_file("runtime") == RUNTIME_LOCK
    assert project.lock_file("lint") == LOCK_DIR / "lint.txt"
    assert project.lock_exports() == {RUNTIME_LOCK, *(LOCK_DIR / f"{g}.txt"
                                                      for g in project.groups())}
    assert all(path.is_file() for path in project.lock_exports())


def test_settings_come_from_the_pipeline_table() -> None:
    assert project.setting("pythons")[0] == "3.11"
    assert set(project.setting("coverage-floors")) == {"app", "serving", "pipeline"}
    assert project.tool("pycodestyle")["max-line-length"] == 100
    assert project.tool("no-such-tool") == {}
    assert project.version().count(".") == 2


def test_shipped_files_are_what_git_tracks_minus_the_exclusions() -> None:
    shipped = project.shipped_files()
    assert "noxfile.py" in shipped and "uv.lock" in shipped
    assert not any(name.startswith((".nox/", ".git/")) for name in shipped)
    trimmed = project.shipped_files(exclude=project.lock_exports())
    assert "requirements.txt" not in trimmed and "uv.lock" in trimmed
    assert len(shipped) - len(trimmed) == len(project.lock_exports())


def test_a_copy_holds_the_shipped_files(tmp_path: Path) -> None:
    copy = project.copy_tree(tmp_path / "copy")
    assert (copy / "noxfile.py").read_bytes() == (ROOT / "noxfile.py").read_bytes()
    assert not (copy / ".nox").exists()
