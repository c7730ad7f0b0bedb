"""What the deploy stage did, step by step, as JSON for the GitHub job summary.

`nox -s deploy` writes build/deploy-report.json whatever the outcome; pipeline/actions/summary.py
reads it with the standard library alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.deploy.checks import Figures, Suite


@dataclass(frozen=True)
class Step:
    """One pause of a canary (or the one check of a deployment finished at once)."""

    step: str
    process: str
    canary_instances: int = 0
    old_processes: int = 0
    suites: dict[str, Suite] = field(default_factory=dict)
    canary: Figures | None = None
    baseline: Figures | None = None
    baseline_from: str = ""
    verdict: str = ""
    why: str = ""

    def line(self) -> str:
        """The step in one log line: what was checked, the figures, the verdict."""
        suites = "; ".join(f"{target} {suite.summary}" for target, suite in self.suites.items())
        figures = f"canary {self.canary.describe()}" if self.canary else "no figures"
        baseline = (f"baseline {self.baseline.describe()} ({self.baseline_from})"
                    if self.baseline else "no baseline")
        return (f"step {self.step}: process {self.process}, {self.canary_instances} canary "
                f"instance(s), {self.old_processes} old process(es); live checks: "
                f"{suites or 'none'}; {figures}; {baseline}: {self.verdict} ({self.why})")

    def as_dict(self) -> dict[str, Any]:
        """The step for the JSON report."""
        return {"step": self.step, "process": self.process,
                "canary_instances": self.canary_instances, "old_processes": self.old_processes,
                "live_checks": {target: {"passed": suite.passed, "summary": suite.summary}
                                for target, suite in self.suites.items()},
                "canary": self.canary.as_dict() if self.canary else None,
                "baseline": self.baseline.as_dict() if self.baseline else None,
                "baseline_from": self.baseline_from, "verdict": self.verdict, "why": self.why}


@dataclass
class Report:
    """The deployment from strategy to outcome."""

    app: str
    mode: str
    strategy: str = ""
    why: str = ""
    steps: list[Step] = field(default_factory=list)
    outcome: str = ""
    line: str = ""

    def finish(self, outcome: str, line: str) -> str:
        """Record how it ended; return the line, for the caller to report or raise."""
        self.outcome, self.line = outcome, line
        return line

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON holds it."""
        return {"app": self.app, "mode": self.mode, "strategy": self.strategy, "why": self.why,
                "steps": [step.as_dict() for step in self.steps], "outcome": self.outcome,
                "line": self.line}

    def write(self, path: Path) -> Path:
        """Write the report where the job summary reads it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")
        return path
