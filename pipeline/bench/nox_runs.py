"""Pipeline benchmark: cold and warm `nox -s lint tests`, uv against virtualenv, same run.

"Cold" is a fresh CI runner: no session environments and empty package caches (each backend gets
its own new UV_CACHE_DIR and PIP_CACHE_DIR); "warm" is the next run with both filled. The tools'
own run time replays, directly, every command the warm run logged, so the gap between the two is
what nox and its installation checks cost.
"""

from __future__ import annotations

import os
import shlex
import subprocess  # nosec B404 - runs nox and the logged tool commands
import sys
import time
from pathlib import Path

from pipeline.core.project import copy_tree

SESSIONS = ("lint", "tests")
_NOT_COMMANDS = ("Running session", "Creating virtual environment", "Reusing existing",
                 "Session ", "Ran ", "* ", "uv pip install", "python -m pip install",
                 "pip install", "Missing interpreters")


def _nox(tree: Path, envdir: Path, backend: str, cache: Path) -> tuple[float, str]:
    argv = [sys.executable, "-m", "nox", "--noxfile", str(tree / "noxfile.py"),
            "--envdir", str(envdir), "-db", backend, "-s", *SESSIONS]
    env = {**os.environ, "NO_COLOR": "1", "UV_CACHE_DIR": str(cache / "uv"),
           "PIP_CACHE_DIR": str(cache / "pip")}
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=tree, capture_output=True, text=True,  # nosec B603
                            check=False, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"nox -db {backend} failed:\n{result.stderr[-2000:]}")
    return elapsed, result.stderr


def logged_commands(log: str, envdir: Path) -> list[tuple[Path, list[str]]]:
    """Each tool command a nox log shows, with the session environment it ran in."""
    commands: list[tuple[Path, list[str]]] = []
    venv = envdir
    for line in log.splitlines():
        if not line.startswith("nox > "):
            continue
        text = line.removeprefix("nox > ")
        if text.startswith("Running session "):
            name = text.removeprefix("Running session ").strip()
            venv = envdir / name.replace(".", "-")
        elif not text.startswith(_NOT_COMMANDS):
            commands.append((venv, shlex.split(text)))
    return commands


def tools_time(tree: Path, commands: list[tuple[Path, list[str]]]) -> float:
    """Run the logged commands directly, each with its venv first on PATH."""
    started = time.perf_counter()
    for venv, argv in commands:
        env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
               "COVERAGE_FILE": str(venv / ".coverage"), "VIRTUAL_ENV": str(venv)}
        subprocess.run(argv, cwd=tree, env=env, capture_output=True,  # nosec B603
                       check=True)
    return time.perf_counter() - started


def measure(workdir: Path) -> dict[str, float]:
    """Time cold and warm runs on both backends, and the tools alone."""
    tree = copy_tree(workdir / "tree")
    figures: dict[str, float] = {}
    warm_log = ""
    for backend in ("uv", "virtualenv"):
        envdir, cache = workdir / f"envs-{backend}", workdir / f"cache-{backend}"
        figures[f"cold_{backend}_s"], _ = _nox(tree, envdir, backend, cache)
        figures[f"warm_{backend}_s"], log = _nox(tree, envdir, backend, cache)
        if backend == "uv":
            warm_log = log
    figures["tools_s"] = tools_time(tree, logged_commands(warm_log, workdir / "envs-uv"))
    figures["cold_speedup"] = figures["cold_virtualenv_s"] / figures["cold_uv_s"]
    figures["warm_overhead"] = figures["warm_uv_s"] / figures["tools_s"]
    return figures
