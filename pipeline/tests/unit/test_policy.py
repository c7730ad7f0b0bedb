"""policy: the workflow rules zizmor does not check, each one flagged, and nothing zizmor owns."""

from __future__ import annotations

from pathlib import Path

from pipeline.actions import policy
from pipeline.core.paths import ROOT

SHA = "a" * 40


def _workflow(tmp_path: Path, text: str) -> Path:
    workflows = tmp_path / "workflows"
    workflows.mkdir(exist_ok=True)
    path = workflows / "bad.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_rule_is_flagged(tmp_path: Path) -> None:
    bad = _workflow(tmp_path, (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    environment: production\n"
        "    concurrency: {group: deploy, cancel-in-progress: true}\n    steps:\n"
        f"      - uses: actions/cache@{SHA}\n"))
    found = "\n".join(policy.problems([bad]))
    for expected in ("needs a `# vX.Y.Z` comment", "top-level `permissions: {}`",
                     "no timeout-minutes", "no permissions of its own", "may be cut off"):
        assert expected in found


def test_a_compliant_workflow_has_no_problem(tmp_path: Path) -> None:
    good = _workflow(tmp_path, (
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    timeout-minutes: 5\n    permissions: {contents: read}\n    environment: production\n"
        "    concurrency: {group: deploy, cancel-in-progress: false}\n    steps:\n"
        f"      - uses: actions/cache@{SHA} # v4.2.0\n      - uses: ./.github/actions/local\n"))
    assert not policy.problems([good])
    assert policy.main([str(good)]) == 0


def test_what_zizmor_audits_is_left_to_zizmor(tmp_path: Path) -> None:
    # unpinned-uses and artipacked are zizmor's: .github/zizmor.yml, pipeline/tests/gates.
    tagged = _workflow(tmp_path, (
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    timeout-minutes: 5\n    permissions: {contents: read}\n    steps:\n"
        "      - uses: actions/checkout@v4\n"))
    assert not policy.problems([tagged])


def test_the_real_workflows_comply() -> None:
    github = ROOT / ".github"
    files = [*github.glob("workflows/*.yml"), *github.glob("actions/*/action.yml")]
    assert files and not policy.problems(files)
