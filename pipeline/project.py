"""Project facts read from pyproject.toml, so the noxfile hard-codes none of them."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCK_DIR = ROOT / "requirements"
RUNTIME_LOCK = ROOT / "requirements.txt"


@functools.cache
def pyproject() -> dict[str, Any]:
    """Parse pyproject.toml once per process."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def setting(name: str) -> Any:
    """Return one key of [tool.echo-pipeline]."""
    return pyproject()["tool"]["echo-pipeline"][name]


def tool(name: str) -> dict[str, Any]:
    """Return a tool's own table, e.g. [tool.pycodestyle]."""
    return pyproject()["tool"].get(name, {})


def version() -> str:
    """Return the project version (PEP 621)."""
    return pyproject()["project"]["version"]


def groups() -> list[str]:
    """Name every dependency group, each exported to requirements/<group>.txt."""
    return list(pyproject()["dependency-groups"])


def lock_file(group: str) -> Path:
    """Return the hashed requirements file for a dependency group, or for the runtime."""
    return RUNTIME_LOCK if group == "runtime" else LOCK_DIR / f"{group}.txt"
