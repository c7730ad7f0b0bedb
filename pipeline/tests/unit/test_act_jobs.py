"""act_jobs: the stand-in table, which act runs cover which jobs, and reading act's JSON log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.actions import act_jobs
from pipeline.core import environment

CHAINED = """\
on: {push: {}, pull_request: {}}
jobs:
  test: {runs-on: ubuntu-latest, steps: [{run: "true"}]}
  build:
    needs: [test]
    runs-on: ubuntu-latest
    permissions: {packages: write}
    steps: [{run: "true"}]
  ship:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps: [{run: "true"}]
"""
SCHEDULED = """\
on:
  schedule: [{cron: "17 * * * *"}]
  workflow_dispatch:
jobs:
  ship: {runs-on: ubuntu-latest, steps: [{run: "true"}]}
"""


@pytest.fixture(name="workflows")
def fixture_workflows(tmp_path: Path) -> Path:
    """Two workflows that share a job name, as ci.yml and canary.yml do."""
    (tmp_path / "ci.yml").write_text(CHAINED, encoding="utf-8")
    (tmp_path / "watch.yml").write_text(SCHEDULED, encoding="utf-8")
    return tmp_path


def _names(runs: list[act_jobs.Run]) -> list[str]:
    return [f"{run.workflow.path.name}:{run.job}:{run.workflow.event}" for run in runs]


def test_no_request_runs_the_last_job_of_every_chain(workflows: Path) -> None:
    runs = act_jobs.plan([], workflows)
    assert _names(runs) == ["ci.yml:ship:push", "watch.yml:ship:workflow_dispatch"]
    assert runs[0].workflow.chain("ship") == {"test", "build", "ship"}


def test_a_bare_job_name_means_every_workflow_that_has_it(workflows: Path) -> None:
    assert _names(act_jobs.plan(["ship"], workflows)) == [
        "ci.yml:ship:push", "watch.yml:ship:workflow_dispatch"]
    assert _names(act_jobs.plan(["watch.yml:ship"], workflows)) == [
        "watch.yml:ship:workflow_dispatch"]


def test_an_unknown_job_is_one_line_listing_the_real_ones(workflows: Path) -> None:
    with pytest.raises(act_jobs.UnknownJob, match=r"'deploy'; jobs: build, ship, test$"):
        act_jobs.plan(["deploy"], workflows)


def test_services_start_only_for_chains_that_need_them(workflows: Path) -> None:
    test, build, ship = (act_jobs.plan([job], workflows)[0] for job in ("test", "build", "ship"))
    assert (test.publishes(), test.uses_production()) == (False, False)
    assert (build.publishes(), build.uses_production()) == (True, False)
    assert (ship.publishes(), ship.uses_production()) == (True, True)


def test_the_event_is_on_main_so_the_gated_jobs_run(workflows: Path, tmp_path: Path) -> None:
    run = act_jobs.plan(["ci.yml:ship"], workflows)[0]
    event = act_jobs.event_file(run, tmp_path)
    assert json.loads(event.read_text())["ref"] == "refs/heads/main"
    argv = act_jobs.command(run, event, ["--var=X=1"])
    assert argv[:2] == ["act", "push"] and argv[-1] == "--var=X=1"
    assert argv[argv.index("--job") + 1] == "ship"


def test_the_real_workflows_cover_every_job_once() -> None:
    runs = act_jobs.plan([])
    covered = {(run.workflow.path.name, job) for run in runs for job in run.workflow.chain(run.job)}
    every = {(run.workflow.path.name, job) for run in runs for job in run.workflow.jobs}
    assert covered == every
    assert ("ci.yml", "docker") in covered and ("canary.yml", "canary") in covered


def test_every_stand_in_is_described_and_secrets_stay_out_of_argv(tmp_path: Path) -> None:
    keys = {"IMAGE_SIGNING_KEY": "/k/signing.asc", "IMAGE_SIGNING_PASSPHRASE": "run-only-pass"}
    table = act_jobs.stand_ins(act_jobs.Here(tmp_path, "127.0.0.1:5000", "http://127.0.0.1:1",
                                             keys))
    text = act_jobs.describe(table)
    assert all(row.replaces in text and row.why in text for row in table)
    options, secret_env = act_jobs.table_options(table)
    assert "--var=REGISTRY=127.0.0.1:5000" in options
    assert "--var=CANARY_URL=http://127.0.0.1:1" in options
    assert "--secret=CF_PASSWORD" in options and secret_env["CF_PASSWORD"]
    assert "--env=IMAGE_SIGNING_KEY=/k/signing.asc" in options
    assert secret_env["IMAGE_SIGNING_PASSPHRASE"] == "run-only-pass"
    assert not [value for value in secret_env.values() if any(value in o for o in options)]


def test_act_stand_ins_cover_every_pinned_action(tmp_path: Path) -> None:
    options = act_jobs.action_options(tmp_path)
    pinned = act_jobs.remote_actions()
    assert {"actions/checkout", "actions/setup-python", "actions/cache"} <= {r for r, _ in pinned}
    assert len(options) == 2 * len(pinned)
    for (repository, sha), action_paths in pinned.items():
        assert f"{repository}@{sha}={tmp_path / repository.replace('/', '__') / sha}" in options
        for action_path in action_paths:
            assert (tmp_path / repository.replace("/", "__") / sha / action_path /
                    "action.yml").is_file()


def test_an_action_in_a_subdirectory_gets_its_stand_in_there(tmp_path: Path) -> None:
    workflow = tmp_path / "w.yml"
    workflow.write_text(f"      - uses: github/codeql-action/upload-sarif@{'b' * 40} # v4\n"
                        f"      - uses: github/codeql-action/init@{'b' * 40} # v4\n")
    assert act_jobs.remote_actions([workflow]) == {
        ("github/codeql-action", "b" * 40): {"upload-sarif", "init"}}


def test_the_json_log_gives_each_job_its_result_and_seconds() -> None:
    lines = [
        {"job": "ci/lint", "msg": "⭐ Run Set up job", "time": "2026-01-01T00:00:00Z"},
        {"job": "ci/tests-1", "msg": "hi\n", "raw_output": True, "time": "2026-01-01T00:00:05Z",
         "matrix": {"python": "3.12"}},
        {"job": "ci/lint", "msg": "🏁  Job succeeded", "jobResult": "success",
         "time": "2026-01-01T00:01:02Z"},
        {"job": "ci/tests-1", "msg": "🏁  Job failed", "jobResult": "failure",
         "time": "2026-01-01T00:00:09Z"},
    ]
    text, jobs = act_jobs.read_log("\n".join([*map(json.dumps, lines), "not json"]))
    assert "[ci/tests-1] hi" in text and text.endswith("not json")
    assert {name: (job.result, job.seconds, job.matrix) for name, job in jobs.items()} == {
        "ci/lint": ("success", 62.0, ""), "ci/tests-1": ("failure", 4.0, "python=3.12")}


def test_a_missing_registry_is_one_line(workflows: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRY", raising=False)
    runs = act_jobs.plan(["build"], workflows)
    with pytest.raises(environment.MissingSettings, match="REGISTRY"):
        act_jobs.execute(runs, [], tmp_path)
