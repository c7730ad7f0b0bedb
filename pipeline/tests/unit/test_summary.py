"""summary: the job summary's figure for each gate, read from the gate's log."""

from __future__ import annotations

from pipeline.actions import summary


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
