"""Workflow rules zizmor and actionlint do not check: version comments, timeouts, scopes, deploys.

zizmor (`nox -s workflows`) owns what it audits: unpinned-uses (every action by SHA, see
.github/zizmor.yml), artipacked (persisted checkout credentials), excessive-permissions and
template-injection. What is left here is house style zizmor's default persona does not report.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

REMOTE_USES = re.compile(r"^\s*-?\s*uses:\s*(?P<ref>[^\s#]+)(?P<comment>\s*#.*)?$")
SHA_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*")


def _uses_problems(path: Path) -> list[str]:
    """A SHA says nothing to a reader or to Dependabot's PR text: it needs its `# vX.Y.Z`."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = REMOTE_USES.match(line)
        if match and SHA_PINNED.match(match["ref"]) and not VERSION_COMMENT.search(
                match["comment"] or ""):
            problems.append(f"{path}:{number}: {match['ref']} needs a `# vX.Y.Z` comment")
    return problems


def _job_problems(path: Path, workflow: dict[str, Any]) -> list[str]:
    """Least privilege, no six-hour default timeout, and no deploy cut off by a newer push."""
    problems = []
    if workflow.get("permissions") != {}:
        problems.append(f"{path}: top-level `permissions: {{}}` is required")
    for name, job in workflow.get("jobs", {}).items():
        if "timeout-minutes" not in job:
            problems.append(f"{path}: job {name} has no timeout-minutes")
        if "permissions" not in job:
            problems.append(f"{path}: job {name} has no permissions of its own")
        if "environment" in job and not _never_cancelled(job):
            problems.append(f"{path}: job {name} uses an environment but may be cut off: give it "
                            "`concurrency: {group: ..., cancel-in-progress: false}`")
    return problems


def _never_cancelled(job: dict[str, Any]) -> bool:
    """A deploy or a check of production runs in a group of its own that waits, never cancels."""
    concurrency = job.get("concurrency")
    return isinstance(concurrency, dict) and concurrency.get("cancel-in-progress") is False


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
