"""The canary flow in-process: every status and refusal Cloud Foundry gives, cf answered by script.

Each deployment read answers the next status in its list (pipeline/tests/support/foundry.py),
so a test writes down the statuses Cloud Controller would show, in order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.deploy import platform
from pipeline.deploy.checks import Figures, Suite, instance, judge
from pipeline.deploy.settings import CanarySettings, DeployError, canary_steps, load_canary
from pipeline.tests.support.foundry import (
    DEPLOYED, DEPLOYMENT, ENV, GUID, LATEST_ACTIVE, NAME, NEW_PROCESS, NEWEST, OLD_PROCESS,
    ROOT_DOCUMENT, ScriptedChecks, cf_version, deploy, deployment, failure, foundry, page,
    revision, root, stats)

READ = f"curl -f /v3/deployments/{DEPLOYMENT}"
PAUSED_1, PAUSED_2 = deployment("ACTIVE", "PAUSED", 1), deployment("ACTIVE", "PAUSED", 2)
DEPLOYING = deployment("ACTIVE", "DEPLOYING", 2)
DONE = deployment("FINALIZED", "DEPLOYED", 2)
CANCELING = deployment("ACTIVE", "CANCELING")
CANCELED = deployment("FINALIZED", "CANCELED")
SUPERSEDED = deployment("FINALIZED", "SUPERSEDED")
STEPS = {**ENV, "CANARY_STEPS": "50,100"}
BROKEN = Figures(20, 8, 4.0)  # 40 % errors: what a release that fails its requests shows


def test_a_healthy_canary_is_checked_at_each_pause_and_continued_to_deployed() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, PAUSED_2, PAUSED_2, DONE]})
    run = deploy(answers, env=STEPS)
    push = next(argv for argv in run.record.argvs() if argv[1] == "push")
    assert push[-4:] == ["--strategy", "canary", "--instance-steps", "50,100"]
    assert run.subcommands().count("continue-deployment") == 2
    assert "cancel-deployment" not in run.subcommands()
    # each pause: the suite on the canary's own instance, then figures beside the old process
    assert run.checks.suites[0] == ("https://app.example.test",
                                    {"X-Cf-Process-Instance": f"{NEW_PROCESS}:0"})
    assert run.checks.windows[0] == ([instance(NEW_PROCESS, 0)], [instance(OLD_PROCESS)])
    assert run.checks.suites[-1] == ("https://app.example.test", {})  # the route after DEPLOYED
    assert run.outcome == (f"deployed {NAME} (buildpack) by canary: 2 step(s) checked, "
                           f"deployment {DEPLOYMENT} DEPLOYED, and the canary passed at "
                           "https://app.example.test")
    assert "strategy canary: cf 8.18.4, Cloud Controller 3.228.0; instance steps 50,100" in (
        run.lines)


def test_a_canary_failing_its_figures_is_cancelled_and_the_old_revision_serves(
        tmp_path: Path) -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, CANCELING, CANCELED]})
    run = deploy(answers, ScriptedChecks(canary=BROKEN), env=STEPS,
                 report=tmp_path / "report.json")
    after = run.record.argvs()[run.subcommands().index("cancel-deployment"):]
    assert after == [["cf", "cancel-deployment", NAME], ["cf", "curl", "-f", READ.split()[-1]],
                     ["cf", "curl", "-f", READ.split()[-1]], ["cf", "curl", "-f", DEPLOYED]]
    assert "continue-deployment" not in run.subcommands()
    assert run.outcome == (f"ERROR cancelled deployment {DEPLOYMENT} of {NAME} (revision 8) at "
                           "step 1/2: canary errors 40.0 % over the allowed 1.0 % (baseline "
                           "0.0 % + 1 points); revision 7 serves again")
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["strategy"], report["outcome"]) == ("canary", "cancelled")
    assert report["steps"][0]["canary"]["error_pct"] == 40.0
    assert report["steps"][0]["baseline"]["error_pct"] == 0.0
    assert report["steps"][0]["verdict"] == "cancel"


def test_a_failing_live_suite_on_a_canary_instance_cancels() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, CANCELED]})
    run = deploy(answers, ScriptedChecks(passes=False), env=STEPS)
    assert "cancel-deployment" in run.subcommands()
    assert "the live checks failed on instance 0: 1 failed, 11 passed" in run.outcome


def test_a_cancel_that_does_not_settle_fails_in_one_line() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, CANCELING]})
    run = deploy(answers, ScriptedChecks(canary=BROKEN),
                 env={**STEPS, "CANARY_CANCEL_TIMEOUT": "9", "CANARY_POLL_SECONDS": "3"})
    assert run.outcome == (f"ERROR deployment {DEPLOYMENT} of {NAME} is still ACTIVE/CANCELING 9 s "
                           "after its cancel (CANARY_CANCEL_TIMEOUT): Cloud Controller's "
                           f"deployment updater has not finished it; see `cf app {NAME}`")
    assert run.record.argvs().count(["cf", "curl", "-f", f"/v3/deployments/{DEPLOYMENT}"]) == 6


def test_cf_cancelling_at_the_startup_timeout_is_awaited_and_said() -> None:
    timeout = failure("Start app timeout\n\nTIP: Application must be listening on the right "
                      f"port.\n\nUse 'cf logs {NAME} --recent' for more information")
    answers = foundry(push=timeout, **{READ: [CANCELING, CANCELED]})
    run = deploy(answers, env=STEPS)
    assert run.outcome == ("ERROR cf push waited past CF_STARTUP_TIMEOUT (300 s): cf cancelled "
                           f"deployment {DEPLOYMENT} of {NAME} (revision 8) itself; revision 7 "
                           "serves again")
    assert "cancel-deployment" not in run.subcommands()  # cf did it itself
    assert not run.checks.suites


def test_continue_deployment_timing_out_is_cf_cancelling_it() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, CANCELING, CANCELED],
                      "continue-deployment": failure(
                          f"Timed out waiting for application '{NAME}' to start")})
    run = deploy(answers, env={**STEPS, "CF_STARTUP_TIMEOUT": "0.5"})
    assert run.outcome.startswith("ERROR cf continue-deployment waited past CF_STARTUP_TIMEOUT "
                                  f"(30 s): cf cancelled deployment {DEPLOYMENT}")


def test_a_continue_refused_before_the_pause_waits_for_the_next_pause() -> None:
    refused = failure("Cannot continue a deployment with status: ACTIVE and reason: DEPLOYING")
    answers = foundry({READ: [PAUSED_1, PAUSED_1, DEPLOYING, PAUSED_2, PAUSED_2, DONE],
                      "continue-deployment": [refused, (0, "", "")]})
    run = deploy(answers, env=STEPS)
    assert run.outcome.startswith(f"deployed {NAME} (buildpack) by canary: 2 step(s)")
    assert (f"cf continue-deployment: Cannot continue a deployment with status: ACTIVE and "
            f"reason: DEPLOYING; reading deployment {DEPLOYMENT} again") in run.lines
    assert run.subcommands().count("continue-deployment") == 2


def test_no_deployment_moves_on_without_a_pause_read_first() -> None:
    answers = foundry({READ: [DEPLOYING, DEPLOYING, PAUSED_1, PAUSED_1, DONE]})
    run = deploy(answers)
    reads = [i for i, argv in enumerate(run.record.argvs()) if argv[-1].endswith(DEPLOYMENT)]
    first_continue = run.subcommands().index("continue-deployment")
    assert len([i for i in reads if i < first_continue]) == 4  # two DEPLOYING, PAUSED, re-read


def test_a_deployment_that_never_pauses_is_cancelled() -> None:
    answers = foundry({READ: [DEPLOYING, DEPLOYING, DEPLOYING, DEPLOYING, CANCELED]})
    run = deploy(answers, env={**STEPS, "CF_STARTUP_TIMEOUT": "0.1", "CANARY_POLL_SECONDS": "3"})
    assert "cancel-deployment" in run.subcommands()
    assert "it stayed ACTIVE/DEPLOYING for 6 s without pausing (CF_STARTUP_TIMEOUT)" in run.outcome


def test_a_deployment_superseded_during_the_checks_is_neither_continued_nor_cancelled() -> None:
    newer = "de000000-0000-4000-8000-000000000009"
    answers = foundry({READ: [PAUSED_1, SUPERSEDED],
                      f"curl -f {LATEST_ACTIVE}": page({"guid": newer})})
    run = deploy(answers, env=STEPS)
    assert "continue-deployment" not in run.subcommands()
    assert "cancel-deployment" not in run.subcommands()
    assert run.outcome == (f"ERROR deployment {DEPLOYMENT} of {NAME} was superseded by a newer "
                           f"push (deployment {newer}); this stage neither continued nor "
                           "cancelled it: that push owns the app now")


def test_superseded_while_cf_waits_is_said_as_superseded() -> None:
    answers = foundry(push=failure("Deployment has been superseded"), **{READ: SUPERSEDED})
    run = deploy(answers, env=STEPS)
    assert "was superseded by a newer push" in run.outcome


def test_no_active_deployment_on_cancel_reads_what_happened() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, CANCELED],
                      "cancel-deployment": failure("No active deployment found for app.")})
    run = deploy(answers, ScriptedChecks(canary=BROKEN), env=STEPS)
    assert run.outcome.startswith(f"ERROR deployment {DEPLOYMENT} of {NAME} was cancelled "
                                  "outside this stage (the stage was cancelling it: canary errors")
    assert run.outcome.endswith("revision 7 serves again")


def test_a_deployment_finished_before_its_cancel_is_rolled_back() -> None:
    answers = foundry({READ: [PAUSED_1, DONE]})
    run = deploy(answers, ScriptedChecks(canary=BROKEN), env=STEPS)
    assert run.record.argvs()[-1] == ["cf", "rollback", NAME, "--version", "7", "-f"]
    assert run.outcome.endswith(f"finished DEPLOYED before it could be cancelled; rolled back "
                                f"{NAME} to revision 7")


def test_a_cancel_by_someone_else_is_awaited_and_said() -> None:
    answers = foundry({READ: [CANCELING, CANCELING, CANCELED]})
    run = deploy(answers)
    assert "cancel-deployment" not in run.subcommands() and not run.checks.suites
    assert run.outcome == (f"ERROR deployment {DEPLOYMENT} of {NAME} was cancelled outside this "
                           "stage; revision 7 serves again")


def test_a_failing_route_after_deployed_rolls_back() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, DONE]})
    run = deploy(answers, ScriptedChecks(passes=[True, False]))
    assert run.record.argvs()[-1] == ["cf", "rollback", NAME, "--version", "7", "-f"]
    assert "the live checks failed at https://app.example.test after DEPLOYED" in run.outcome


def test_the_old_revision_must_be_the_one_serving_after_a_cancel() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, CANCELED],
                      f"curl -f {DEPLOYED}": [page(revision(7)), page(revision(8))]})
    run = deploy(answers, ScriptedChecks(canary=BROKEN), env=STEPS)
    assert run.outcome.endswith("as deployed, not revision 7 alone; see `cf app "
                                f"{NAME}`")


def test_a_first_push_is_deployed_at_once_checked_and_nothing_is_continued() -> None:
    deployed_at_once = deployment("FINALIZED", "DEPLOYED", 1, 1, new=())
    answers = foundry({"app": [failure(f"App '{NAME}' not found."), (0, GUID + "\n", "")],
                       f"curl -f {NEWEST}": page(json.loads(deployed_at_once[1])),
                       READ: deployed_at_once})
    run = deploy(answers, env=STEPS)
    assert "continue-deployment" not in run.subcommands()
    assert "cancel-deployment" not in run.subcommands()
    assert run.checks.suites == [("https://app.example.test",
                                  {"X-Cf-Process-Instance": f"{NEW_PROCESS}:0"})]
    assert run.checks.windows == [([instance(NEW_PROCESS, 0)], [])]  # no old process to compare
    assert "Cloud Controller deployed it at once (first push or stopped app), nothing to " \
           "continue" in run.outcome


def test_a_first_push_failing_its_checks_has_nothing_to_cancel_or_roll_back() -> None:
    deployed_at_once = deployment("FINALIZED", "DEPLOYED", 1, 1, new=())
    answers = foundry({"app": [failure(f"App '{NAME}' not found."), (0, GUID + "\n", "")],
                       f"curl -f {NEWEST}": page(json.loads(deployed_at_once[1])),
                       READ: deployed_at_once})
    run = deploy(answers, ScriptedChecks(passes=False))
    assert not {"cancel-deployment", "rollback"} & set(run.subcommands())
    assert f"nothing served before it: {NAME} stays on the build that failed" in run.outcome


def test_with_no_old_instance_left_the_last_baseline_is_used() -> None:
    answers = foundry({READ: [PAUSED_1, PAUSED_1, PAUSED_2, PAUSED_2, DONE],
                      f"curl -f /v3/processes/{OLD_PROCESS}/stats": [stats(0, 1), stats()]})
    run = deploy(answers, env=STEPS)
    assert run.checks.windows[1][1] == []  # the weight-100 step: the old process is at zero
    assert any(line.startswith("step 2/2") and "(step 1/2)" in line for line in run.lines)


@pytest.mark.parametrize(("cli", "capi", "expected"), [
    ("8.7.11", "3.228.0", "rolling"), ("8.18.4", "3.160.0", "rolling"),
    ("8.8.0", "3.173.0", "canary")])
def test_the_versions_choose_the_strategy(cli: str, capi: str, expected: str) -> None:
    run = deploy(foundry({ROOT_DOCUMENT: root(capi), READ: [PAUSED_1, PAUSED_1, DONE]},
                         version=cf_version(cli)))
    push = next(argv for argv in run.record.argvs() if argv[1] == "push")
    assert push[push.index("--strategy") + 1] == expected
    assert run.subcommands()[:3] == ["version", "api", "curl"]  # before any login
    assert sum(line.startswith("strategy ") for line in run.lines) == 1


def test_instance_steps_go_only_to_an_api_that_takes_them() -> None:
    run = deploy(foundry({ROOT_DOCUMENT: root("3.180.0"), READ: [PAUSED_1, PAUSED_1, DONE]}),
                 env=STEPS)
    push = next(argv for argv in run.record.argvs() if argv[1] == "push")
    assert "--instance-steps" not in push and push[-2:] == ["--strategy", "canary"]
    assert any("CANARY_STEPS 50,100 not sent, instance steps need Cloud Controller 3.189.0"
               in line for line in run.lines)


def test_an_unreadable_cf_version_stops_before_anything_else() -> None:
    run = deploy(foundry(version=(0, "cf, a fork\n", "")))
    assert run.outcome == "ERROR `cf version` printed no version: 'cf, a fork'"
    assert run.subcommands() == ["version"]


@pytest.mark.parametrize("steps", ["10,5", "0,50", "50,101", "ten", "10, 50", "-10"])
def test_bad_canary_steps_are_one_line_before_any_cf_call(steps: str) -> None:
    run = deploy(foundry(), env={**ENV, "CANARY_STEPS": steps})
    assert run.outcome.startswith("ERROR CANARY_STEPS must be comma-separated whole percentages "
                                  "from 1 to 100 in ascending order (e.g. 10,50,100), got")
    assert not run.record.calls


def test_canary_settings_take_numbers_and_say_which_one_is_not() -> None:
    assert canary_steps("10,10,100") == (10, 10, 100)  # equal neighbours: cc allows them
    assert load_canary({"CF_STARTUP_TIMEOUT": "0.1"}).startup_timeout_s == 6.0
    assert load_canary({"CF_STARTUP_TIMEOUT": "soon"}) == load_canary({}) == CanarySettings()
    with pytest.raises(DeployError, match="CANARY_ROUNDS must be a whole number"):
        load_canary({"CANARY_ROUNDS": "2.5"})
    with pytest.raises(DeployError, match="CANARY_P95_FACTOR must be a number of at least 1"):
        load_canary({"CANARY_P95_FACTOR": "nan"})


def test_the_plan_says_why_in_one_line() -> None:
    assert platform.choose((8, 7, 11), (3, 228, 0), ()).why == (
        "strategy rolling with cf rollback: cf 8.7.11, Cloud Controller 3.228.0, and canary "
        "deployments need cf 8.8.0 and Cloud Controller 3.173.0")
    assert platform.choose((8, 8, 0), (3, 189, 0), (10, 100)).steps == (10, 100)
    assert "one canary instance" in platform.choose((8, 8, 0), (3, 173, 0), ()).why


def test_the_judge_compares_with_the_baseline_and_its_thresholds() -> None:
    settings = CanarySettings()
    passed = {"instance 0": Suite(True, "12 passed")}
    base = Figures(100, 1, 10.0)
    assert judge(passed, Figures(100, 2, 10.0), base, settings).ok  # 2 % <= 1 % + 1 point
    assert not judge(passed, Figures(100, 3, 10.0), base, settings).ok
    assert judge(passed, Figures(100, 0, 70.0), base, settings).ok  # 70 <= 2 x 10 + 50
    slow = judge(passed, Figures(100, 0, 71.0), base, settings)
    assert (slow.ok, slow.why) == (False, "canary p95 71 ms over the allowed 70 ms")
    assert not judge(passed, Figures(100, 0, 501.0), None, settings).ok  # the budget alone
    assert not judge(passed, Figures(0, 0, 1.0), None, settings).ok  # nothing answered
