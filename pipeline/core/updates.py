"""What `nox -s update` needs around `copier update`: a clean tree, the versions, their notes.

Standard library and git only: the update session runs these in nox's own process.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.core import cmd
from pipeline.core.paths import ANSWERS_FILE, ROOT

CHANGELOG = ROOT / "CHANGELOG.md"
SHOWN = 5  # dirty files named in the one-line refusal; the rest are a count
UNRELEASED = "Unreleased"
# Keep a Changelog's version headings: `## [2.1.0] - 2026-12-06`, `## [Unreleased]`.
_HEADING = re.compile(r"^## \[([^\]]+)\]", re.MULTILINE)


def dirty_files(root: Path = ROOT) -> list[str]:
    """Files with uncommitted changes or untracked, as `git status --porcelain` names them."""
    status = cmd.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root).stdout
    return [line[3:] for line in status.splitlines() if line.strip()]


def refusal(dirty: list[str]) -> str:
    """One line: which files keep the update from starting, and what to do about them."""
    shown = ", ".join(dirty[:SHOWN]) + (f" and {len(dirty) - SHOWN} more" if len(dirty) > SHOWN
                                        else "")
    return (f"update: {len(dirty)} file(s) not committed ({shown}): commit them, or set them "
            "aside with `git stash -u`, then run `nox -s update` again (a local file the docs "
            "have you create belongs in .gitignore)")


def template_version(answers: Path = ANSWERS_FILE) -> str:
    """The template version the service is at (copier's `_commit` in the answers file)."""
    found = re.search(r"^_commit: *['\"]?([^'\"\s]+)", answers.read_text(encoding="utf-8"),
                      re.MULTILINE)
    return found.group(1) if found else ""


def _release(version: str) -> tuple[int, ...]:
    """A version's release numbers: v2.1.0 and 2.1.0 are (2, 1, 0); a describe suffix is cut."""
    release = re.match(r"v?(\d+(?:\.\d+)*)", version)
    return tuple(int(part) for part in release.group(1).split(".")) if release else ()


def notes(changelog: str, since: str, until: str) -> str:
    """The changelog's entries after version `since` up to `until`, newest first.

    Past a release (`until` is a commit after a tag, or a version the changelog lacks), every
    newer entry counts, the Unreleased one included.
    """
    if since == until:
        return ""
    starts = [(match.start(), match.group(1)) for match in _HEADING.finditer(changelog)]
    past_last = (not re.fullmatch(r"v?\d+(?:\.\d+)*", until)  # git describe: past a tag
                 or _release(until) not in {_release(name) for _, name in starts})
    wanted = []
    for index, (start, name) in enumerate(starts):
        if name == UNRELEASED:
            keep = past_last
        else:
            reached = past_last or _release(name) <= _release(until)
            keep = _release(since) < _release(name) and reached
        if keep:
            end = starts[index + 1][0] if index + 1 < len(starts) else len(changelog)
            wanted.append(changelog[start:end].strip())
    return "\n\n".join(wanted)
