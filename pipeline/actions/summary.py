"""Markdown for GitHub's job summary: each gate's result and the figure it is judged by.

Usage: python3 -m pipeline.actions.summary GATE OUTCOME LOG...  (stdlib only: it runs before any
venv). The figure comes from the first log. The deploy gate adds the deploy stage's report
(build/deploy-report.json): the strategy and why, each canary step with its checks' figures
beside the baseline's, and the outcome; `update` adds, from the second log (the conflict
check's), what did not merge, and the release notes `nox -s update` kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from pipeline.container.images import docker_output
from pipeline.core import project
from pipeline.core.paths import DEPLOY_REPORT, IMAGE_REF_FILE, TEMPLATE_NOTES

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


def render(gate: str, outcome: str, log: str, *more: str, report: Path = DEPLOY_REPORT,
           notes: Path = TEMPLATE_NOTES) -> str:
    """One small table: the gate, whether it passed, and its figure; the deploy's steps and
    what an update did not merge too."""
    label = _FIGURES.get(gate, ("", "image digest and size"))[1]
    mark = {"success": "passed", "failure": "FAILED", "skipped": "skipped"}.get(outcome, outcome)
    value = figure(gate, log) or "n/a"
    table = (f"### {project.name()}: {gate}\n\n| result | {label} |\n| --- | --- |\n"
             f"| {mark} | {value} |\n")
    if gate == "deploy" and report.is_file():
        table += deploy_report(json.loads(report.read_text(encoding="utf-8")))
    unmerged = [line for extra in more for line in _CONFLICT.findall(_ANSI.sub("", extra))
                if not line.startswith("none in ")]
    if unmerged:
        table += "\nNot merged: resolve these, then run `nox`:\n\n"
        table += "".join(f"- {line}\n" for line in unmerged)
    if gate == "update" and notes.is_file():  # what `nox -s update` kept of CHANGELOG.md
        table += f"\nRelease notes (CHANGELOG.md):\n\n{notes.read_text(encoding='utf-8')}"
    return table


def _cell(text: object) -> str:
    """A table cell: Markdown's column bar escaped, one line."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _side(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "n/a"
    return (f"{figures['error_pct']:.1f} % errors of {figures['requests']}, "
            f"p95 {figures['p95_ms']:.0f} ms")


def deploy_report(report: dict[str, Any]) -> str:
    """The strategy and why, each step's checks against the baseline, and the outcome."""
    lines = ["", f"**Strategy:** {_cell(report.get('why') or report.get('strategy') or 'n/a')}",
             ""]
    steps = report.get("steps") or []
    if steps:
        lines += ["| step | canary instances | live checks | canary | baseline | verdict |",
                  "| --- | ---: | --- | --- | --- | --- |"]
        for step in steps:
            suites = "; ".join(f"{target}: {suite['summary']}"
                               for target, suite in (step.get("live_checks") or {}).items())
            baseline = _side(step.get("baseline"))
            if step.get("baseline") and step.get("baseline_from"):
                baseline += f" ({step['baseline_from']})"
            lines.append("| " + " | ".join(_cell(cell) for cell in (
                step["step"], step["canary_instances"], suites or "n/a", _side(step.get("canary")),
                baseline, f"{step['verdict']}: {step['why']}")) + " |")
        lines.append("")
    lines.append(f"**Outcome:** {_cell(report.get('outcome') or 'n/a')}: "
                 f"{_cell(report.get('line') or '')}")
    return "\n".join(lines) + "\n"


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
