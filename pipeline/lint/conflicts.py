"""Fail on what an update could not merge: conflict markers and `.rej` files.

`copier update` merges the template's changes into a service; where it cannot, it leaves
conflict markers in the file (the default) or the rejected hunks in FILE.rej (`--conflict rej`).
Either must stop the pipeline before anything else reads the file: the noxfile calls `stop()`
as it loads, before it parses pyproject.toml, so the first failure after an update names each
conflict whatever file it is in. Standard library only, since it runs in nox's own process: the
markers are the lines that open and close a conflict, as pre-commit-hooks' `check-merge-conflict`
matches them (its CONFLICT_PATTERNS; the pre-commit hook of that name still runs on each commit).
Its `=======` is left out here: a Markdown or reST heading underline may be exactly that.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.core import cmd, project
from pipeline.core.paths import ROOT

MARKER = re.compile(rb"^(?:<<<<<<<|>>>>>>>) ", re.MULTILINE)
LISTED = 10  # more than this many lines, and the rest is a count
FIX = "merge each by hand (keep what both sides meant), then run nox again"
# Runs where nox cannot load (a conflicted pyproject.toml): the standard library and git only.
LIST_ALL = "python3 -m pipeline.lint.conflicts"
NEWLINE = b"\n"


def rejected(names: Sequence[str]) -> list[str]:
    """The `.rej` files among the shipped files."""
    return [name for name in names if name.endswith(".rej")]


def markers(names: Sequence[str], root: Path | None = None) -> list[str]:
    """`FILE:LINE` of every conflict marker in the named files (under this tree by default)."""
    found = []
    for name in names:
        try:
            data = ((root or ROOT) / name).read_bytes()
        except OSError:  # listed by git, gone since: nothing left to merge there
            continue
        found += [f"{name}:{data.count(NEWLINE, 0, match.start()) + 1}"
                  for match in MARKER.finditer(data)]
    return found


def problems(names: Sequence[str], root: Path | None = None) -> list[str]:
    """One line per conflict an update left: each marker, then each `.rej` file."""
    return ([f"{place}: conflict marker an update left" for place in markers(names, root)]
            + [f"{name}: hunks an update could not merge; apply them by hand, then delete it"
               for name in rejected(names)])


def report(found: Sequence[str]) -> str:
    """The lines `nox` stops with: the first conflicts by file and line, and what to do."""
    lines = [f"conflicts: {line}" for line in found[:LISTED]]
    if len(found) > LISTED:
        lines.append(f"conflicts: ... and {len(found) - LISTED} more")
    lines.append(f"nox stops: {len(found)} conflict(s) an update left; {FIX} "
                 f"(`{LIST_ALL}` lists them all)")
    return "\n".join(lines)


def stop() -> None:
    """Exit before anything parses a file an update left unmerged (the noxfile, as it loads)."""
    try:
        names = project.shipped_files()
    except cmd.CommandFailed:
        return  # not a git checkout (an exported tree): no update can have left anything here
    found = problems(names)
    if found:
        raise SystemExit(report(found))


def main() -> int:
    """Check every shipped file; exit 1 naming each conflict left behind."""
    names = project.shipped_files()
    found = problems(names)
    for line in found:
        print(f"conflicts: {line}", file=sys.stderr)
    if found:
        print(f"To fix: {FIX}", file=sys.stderr)
    else:
        print(f"conflicts: none in {len(names)} files")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
