"""The `tree` fixture: a committed copy of the working tree for each gate test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.project import copy_tree
from pipeline.tests.support.tree import Tree


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    """A committed copy of the working tree, as act and the gates need it."""
    tree_ = Tree(copy_tree(tmp_path / "repo"))
    tree_.run("git", "init", "-q")
    tree_.commit("copy of the working tree")
    return tree_
