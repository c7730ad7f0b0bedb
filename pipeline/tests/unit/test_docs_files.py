"""Every file the docs have an owner create in the tree is ignored by git, so it stays clean."""

from __future__ import annotations

import re

from pipeline.core import cmd
from pipeline.core.paths import ROOT

# `cp SOURCE DEST`, in a shell block or inline: the way the docs have an owner make a local file.
_COPY = re.compile(r"(?:^|`)(?:\$ )?cp (\S+) ([^\s`]+)", re.MULTILINE)


def _created() -> list[str]:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [match.group(2) for doc in docs
            for match in _COPY.finditer(doc.read_text(encoding="utf-8"))]


def test_the_docs_have_an_owner_create_files() -> None:
    assert "deploy/vars.production.yml" in _created() and ".env" in _created()


def test_each_file_the_docs_create_is_ignored_by_git() -> None:
    kept = [name for name in _created()
            if not cmd.run(["git", "check-ignore", "-q", "--no-index", name], cwd=ROOT,
                           check=False).ok]
    assert not kept, f"not ignored by git: {kept}"
