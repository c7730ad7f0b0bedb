"""The pipeline's own helpers: parsing, masking, policy and reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.actions import act_jobs, policy, summary
from pipeline.bench import servers

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8097/echo/hello?lang=en-GB
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.62ms    2.01ms  41.20ms   91.20%
  Latency Distribution
     50%    3.20ms
     75%    4.01ms
     90%    5.02ms
     99%  950.00us
  50000 requests in 5.00s, 20.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  10000.50
Transfer/sec:      4.00MB
"""


def test_wrk_output_is_parsed_with_units_and_errors() -> None:
    assert servers.parse_wrk(WRK_OUTPUT) == {
        "requests_per_s": 10000.5, "p50_ms": 3.2, "p99_ms": pytest.approx(0.95), "errors": 7}


def test_act_stand_ins_cover_every_pinned_action(tmp_path: Path) -> None:
    options = act_jobs.stand_ins(tmp_path)
    pinned = act_jobs.remote_actions()
    assert {"actions/checkout", "actions/setup-python", "actions/cache"} <= {r for r, _ in pinned}
    assert len(options) == 2 * len(pinned)
    for value in options[1::2]:
        assert (Path(value.split("=", 1)[1]) / "action.yml").is_file()


def test_workflow_policy_flags_each_rule(tmp_path: Path) -> None:
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    bad = workflows / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - uses: actions/cache@"
        + "a" * 40 + "\n")
    found = "\n".join(policy.problems([bad]))
    for expected in ("not pinned to a full commit SHA", "needs a `# vX.Y.Z` comment",
                     "top-level `permissions: {}`", "no timeout-minutes",
                     "no permissions of its own", "persisted credentials"):
        assert expected in found


def test_summary_reads_each_gate_figure() -> None:
    assert summary.figure("lint", "Your code has been rated at 10.00/10") == "10.00/10"
    assert summary.figure("tests", "TOTAL   404   4   60   2   99%\n") == "99%"
    assert summary.figure("deploy", "canary passed at https://a.example") == "https://a.example"
    assert "| FAILED | n/a |" in summary.render("tests", "failure", "")
