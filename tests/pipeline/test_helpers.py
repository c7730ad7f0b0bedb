"""The pipeline's own helpers: parsing, masking, policy and reporting."""

from __future__ import annotations

from pathlib import Path

from pipeline.actions import act_jobs, policy, summary
from pipeline.deploy import cloudfoundry


def test_secrets_are_masked_in_any_line() -> None:
    line = cloudfoundry.mask("cf auth user hunter2 --x=hunter2", {"CF_PASSWORD": "hunter2"})
    assert line == "cf auth user **** --x=****"


def test_only_digest_references_deploy() -> None:
    assert cloudfoundry.DIGEST_REF.match("r.example/echo@sha256:" + "0" * 64)
    assert not cloudfoundry.DIGEST_REF.match("r.example/echo:latest")
    assert not cloudfoundry.DIGEST_REF.match("r.example/echo@sha256:abc")


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
