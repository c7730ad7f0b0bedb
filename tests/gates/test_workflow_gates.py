"""The workflow gates: the policy check, and the real ci.yml lint job run under act."""

from __future__ import annotations

from tests.support.tree import Tree, failed, passed

CI = ".github/workflows/ci.yml"


def _edit(tree: Tree, old: str, new: str) -> None:
    path = tree.path / CI
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_action_pinned_by_tag_fails_workflows(tree: Tree) -> None:
    _edit(tree, "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
          "actions/checkout@v4")
    assert "actions/checkout@v4 is not pinned to a full commit SHA" in failed(
        tree.nox("-s", "workflows"))


def test_job_without_timeout_fails_workflows(tree: Tree) -> None:
    _edit(tree, "    timeout-minutes: 10\n", "")
    assert "has no timeout-minutes" in failed(tree.nox("-s", "workflows"))


def test_persisted_checkout_credentials_fail_workflows(tree: Tree) -> None:
    _edit(tree, "persist-credentials: false", "persist-credentials: true")
    assert "checks out with persisted credentials" in failed(tree.nox("-s", "workflows"))


def test_act_runs_the_lint_job_and_a_planted_pylint_defect_fails_it(tree: Tree) -> None:
    tree.plant("app/routes.py", "\n\ndef planted(a):\n    return a\n")
    tree.commit("plant a pylint defect")
    output = failed(tree.nox("-s", "act", "--", "lint"))
    assert "missing-function-docstring" in output
    assert "Job 'lint' failed" in output


def test_act_lint_job_passes_on_the_clean_tree(tree: Tree) -> None:
    output = passed(tree.nox("-s", "act", "--", "lint"))
    assert "| passed | 10.00/10 |" in output
