"""Fail on what an update could not merge: conflict markers and `.rej` files.

`copier update` merges the template's changes into a service; where it cannot, it leaves
conflict markers in the file (the default) or the rejected hunks in FILE.rej (`--conflict rej`).
Either must stop the pipeline, so neither can ever be committed by accident. The markers are
found by pre-commit-hooks' `check-merge-conflict` (the hook pre-commit runs too), told to look
even outside a git merge, which is how copier leaves them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.core import cmd, project


def rejected(names: list[str]) -> list[str]:
    """The `.rej` files among the shipped files."""
    return [name for name in names if name.endswith(".rej")]


def main() -> int:
    """Check every shipped file; exit 1 naming each conflict left behind."""
    names = project.shipped_files()
    problems = [f"{name}: hunks an update could not merge; apply them by hand, then delete it"
                for name in rejected(names)]
    checker = Path(sys.executable).with_name("check-merge-conflict")
    markers = cmd.run([str(checker), "--assume-in-merge", *names], check=False)
    problems += markers.stdout.strip().splitlines()
    for line in problems:
        print(f"conflicts: {line}", file=sys.stderr)
    if not problems:
        print(f"conflicts: none in {len(names)} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
