"""A throwaway copy of the repository in which a gate test plants one defect and runs a gate."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.paths import ROOT

Completed = subprocess.CompletedProcess[str]


def _environment(changes: Mapping[str, str | None] | None) -> dict[str, str]:
    """This process's environment with `changes` applied; None unsets a variable (say CI)."""
    env = dict(os.environ)
    for name, value in (changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@dataclass
class Tree:
    """A copy of the project whose gates run with the real nox and the shared environments."""

    path: Path

    def plant(self, relative: str, text: str, append: bool = True) -> Path:
        """Write (or append) a defect into a file of the copy."""
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        before = target.read_text(encoding="utf-8") if append and target.exists() else ""
        target.write_text(before + text, encoding="utf-8")
        return target

    def nox(self, *args: str, env: Mapping[str, str | None] | None = None) -> Completed:
        """Run nox on the copy, reusing the real tree's environments so only the gate runs."""
        return subprocess.run(  # nosec B603
            [sys.executable, "-m", "nox", "--noxfile", str(self.path / "noxfile.py"),
             "--envdir", str(ROOT / ".nox"), "--reuse-existing-virtualenvs", *args],
            cwd=self.path, capture_output=True, text=True, timeout=900, check=False,
            env=_environment(env),
        )

    def commit(self, message: str) -> None:
        """Commit everything, as the jobs act runs check the commit out."""
        self.run("git", "add", "-A")
        result = self.run("git", "-c", "user.name=gates", "-c", "user.email=gates@localhost",
                          "commit", "-q", "--allow-empty", "-m", message)
        assert result.returncode == 0, result.stderr

    def run(self, *argv: str, env: Mapping[str, str | None] | None = None) -> Completed:
        """Run any command inside the copy."""
        return subprocess.run(  # nosec B603
            list(argv), cwd=self.path, capture_output=True, text=True, timeout=900, check=False,
            env=_environment(env),
        )


def failed(result: Completed) -> str:
    """Return the combined output of a run that must have failed, asserting it did."""
    output = f"{result.stdout}{result.stderr}"
    assert result.returncode != 0, output[-3000:]
    return output


def passed(result: Completed) -> str:
    """Return the combined output of a run that must have passed, asserting it did."""
    output = f"{result.stdout}{result.stderr}"
    assert result.returncode == 0, output[-3000:]
    return output
