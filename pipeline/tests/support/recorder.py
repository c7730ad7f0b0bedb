"""A runner for pipeline.core.cmd that records each command and answers from a script."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.core.cmd import Command, Result

# Given a command, return (exit code, stdout, stderr).
Answer = Callable[[Command], tuple[int, str, str]]


def succeed(_command: Command) -> tuple[int, str, str]:
    """Answer every command with exit 0 and no output."""
    return 0, "", ""


@dataclass
class Recorder:
    """Install with `cmd.using(recorder)`; `calls` lists every command in order."""

    answer: Answer = succeed
    calls: list[Command] = field(default_factory=list)

    def __call__(self, command: Command) -> Result:
        self.calls.append(command)
        code, stdout, stderr = self.answer(command)
        return Result(command, code, stdout, stderr)

    def argvs(self) -> list[list[str]]:
        """Every recorded argv, as lists, for compact assertions."""
        return [list(command.argv) for command in self.calls]
