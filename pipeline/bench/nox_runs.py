"""Pipeline benchmark: cold and warm plain `nox` against the tools' own CPU time, in one run.

"Cold" is a fresh clone on a fresh runner: a committed copy of the tree, no session environments
and empty package caches (a new UV_CACHE_DIR and PIP_CACHE_DIR). "Warm" is the next run. The
tools' own time replays, directly and one after another, every command the warm run logged, each
in the environment nox made for it: the gap between that and the run is what nox, installing and
waiting cost; the CPU figures come from the kernel's accounting of the child processes.
"""

from __future__ import annotations

import os
import resource
import shlex
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import cmd
from pipeline.core.paths import ROOT
from pipeline.core.project import copy_tree

_NOT_COMMANDS = ("Running session", "Creating virtual environment", "Reusing existing",
                 "Session ", "Ran ", "* ", "uv pip install", "python -m pip install",
                 "pip install", "Missing interpreters", "requirements unchanged", "Python ")


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds, CPU seconds of every child process, and the exit code."""

    wall_s: float
    cpu_s: float
    returncode: int = 0
    output: str = ""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Timing:
    """Run one command to its end; measure its wall time and its (and its children's) CPU."""
    cpu, started = _children_cpu(), time.perf_counter()
    result = cmd.run(argv, cwd=cwd, env=env, check=False)
    return Timing(time.perf_counter() - started, _children_cpu() - cpu, result.returncode,
                  result.stdout + result.stderr)


def plain_nox(tree: Path, envdir: Path, cache: Path) -> Timing:
    """Plain `nox` on the tree, as a user types it, with its own environments and caches."""
    argv = [sys.executable, "-m", "nox", "--noxfile", str(tree / "noxfile.py"),
            "--envdir", str(envdir)]
    return timed(argv, tree, {"NO_COLOR": "1", "UV_CACHE_DIR": str(cache / "uv"),
                              "PIP_CACHE_DIR": str(cache / "pip")})


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


def tools_time(tree: Path, commands: list[tuple[Path, list[str]]]) -> Timing:
    """Run the logged commands directly, one at a time, each with its venv first on PATH."""
    wall = cpu = 0.0
    worst = 0
    for venv, argv in commands:
        env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
               "COVERAGE_FILE": str(venv / ".coverage"), "VIRTUAL_ENV": str(venv)}
        timing = timed(argv, tree, env)
        wall, cpu, worst = wall + timing.wall_s, cpu + timing.cpu_s, max(worst, timing.returncode)
    return Timing(wall, cpu, worst)


def _committed(tree: Path) -> Path:
    for argv in (["git", "init", "-q"], ["git", "add", "-A"],
                 ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit",
                  "-q", "-m", "bench"]):
        cmd.run(argv, cwd=tree)
    return tree


def _fresh_clone(workdir: Path) -> Path:
    return _committed(copy_tree(workdir / "tree"))


def _clone_of(reference: str, workdir: Path) -> Path:
    """The tree at a git reference (a commit before a change), as a fresh clone of its own."""
    tree = workdir / "reference"
    tree.mkdir()
    archive = tree / "tree.tar"
    cmd.run(["git", "archive", "--format=tar", f"--output={archive}", reference], cwd=ROOT)
    cmd.run(["tar", "-xf", str(archive)], cwd=tree)
    archive.unlink()
    return _committed(tree)


def measure(workdir: Path, reference: str | None = None) -> dict[str, Any]:
    """Time a cold and a warm plain `nox`, then the tools alone, in the same run.

    With `reference` (a git commit), that tree is timed the same way beside this one, its warm
    runs taking turns with this tree's, so a before and an after share the machine's noise.
    """
    tree = _fresh_clone(workdir)
    envdir, cache = workdir / "envs", workdir / "cache"
    cold = plain_nox(tree, envdir, cache)
    figures: dict[str, Any] = {"cold_s": cold.wall_s, "cold_cpu_s": cold.cpu_s}
    warm = [plain_nox(tree, envdir, cache)]
    if reference:
        before = _clone_of(reference, workdir)
        before_envs = workdir / "reference-envs"
        before_cold = plain_nox(before, before_envs, cache)
        before_warm = [plain_nox(before, before_envs, cache)]
        warm.append(plain_nox(tree, envdir, cache))
        before_warm.append(plain_nox(before, before_envs, cache))
        figures.update({
            "reference": reference, "ref_cold_s": before_cold.wall_s,
            "ref_cold_cpu_s": before_cold.cpu_s,
            "ref_warm_s": statistics.median(t.wall_s for t in before_warm),
            "ref_warm_cpu_s": statistics.median(t.cpu_s for t in before_warm),
            "ref_warm_rounds": [round(t.wall_s, 1) for t in before_warm]})
    tools = tools_time(tree, logged_commands(warm[-1].output, envdir))
    figures.update({
        "warm_s": statistics.median(t.wall_s for t in warm),
        "warm_cpu_s": statistics.median(t.cpu_s for t in warm),
        "warm_rounds": [round(t.wall_s, 1) for t in warm],
        "tools_s": tools.wall_s, "tools_cpu_s": tools.cpu_s,
        "warm_exit": max(t.returncode for t in warm), "cores": float(os.cpu_count() or 1),
    })
    return figures
