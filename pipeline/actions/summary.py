"""Markdown for GitHub's job summary: each gate's result and the figure it is judged by.

Usage: python3 -m pipeline.actions.summary GATE OUTCOME LOG...  (stdlib only: it runs before any
venv). The figure comes from the first log; for `update`, the second (the conflict check's) lists
what did not merge.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pipeline.container.images import docker_output
from pipeline.core import project
from pipeline.core.paths import IMAGE_REF_FILE

# The workflows set FORCE_COLOR, so logs carry colour codes around the figures.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FIGURES = {
    "lint": (r"rated at (\d+\.\d+/10)", "pylint score"),
    "tests": (r"^TOTAL\s.*?(\d+(?:\.\d+)?%)\s*$", "coverage (app / pipeline)"),
    "bandit": (r"No issues identified|Total issues \(by severity\)", "bandit"),
    "deploy": (r"canary passed at (\S+)", "deployed URL"),
    "canary": (r"(\d+ passed)", "canary checks"),
    "audit": (r"(No known vulnerabilities found|Found \d+ known vulnerabilit[^\n]*)", "advisories"),
    "update": (r"(?:Updating to|Keeping) template version (\S+)", "template version"),
}
_CONFLICT = re.compile(r"^conflicts: (.+)$", re.MULTILINE)


def figure(gate: str, log: str) -> str | None:
    """Pull the gate's headline figure out of its log; None when the log has none."""
    if gate == "docker":
        return _image_figure()
    pattern, _ = _FIGURES.get(gate, ("", ""))
    found = re.findall(pattern, _ANSI.sub("", log), flags=re.MULTILINE) if pattern else []
    if gate == "tests":
        return " / ".join(found) or None  # one report per package, in the floors' order
    return found[-1] if found else None


def _image_figure() -> str | None:
    if not IMAGE_REF_FILE.is_file():
        return None
    reference = IMAGE_REF_FILE.read_text(encoding="utf-8").strip()
    size = docker_output("image", "inspect", "--format", "{{.Size}}", reference, check=False)
    megabytes = f", {int(size) / 1e6:.1f} MB" if size.isdigit() else ""
    return f"`{reference}`{megabytes}"


def render(gate: str, outcome: str, log: str, *more: str) -> str:
    """One small table: the gate, whether it passed, and its figure; then what did not merge."""
    label = _FIGURES.get(gate, ("", "image digest and size"))[1]
    mark = {"success": "passed", "failure": "FAILED", "skipped": "skipped"}.get(outcome, outcome)
    value = figure(gate, log) or "n/a"
    text = (f"### {project.name()}: {gate}\n\n| result | {label} |\n| --- | --- |\n"
            f"| {mark} | {value} |\n")
    unmerged = [line for extra in more for line in _CONFLICT.findall(_ANSI.sub("", extra))
                if not line.startswith("none in ")]
    if unmerged:
        text += "\nNot merged: resolve these, then run `nox`:\n\n"
        text += "".join(f"- {line}\n" for line in unmerged)
    return text


def _read(log_path: str) -> str:
    path = Path(log_path)
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def main(argv: list[str]) -> int:
    """Print the summary for GATE with OUTCOME, reading the gate's LOG files."""
    gate, outcome, *logs = argv
    print(render(gate, outcome, *(_read(log) for log in logs or [""])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
