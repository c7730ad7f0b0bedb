"""Run GitHub Actions jobs locally with act, offline: stand-ins for every remote action."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.core.paths import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"

_USES = re.compile(r"uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40})\b")
STAND_IN = """\
name: offline stand-in
description: act clones every action a job names, even skipped ones; this one does nothing.
runs:
  using: composite
  steps: []
"""


def remote_actions(files: list[Path] | None = None) -> set[tuple[str, str]]:
    """Every `owner/repo@sha` the workflows and local actions use."""
    files = files if files is not None else sorted((ROOT / ".github").glob("**/*.yml"))
    found: set[tuple[str, str]] = set()
    for path in files:
        found.update(_USES.findall(path.read_text(encoding="utf-8")))
    return found


def stand_ins(directory: Path) -> list[str]:
    """Write one stand-in per remote action; return act's --local-repository options."""
    options = []
    for repository, sha in sorted(remote_actions()):
        target = directory / repository.replace("/", "__") / sha
        target.mkdir(parents=True, exist_ok=True)
        (target / "action.yml").write_text(STAND_IN, encoding="utf-8")
        options += ["--local-repository", f"{repository}@{sha}={target}"]
    return options


def command(job: str, stand_in_options: list[str], workflow: Path = WORKFLOW) -> list[str]:
    """`act push` for one job on this machine (no job container), offline."""
    return ["act", "push", "--workflows", str(workflow), "--job", job,
            "--platform", "ubuntu-latest=-self-hosted", "--action-offline-mode",
            *stand_in_options]
