"""summary: the job summary's figure for each gate, read from the gate's log."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.actions import summary
from pipeline.core import project


def test_summary_reads_each_gate_figure() -> None:
    assert summary.figure("lint", "Your code has been rated at 10.00/10") == "10.00/10"
    assert summary.figure("tests", "TOTAL   404   4   60   2   99%\nTOTAL  9  3  2  1  65%\n") == (
        "99% / 65%")
    assert summary.figure(
        "deploy", "\x1b[34mcanary passed at https://a.example\x1b[0m\n") == "https://a.example"
    assert summary.figure("canary", "6 passed in 0.61s") == "6 passed"
    assert "| FAILED | n/a |" in summary.render("tests", "failure", "")


def test_a_skipped_gate_says_so() -> None:
    assert "| skipped | n/a |" in summary.render("audit", "skipped", "")


def test_every_summary_names_the_service() -> None:
    assert summary.render("lint", "success", "").startswith(f"### {project.name()}: lint\n")


def test_an_update_names_its_version_and_lists_what_did_not_merge() -> None:
    update = "Updating to template version 2.1.0\n"
    clean = summary.render("update", "success", update, "conflicts: none in 200 files\n")
    assert "| passed | 2.1.0 |" in clean and "Not merged" not in clean
    conflicted = summary.render("update", "failure", update,
                                "conflicts: README.md:5: Merge conflict string '<<<<<<<' found\n"
                                "conflicts: pyproject.toml.rej: hunks an update could not merge\n")
    assert "| FAILED | 2.1.0 |" in conflicted
    assert "- README.md:5: Merge conflict string '<<<<<<<' found\n" in conflicted
    assert "- pyproject.toml.rej: hunks an update could not merge\n" in conflicted


def test_an_update_carries_the_release_notes_it_kept(tmp_path: Path) -> None:
    notes = tmp_path / "template-notes.md"
    update = "Updating to template version 2.1.0\n"
    assert "Release notes" not in summary.render("update", "success", update, notes=notes)
    notes.write_text("## [2.1.0] - 2026-12-06\n\n### Action needed\n\n- Commit first.\n")
    body = summary.render("update", "success", update, notes=notes)
    assert body.endswith("Release notes (CHANGELOG.md):\n\n## [2.1.0] - 2026-12-06\n\n"
                         "### Action needed\n\n- Commit first.\n")


def test_the_deploy_summary_shows_the_strategy_each_step_and_the_outcome(tmp_path: Path) -> None:
    report = tmp_path / "deploy-report.json"
    report.write_text(json.dumps({
        "strategy": "canary", "why": "strategy canary: cf 8.18.4, Cloud Controller 3.228.0",
        "steps": [{"step": "1/2", "canary_instances": 1,
                   "live_checks": {"instance 0": {"passed": False, "summary": "4 failed"}},
                   "canary": {"requests": 35, "errors": 15, "error_pct": 42.86, "p95_ms": 4.0},
                   "baseline": {"requests": 35, "errors": 0, "error_pct": 0.0, "p95_ms": 5.0},
                   "baseline_from": "same window", "verdict": "cancel",
                   "why": "canary errors 42.9 % | over"}],
        "outcome": "cancelled", "line": "cancelled deployment d of app; revision 7 serves again"}))
    text = summary.render("deploy", "failure", "", report=report)
    assert "**Strategy:** strategy canary: cf 8.18.4, Cloud Controller 3.228.0" in text
    assert ("| 1/2 | 1 | instance 0: 4 failed | 42.9 % errors of 35, p95 4 ms | 0.0 % errors of "
            "35, p95 5 ms (same window) | cancel: canary errors 42.9 % \\| over |") in text
    assert "**Outcome:** cancelled: cancelled deployment d of app; revision 7 serves again" in text
    assert "Strategy" not in summary.render("deploy", "success", "", report=tmp_path / "none.json")
