"""pipeline.core.updates: a dirty tree refused by name, the release notes between two versions."""

from __future__ import annotations

from pathlib import Path

from pipeline.core import cmd, updates
from pipeline.core.paths import ROOT

CHANGELOG = """# Changelog

Intro.

## [Unreleased]

- next

## [2.1.0] - 2026-12-06

- two one

## [2.0.0] - 2026-12-01

- two
"""


def test_the_notes_are_the_entries_after_the_services_version() -> None:
    assert updates.notes(CHANGELOG, "v2.0.0", "v2.1.0") == "## [2.1.0] - 2026-12-06\n\n- two one"
    assert updates.notes(CHANGELOG, "v2.1.0", "v2.1.0") == ""


def test_past_the_last_tag_the_unreleased_entry_comes_too() -> None:
    found = updates.notes(CHANGELOG, "v2.0.0", "v2.1.0-3-gabc1234")
    assert found.startswith("## [Unreleased]\n\n- next") and "- two one" in found
    assert "- two\n" not in found + "\n"


def test_the_version_is_copiers_commit_in_the_answers(tmp_path: Path) -> None:
    answers = tmp_path / ".copier-answers.yml"
    answers.write_text("# Changes here will be overwritten\n_commit: v2.0.0\n_src_path: x\n")
    assert updates.template_version(answers) == "v2.0.0"


def test_the_template_has_notes_for_its_next_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.index("## [Unreleased]") < text.index("## [2.0.0]")
    assert "### Action needed" in updates.notes(text, "v2.0.0", "v2.0.0-1-gabc")


def test_a_dirty_tree_is_refused_naming_its_files(tmp_path: Path) -> None:
    cmd.run(["git", "init", "-q"], cwd=tmp_path)
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("x\n")
    dirty = updates.dirty_files(tmp_path)
    assert dirty == ["a.txt", "b.txt"]
    line = updates.refusal(dirty)
    assert "\n" not in line and "(a.txt, b.txt)" in line and "git stash -u" in line
    assert "and 2 more" in updates.refusal([f"f{i}" for i in range(updates.SHOWN + 2)])
