"""Which nox sessions GitHub runs before it deploys, against the sessions plain `nox` runs.

Plain `nox` is the pipeline's definition of "the checks pass" (nox.options.sessions in
noxfile.py, parametrised ones on every Python of [tool.pipeline] pythons). ci.yml must run each
of them, and fuzz against the pushed image, in a job the deploy job waits for; otherwise a
defect plain `nox` fails (a type error: mypy) would pass a pull request and reach production.
Read without running nox: the noxfile's AST and the workflow's YAML.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from pipeline.core import project

_MATRIX = re.compile(r"\$\{\{\s*matrix\.(\w+)\s*\}\}")


def plain_sessions(noxfile: Path) -> list[str]:
    """The sessions plain `nox` runs, each parametrised one once per supported Python."""
    tree = ast.parse(noxfile.read_text(encoding="utf-8"))
    listed: list[str] = []
    parametrised: set[str] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.List)
                and ast.unparse(node.targets[0]) == "nox.options.sessions"):
            # The literal list, with every Python of `tests`: GitHub runs all of them even
            # where plain nox narrows them to fewer.
            listed = [str(ast.literal_eval(item)) for item in node.value.elts]
        if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and any(k.arg == "python" for k in d.keywords)
                for d in node.decorator_list):
            parametrised.add(node.name)
    pythons = [str(p) for p in project.setting("pythons")]
    return [session for name in listed
            for session in ([f"{name}-{p}" for p in pythons] if name in parametrised else [name])]


def _expanded(run: str, matrix: Mapping[str, Any]) -> Iterator[str]:
    """Each command line of a step, once per value of the matrix variables it names."""
    for line in run.splitlines():
        names = set(_MATRIX.findall(line))
        values = [str(v) for v in matrix.get(sorted(names)[0], [])] if names else [""]
        for value in values:
            yield _MATRIX.sub(value, line)


SHELL = {"|", "||", "&&", ";", "2>&1", ">", ">>"}  # where one command of a line ends
SESSION_FLAGS = {"-s", "--session", "--sessions"}


def nox_calls(line: str) -> Iterator[tuple[str, list[str]]]:
    """The sessions one shell line runs with nox, each with the arguments after `--`."""
    try:
        words = shlex.split(line)
    except ValueError:
        return
    for start, word in enumerate(words):
        if word != "nox":
            continue
        rest = words[start + 1:]
        rest = rest[:next((i for i, arg in enumerate(rest) if arg in SHELL), len(rest))]
        options, posargs = (rest[:rest.index("--")], rest[rest.index("--") + 1:]) \
            if "--" in rest else (rest, [])
        taking, sessions = False, []
        for arg in options:
            if arg.startswith("-"):
                taking = arg in SESSION_FLAGS
            elif taking:
                sessions.append(arg)
        yield from ((session, posargs) for session in sessions)


def calls_before(workflow: Path, job: str) -> dict[str, list[list[str]]]:
    """Every nox session the jobs `job` waits for (transitively) run, with its arguments."""
    jobs: dict[str, Any] = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]
    found: dict[str, list[list[str]]] = {}
    for name in _ancestors(jobs, job):
        matrix = (jobs[name].get("strategy") or {}).get("matrix") or {}
        for step in jobs[name].get("steps", []):
            for line in _expanded(str(step.get("run", "")), matrix):
                for session, posargs in nox_calls(line):
                    found.setdefault(session, []).append(posargs)
    return found


def _ancestors(jobs: Mapping[str, Any], job: str) -> set[str]:
    needs = jobs[job].get("needs", [])
    direct = [needs] if isinstance(needs, str) else list(needs)
    found = set(direct)
    for need in direct:
        found |= _ancestors(jobs, need)
    return found


def missing(noxfile: Path, workflow: Path, job: str = "deploy") -> list[str]:
    """What plain `nox` runs, or fuzzing the pushed image, that GitHub does not before `job`."""
    called = calls_before(workflow, job)
    problems = [f"{workflow.name}: `nox -s {session}` (plain nox runs it) does not run before "
                f"job {job}" for session in plain_sessions(noxfile) if session not in called]
    if not any("--url" in posargs for posargs in called.get("fuzz", [])):
        problems.append(f"{workflow.name}: `nox -s fuzz -- --url <the pushed image>` does not "
                        f"run before job {job}")
    return problems
