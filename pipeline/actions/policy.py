"""Hardening rules for the GitHub Actions files that actionlint and the schemas do not check."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REMOTE_USES = re.compile(r"^\s*-?\s*uses:\s*(?P<ref>[^\s#]+)(?P<comment>\s*#.*)?$")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*")


def _uses_problems(path: Path) -> list[str]:
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = REMOTE_USES.match(line)
        if not match or match["ref"].startswith(("./", "docker://")):
            continue
        if not PINNED.match(match["ref"]):
            problems.append(f"{path}:{number}: {match['ref']} is not pinned to a full commit SHA")
        elif not VERSION_COMMENT.search(match["comment"] or ""):
            problems.append(f"{path}:{number}: {match['ref']} needs a `# vX.Y.Z` comment")
    return problems


def _job_problems(path: Path, workflow: dict) -> list[str]:
    problems = []
    if workflow.get("permissions") != {}:
        problems.append(f"{path}: top-level `permissions: {{}}` is required")
    for name, job in workflow.get("jobs", {}).items():
        if "timeout-minutes" not in job:
            problems.append(f"{path}: job {name} has no timeout-minutes")
        if "permissions" not in job:
            problems.append(f"{path}: job {name} has no permissions of its own")
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@") and (
                step.get("with", {}).get("persist-credentials") is not False
            ):
                problems.append(f"{path}: job {name} checks out with persisted credentials")
    return problems


def problems(paths: list[Path]) -> list[str]:
    """List every rule each workflow or action file breaks."""
    found = []
    for path in paths:
        found += _uses_problems(path)
        if path.parent.name == "workflows":
            found += _job_problems(path, yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def main(argv: list[str]) -> int:
    """Print each problem; exit 1 when there is one."""
    found = problems([Path(arg) for arg in argv])
    print("\n".join(found) or f"workflow policy: {len(argv)} file(s) comply")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
