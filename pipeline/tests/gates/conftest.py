"""The `tree` fixture: a committed copy of the working tree for each gate test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.project import copy_tree
from pipeline.deploy import app_secrets
from pipeline.tests.support.tree import Tree


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    """A committed copy of the working tree, as act and the gates need it."""
    tree_ = Tree(copy_tree(tmp_path / "repo"))
    tree_.run("git", "init", "-q")
    tree_.commit("copy of the working tree")
    return tree_


@pytest.fixture(autouse=True, scope="session")
def api_secrets() -> Iterator[None]:
    """The API's secrets, made up for this run where the environment has none: the gates serve
    and deploy in Production, which refuses to start without those it requires."""
    patch = pytest.MonkeyPatch()
    for name in app_secrets.declared()[0]:
        if not os.environ.get(name):
            patch.setenv(name, secrets.token_urlsafe(24))
    yield
    patch.undo()
