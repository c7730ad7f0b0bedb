"""Project facts read from pyproject.toml, so the noxfile hard-codes none of them."""

from __future__ import annotations

import functools
import shutil
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pipeline.core import cmd
from pipeline.core.paths import LOCK_DIR, ROOT, RUNTIME_LOCK


@functools.cache
def pyproject() -> dict[str, Any]:
    """Parse pyproject.toml once per process."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def setting(name: str) -> Any:
    """Return one key of [tool.pipeline], the pipeline's own settings."""
    return pyproject()["tool"]["pipeline"][name]


def tool(name: str) -> dict[str, Any]:
    """Return a tool's own table, e.g. [tool.pycodestyle]."""
    table: dict[str, Any] = pyproject()["tool"].get(name, {})
    return table


def name() -> str:
    """Return the service's name (PEP 621): its image, Cloud Foundry app and signing identity."""
    return str(pyproject()["project"]["name"])


def description() -> str:
    """Return the service's one-line description (PEP 621)."""
    return str(pyproject()["project"].get("description", ""))


def version() -> str:
    """Return the project version (PEP 621)."""
    return str(pyproject()["project"]["version"])


def groups() -> list[str]:
    """Name every dependency group, each exported to requirements/<group>.txt."""
    return list(pyproject()["dependency-groups"])


def shipped_files(exclude: Collection[Path] = ()) -> list[str]:
    """Every file git would ship: the tracked ones plus new files it does not ignore."""
    listed = cmd.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                     cwd=ROOT).stdout
    # An unmerged file is listed once per index stage: each name counts once.
    return [name for name in dict.fromkeys(listed.split("\0"))
            if name and (ROOT / name).is_file() and ROOT / name not in exclude]


def lock_exports() -> set[Path]:
    """The hashed requirements files `nox -s lock` writes from uv.lock.

    The secrets gate skips them (three quarters of its time, all hashes): uv.lock itself is
    scanned, and `nox -s lock -- --check` fails any export that differs from what uv writes.
    """
    return {lock_file(group) for group in ("runtime", *groups())}


def copy_tree(destination: Path) -> Path:
    """Copy the shipped files into a fresh directory, as a clean clone of this tree."""
    for name in shipped_files():
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
    return destination


def lock_file(group: str) -> Path:
    """Return the hashed requirements file for a dependency group, or for the runtime."""
    return RUNTIME_LOCK if group == "runtime" else LOCK_DIR / f"{group}.txt"
