"""Every file naming a Python version against the one place that decides it, [tool.pipeline].

`pythons` (oldest first) and `runtime-python` there decide; the files below cannot read them (a
Dockerfile, Cloud Foundry's runtime.txt, GitHub's workflow syntax, package metadata, the docs),
so each says it again and this module lists every one that disagrees. The pipeline's own code reads
pyproject.toml and needs no check. A new version: change pyproject.toml, then each file named.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (3\.\d+)$")
_BASE = re.compile(r"^FROM\s+python:(3\.\d+)-slim-(\w+)@sha256:[0-9a-f]{64}\s+AS\s+official-base",
                   re.MULTILINE)
_RUNTIME_TXT = re.compile(r"^python-(3\.\d+)\.x$")
_MATRIX = re.compile(r"^\s+python: \[([^\]]*)\]", re.MULTILINE)
_SETUP_DEFAULT = re.compile(r"python-version:\n(?:\s+description:.*\n)\s+default: \"(3\.\d+)\"")
_QUOTED = re.compile(r"\"(3\.\d+)\"")
# What prose says of the runtime (an image tag, a runtime.txt line) and of the supported range.
_RUNTIME_IN_PROSE = re.compile(r"python:(3\.\d+)-slim|local/python:(3\.\d+)-|python-(3\.\d+)\.x")
_RANGE_IN_PROSE = re.compile(r"Python (3\.\d+) to (3\.\d+)")


def _pyproject(root: Path) -> dict[str, Any]:
    with (root / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def _read(root: Path, name: str) -> str:
    path = root / name
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _metadata(root: Path, pythons: list[str], runtime: str) -> list[str]:
    del runtime  # the metadata names what is supported, not what ships
    data = _pyproject(root)
    project, tool = data["project"], data["tool"]
    found = []
    if project.get("requires-python") != f">={pythons[0]}":
        found.append(f"pyproject.toml requires-python is {project.get('requires-python')!r}, "
                     f"not '>={pythons[0]}'")
    listed = [m.group(1) for c in project.get("classifiers", []) if (m := _CLASSIFIER.match(c))]
    if listed != pythons:
        found.append(f"pyproject.toml classifiers name {listed}, not {pythons}")
    if tool.get("mypy", {}).get("python_version") != pythons[0]:
        found.append(f"[tool.mypy] python_version is not the oldest, {pythons[0]}")
    return found


def _image(root: Path, pythons: list[str], runtime: str) -> list[str]:
    del pythons
    base = _BASE.search(_read(root, "Dockerfile"))
    if base is None:
        return ["Dockerfile: no `FROM python:X.Y-slim-SUITE@sha256:... AS official-base` line"]
    if base.group(1) != runtime:
        return [f"Dockerfile's official base runs Python {base.group(1)}, not {runtime}"]
    return []


def _cloud_foundry(root: Path, pythons: list[str], runtime: str) -> list[str]:
    del pythons
    text = _read(root, "runtime.txt").strip()
    match = _RUNTIME_TXT.match(text)
    if match is None or match.group(1) != runtime:
        return [f"runtime.txt asks for {text!r}, not 'python-{runtime}.x'"]
    return []


def _github(root: Path, pythons: list[str], runtime: str) -> list[str]:
    del runtime
    found = []
    matrix = _MATRIX.search(_read(root, ".github/workflows/ci.yml"))
    listed = _QUOTED.findall(matrix.group(1)) if matrix else []
    if listed != pythons:
        found.append(f".github/workflows/ci.yml's tests matrix names {listed}, not {pythons}")
    default = _SETUP_DEFAULT.search(_read(root, ".github/actions/setup-nox/action.yml"))
    if default is None or default.group(1) != pythons[0]:
        found.append(f".github/actions/setup-nox's python-version default is not {pythons[0]}")
    return found


def _docs(root: Path, pythons: list[str], runtime: str) -> list[str]:
    found = []
    for path in sorted([root / "README.md", *(root / "docs").glob("*.md")]):
        text = _read(root, str(path.relative_to(root)))
        said = {v for match in _RUNTIME_IN_PROSE.finditer(text) for v in match.groups() if v}
        found += [f"{path.relative_to(root)} names runtime Python {v}, not {runtime}"
                  for v in sorted(said - {runtime})]
        ranges = {match.groups() for match in _RANGE_IN_PROSE.finditer(text)}
        found += [f"{path.relative_to(root)} says Python {low} to {high}, not "
                  f"{pythons[0]} to {pythons[-1]}"
                  for low, high in sorted(ranges - {(pythons[0], pythons[-1])})]
    return found


CHECKS: tuple[Callable[[Path, list[str], str], list[str]], ...] = (
    _metadata, _image, _cloud_foundry, _github, _docs)


def disagreements(root: Path) -> list[str]:
    """One line for each file that names another Python than [tool.pipeline] decides."""
    settings = _pyproject(root)["tool"]
    pythons = list(settings["pipeline"]["pythons"])
    runtime = str(settings["pipeline"]["runtime-python"])
    found = [] if runtime in pythons else [f"runtime-python {runtime} is not in pythons"]
    for check in CHECKS:
        found += check(root, pythons, runtime)
    return found
