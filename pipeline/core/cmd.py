"""The one way pipeline/ runs an external command: argv lists, no shell, stdout and stderr apart.

Secrets travel in `env` or on `stdin`, never in argv, and the log line shows argv only. Tests swap
the runner with `using()` to record every call without starting a process.
"""

from __future__ import annotations

import os
import shlex
import subprocess  # nosec B404 - the single place pipeline/ starts processes; argv lists only
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """What to run: argv plus the environment additions, stdin text and working directory."""

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: str | None = field(default=None, repr=False)
    cwd: Path | None = None
    timeout: float | None = None

    def __str__(self) -> str:
        return shlex.join(self.argv)


@dataclass(frozen=True)
class Result:
    """How it ended: the exit code and, kept apart, what it wrote to stdout and stderr."""

    command: Command
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """Tell whether the command exited 0."""
        return self.returncode == 0


class CommandFailed(RuntimeError):
    """A command exited non-zero; the message names it and its last line of stderr."""

    def __init__(self, result: Result) -> None:
        last = (result.stderr.strip().splitlines() or [""])[-1][:300]
        name = " ".join(result.command.argv[:2])
        super().__init__(f"`{name}` exited {result.returncode}" + (f": {last}" if last else ""))
        self.result = result


Runner = Callable[[Command], Result]


def subprocess_runner(command: Command) -> Result:
    """Start the process for real; a missing program is exit 127, as a shell would say."""
    try:
        completed = subprocess.run(  # nosec B603 - argv list, no shell
            command.argv, input=command.stdin, capture_output=True, text=True, check=False,
            env={**os.environ, **command.env}, cwd=command.cwd, timeout=command.timeout,
        )
    except FileNotFoundError:
        return Result(command, 127, "", f"{command.argv[0]}: command not found")
    return Result(command, completed.returncode, completed.stdout, completed.stderr)


_RUNNER: ContextVar[Runner] = ContextVar("runner", default=subprocess_runner)


@contextmanager
def using(runner: Runner) -> Iterator[Runner]:
    """Send every `run` in this block to `runner` (tests record calls this way)."""
    token = _RUNNER.set(runner)
    try:
        yield runner
    finally:
        _RUNNER.reset(token)


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    check: bool = True,
) -> Result:
    """Run one command; raise CommandFailed on a non-zero exit unless `check` is False."""
    command = Command(tuple(os.fspath(arg) for arg in argv), dict(env or {}), stdin, cwd, timeout)
    result = _RUNNER.get()(command)
    if check and not result.ok:
        raise CommandFailed(result)
    return result


def output(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> str:
    """Run one command that must exit 0 and return its stdout, stripped."""
    return run(argv, env=env, cwd=cwd, timeout=timeout).stdout.strip()
