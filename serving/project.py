"""The service's name, version and description, written once: in pyproject.toml's [project].

The image and a Cloud Foundry push carry pyproject.toml beside serving/, and the pipeline is not
shipped with the service, so the stack reads the file itself (stdlib tomllib).
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import NamedTuple

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
API_PACKAGE = "app"  # where the stack finds the API it serves


class Project(NamedTuple):
    """The facts the served contract and the logs carry."""

    name: str
    version: str
    description: str


@functools.cache
def project(path: Path = PYPROJECT) -> Project:
    """Read [project] once per process."""
    with path.open("rb") as handle:
        table = tomllib.load(handle)["project"]
    return Project(str(table["name"]), str(table["version"]), str(table.get("description", "")))
