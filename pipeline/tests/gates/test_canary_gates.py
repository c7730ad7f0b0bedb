"""nox -s deploy as Cloud Foundry canaries, against the cf double: paused, checked where it runs,
continued to DEPLOYED or cancelled back to what served, through every state and refusal.

The double's own behaviours (versions, the deployment resource, continue and cancel, the 422,
the timeout cancel, supersession) are checked first, straight against it; then the stage meets
each of them; then the rehearsal puts real servers behind the router stand-in, and a planted
broken release must be cancelled while a healthy one goes through every step.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs pytest, as the deploy stage does
import sys
from collections.abc import Iterator
from pathlib import Path
from subprocess import CompletedProcess  # nosec B404 - only the type
from typing import Any

import pytest

from pipeline.core.paths import ROOT
from pipeline.core.service import RunningServer, free_port, serve
from pipeline.deploy.app_secrets import instance_name
from pipeline.deploy.settings import app_name
from pipeline.tests.support.double import (
    BASE, DEPLOYMENT, FAKE_GUID, argvs, deploy, fake_cf, fake_cf_in, no_secret_leaked,
    one_line_failure,
    subcommands, targeted)
from pipeline.tests.support.rehearsal import answered_as_documented, stage
from pipeline.tests.fakes import router
from pipeline.tests.support.tree import Tree, passed

NAME = app_name()
STEPS = {**BASE, "CANARY_STEPS": "50,100"}
READ = f"/v3/deployments/{DEPLOYMENT}"
OLD_PROCESS, CANARY_PROCESS = (f"0c000000-0000-4000-8000-00000000000{n}" for n in (1, 2))


@pytest.fixture
def cf_log(tmp_path: Path) -> Path:
    """Where the fake cf records every call, one JSON line each."""
    return tmp_path / "cf-calls.jsonl"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One healthy `python -m serving` that the checks can pass against (the double deploys
    nothing, so a healthy release is this server)."""
    with serve(tmp_path_factory.mktemp("live") / "live.log") as server:
        yield server


def _read(cf_log: Path, path: str, **env: str) -> Any:
    result = fake_cf(cf_log, "curl", "-f", path, **env)
    assert result.ok, result.stderr
    return json.loads(result.stdout)


def _bound(cf_log: Path, **env: str) -> None:
    """Target a space holding the instance manifest.yml binds, as the stage leaves it."""
    targeted(cf_log, **env)
    assert fake_cf(cf_log, "create-user-provided-service", instance_name(NAME), **env).ok


def _paused(cf_log: Path, **env: str) -> Any:
    _bound(cf_log, **env)
    pushed = fake_cf(cf_log, "push", "-f", "manifest.yml", "--strategy", "canary", **env)
    assert pushed.ok, pushed.stderr
    return pushed


# --- the double, as cf v8.18.4 and Cloud Controller behave ------------------------------------

def test_the_double_reports_versions_as_cf_and_cloud_controller_do(cf_log: Path) -> None:
    assert fake_cf(cf_log, "version").stdout == "cf version 8.18.4+3fcd823.2026-06-29\n"
    assert fake_cf(cf_log, "-v", FAKE_CF_CLI_VERSION="8.7.11").stdout == "cf version 8.7.11\n"
    root = _read(cf_log, "/", FAKE_CF_CAPI_VERSION="3.160.0")
    assert root["links"]["cloud_controller_v3"]["meta"]["version"] == "3.160.0"


def test_a_canary_push_pauses_with_the_deployment_cloud_controller_presents(cf_log: Path) -> None:
    pushed = _paused(cf_log)
    assert "Active deployment with status PAUSED" in pushed.stdout
    assert (f"Please run `cf continue-deployment {NAME}` to promote the canary deployment, or "
            f"`cf cancel-deployment {NAME}` to rollback to the previous version.") in pushed.stdout
    shown = _read(cf_log, READ)
    assert list(shown) == ["guid", "created_at", "updated_at", "status", "strategy", "options",
                           "droplet", "previous_droplet", "new_processes", "revision",
                           "relationships", "metadata", "links"]
    assert (shown["status"]["value"], shown["status"]["reason"]) == ("ACTIVE", "PAUSED")
    assert shown["status"]["canary"] == {"steps": {"current": 1, "total": 1}}
    assert set(shown["links"]) == {"self", "app", "cancel", "continue"}
    canary = shown["new_processes"][0]["guid"]
    assert [i["index"] for i in _read(cf_log, f"/v3/processes/{canary}/stats")["resources"]] == [0]


def test_continue_before_the_pause_is_cloud_controller_s_422(cf_log: Path) -> None:
    _paused(cf_log, FAKE_CF_OTHERS_CONTINUE="1")
    refused = fake_cf(cf_log, "continue-deployment", NAME, FAKE_CF_OTHERS_CONTINUE="1")
    assert (refused.returncode, refused.stderr, refused.stdout.splitlines()[-1]) == (
        1, "Cannot continue a deployment with status: ACTIVE and reason: DEPLOYING\n", "FAILED")


def test_cancel_returns_at_once_and_the_updater_finishes_it(cf_log: Path) -> None:
    _paused(cf_log)
    cancelled = fake_cf(cf_log, "cancel-deployment", NAME)
    assert cancelled.ok and cancelled.stdout.endswith(
        f"OK\n\nTIP: Run 'cf app {NAME}' to view app status.\n")
    assert _read(cf_log, READ)["status"]["reason"] == "CANCELING"
    assert _read(cf_log, READ)["status"]["value"] == "FINALIZED"
    deployed = _read(cf_log, f"/v3/apps/{FAKE_GUID}/revisions/deployed")["resources"]
    assert [revision["version"] for revision in deployed] == [7]
    again = fake_cf(cf_log, "cancel-deployment", NAME)
    assert (again.returncode, again.stderr) == (1, "No active deployment found for app.\n")


def test_cf_cancels_its_own_deployment_at_the_startup_timeout(cf_log: Path) -> None:
    _bound(cf_log)
    timeout = fake_cf(cf_log, "push", "-f", "manifest.yml", "--strategy", "canary",
                      FAKE_CF_START_MINUTES="6", CF_STARTUP_TIMEOUT="5")
    assert timeout.returncode == 1 and timeout.stderr.startswith("Start app timeout\n")
    assert _read(cf_log, READ)["status"]["reason"] == "CANCELING"


def test_a_rival_push_supersedes_a_paused_deployment(cf_log: Path) -> None:
    _paused(cf_log)
    _read(cf_log, READ, FAKE_CF_RIVAL_PUSH_AFTER="1")
    superseded = _read(cf_log, READ, FAKE_CF_RIVAL_PUSH_AFTER="1")["status"]
    assert (superseded["value"], superseded["reason"]) == ("FINALIZED", "SUPERSEDED")


def test_older_platforms_refuse_what_they_do_not_have(cf_log: Path) -> None:
    _bound(cf_log)
    old_cli = fake_cf(cf_log, "push", "-f", "manifest.yml", "--strategy", "canary",
                      FAKE_CF_CLI_VERSION="8.7.11")
    assert old_cli.stderr.startswith('Incorrect Usage: STRATEGY must be "rolling" or not set')
    assert fake_cf(cf_log, "continue-deployment", NAME, FAKE_CF_CLI_VERSION="8.7.11").stderr == (
        "'continue-deployment' is not a registered command. See 'cf help -a'\n")
    old_api = fake_cf(cf_log, "push", "-f", "manifest.yml", "--strategy", "canary",
                      FAKE_CF_CAPI_VERSION="3.160.0")
    assert old_api.stderr == "Strategy 'canary' is not a supported deployment strategy\n"
    no_steps = fake_cf(cf_log, "push", "-f", "manifest.yml", "--strategy", "canary",
                       "--instance-steps", "10,50", FAKE_CF_CAPI_VERSION="3.180.0")
    assert no_steps.stderr == ("--instance-steps requires CF API version 3.189.0 or higher. Your "
                               "target is 3.180.0.\n")


def test_the_double_s_app_is_the_manifest_s_not_a_name_of_its_own(
        tree: Tree, cf_log: Path) -> None:
    manifest = tree.path / "manifest.yml"
    manifest.write_text(manifest.read_text().replace(f"name: {NAME}", "name: other-api"))
    fake_cf_in(tree.path, cf_log, "target", "-o", "acme", "-s", "production")
    assert fake_cf_in(tree.path, cf_log, "app", "other-api", "--guid").stdout == FAKE_GUID + "\n"
    assert fake_cf_in(tree.path, cf_log, "app", NAME, "--guid").stderr == (
        f"App '{NAME}' not found.\n")


# --- the stage meets each of them -------------------------------------------------------------

def test_a_healthy_canary_is_continued_step_by_step_to_deployed(
        tree: Tree, cf_log: Path, live: RunningServer) -> None:
    output = passed(deploy(tree, cf_log, **STEPS, CANARY_URL=live.url))
    pushed = next(argv for argv in argvs(cf_log) if argv[0] == "push")
    assert pushed[-4:] == ["--strategy", "canary", "--instance-steps", "50,100"]
    assert subcommands(cf_log)[:3] == ["version", "api", "curl"]
    assert subcommands(cf_log).count("continue-deployment") == 2
    assert "strategy canary: cf 8.18.4, Cloud Controller 3.228.0; instance steps 50,100" in output
    assert "step 1/2: process 0c000000-0000-4000-8000-000000000002, 1 canary instance(s)" in output
    assert f"deployment {DEPLOYMENT} DEPLOYED, and the canary passed at {live.url}" in output
    no_secret_leaked([], output)


def test_a_canary_failing_its_checks_is_cancelled_and_the_old_revision_serves(
        tree: Tree, cf_log: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    output = one_line_failure(deploy(tree, cf_log, **BASE, CANARY_URL=dead))
    assert "continue-deployment" not in subcommands(cf_log)
    assert ["cancel-deployment", NAME] in argvs(cf_log)
    assert (f"cancelled deployment {DEPLOYMENT} of {NAME} (revision 8) at step 1/1: the live "
            "checks failed on instance 0") in output
    assert "revision 7 serves again" in output


def test_cf_cancelling_at_the_startup_timeout_is_awaited(tree: Tree, cf_log: Path) -> None:
    output = one_line_failure(deploy(tree, cf_log, **BASE, FAKE_CF_START_MINUTES="6",
                                     CF_STARTUP_TIMEOUT="5"))
    assert (f"cf push waited past CF_STARTUP_TIMEOUT (300 s): cf cancelled deployment "
            f"{DEPLOYMENT} of {NAME} (revision 8) itself; revision 7 serves again") in output
    assert "cancel-deployment" not in subcommands(cf_log)


def test_continue_timing_out_at_a_later_step_is_cf_cancelling(
        tree: Tree, cf_log: Path, live: RunningServer) -> None:
    output = one_line_failure(deploy(tree, cf_log, **STEPS, CANARY_URL=live.url,
                                     FAKE_CF_STUCK_AT_STEP="2"))
    assert "cf continue-deployment waited past CF_STARTUP_TIMEOUT (300 s): cf cancelled" in output
    assert "revision 7 serves again" in output


def test_a_continue_meeting_the_422_waits_for_the_next_pause(
        tree: Tree, cf_log: Path, live: RunningServer) -> None:
    output = passed(deploy(tree, cf_log, **STEPS, CANARY_URL=live.url,
                           FAKE_CF_OTHERS_CONTINUE="1"))
    assert ("cf continue-deployment: Cannot continue a deployment with status: ACTIVE and "
            "reason: DEPLOYING") in output
    assert "step 2/2:" in output and f"deployment {DEPLOYMENT} DEPLOYED" in output


def test_no_active_deployment_when_cancelling_reads_what_happened(
        tree: Tree, cf_log: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    output = one_line_failure(deploy(tree, cf_log, **BASE, CANARY_URL=dead,
                                     FAKE_CF_OTHERS_CANCEL="1"))
    assert f"deployment {DEPLOYMENT} of {NAME} was cancelled outside this stage" in output
    assert "revision 7 serves again" in output


def test_a_superseded_deployment_is_left_to_the_newer_push(
        tree: Tree, cf_log: Path, live: RunningServer) -> None:
    output = one_line_failure(deploy(tree, cf_log, **BASE, CANARY_URL=live.url,
                                     FAKE_CF_RIVAL_PUSH_AFTER="1"))
    assert (f"deployment {DEPLOYMENT} of {NAME} was superseded by a newer push (deployment "
            "de000000-0000-4000-8000-000000000009)") in output
    assert not {"continue-deployment", "cancel-deployment"} & set(subcommands(cf_log))


def test_a_cancel_that_does_not_settle_fails_in_one_line(tree: Tree, cf_log: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    output = one_line_failure(deploy(tree, cf_log, **BASE, CANARY_URL=dead,
                                     FAKE_CF_CANCEL_STUCK="1", CANARY_CANCEL_TIMEOUT="1"))
    assert (f"deployment {DEPLOYMENT} of {NAME} is still ACTIVE/CANCELING 1 s after its cancel "
            "(CANARY_CANCEL_TIMEOUT)") in output


@pytest.mark.parametrize("scenario", ["FAKE_CF_FIRST_DEPLOY", "FAKE_CF_STOPPED"])
def test_a_first_push_or_a_stopped_app_is_checked_with_nothing_to_continue(
        tree: Tree, cf_log: Path, live: RunningServer, scenario: str) -> None:
    output = passed(deploy(tree, cf_log, **BASE, CANARY_URL=live.url, **{scenario: "1"}))
    assert "Cloud Controller deployed it at once (first push or stopped app), nothing to " \
           "continue" in output
    assert "step deployed at once:" in output
    assert not {"continue-deployment", "cancel-deployment"} & set(subcommands(cf_log))


@pytest.mark.parametrize(("platform", "strategy"), [
    ({"FAKE_CF_CLI_VERSION": "8.7.11"}, "rolling"),
    ({"FAKE_CF_CAPI_VERSION": "3.160.0"}, "rolling"),
    ({"FAKE_CF_CAPI_VERSION": "3.180.0"}, "canary")])
def test_the_platform_s_versions_choose_the_strategy(
        tree: Tree, cf_log: Path, live: RunningServer, platform: dict[str, str],
        strategy: str) -> None:
    output = passed(deploy(tree, cf_log, **STEPS, CANARY_URL=live.url, **platform))
    pushed = next(argv for argv in argvs(cf_log) if argv[0] == "push")
    assert pushed[pushed.index("--strategy") + 1] == strategy
    assert "--instance-steps" not in pushed  # the canary one: steps need Cloud Controller 3.189.0
    assert sum(line.startswith(f"deploy: strategy {strategy}") for line in output.splitlines()) \
        == 1


# --- the rehearsal: real servers behind the router stand-in ----------------------------------

def _live_health(url: str, headers: str) -> CompletedProcess[str]:
    return subprocess.run(  # nosec B603
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "live", "-k",
         "health or latency", "pipeline/tests/http/test_contract.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "CANARY_URL": url, "CANARY_HEADERS": headers})


def test_canary_headers_aim_the_live_suite_at_one_instance(
        tmp_path: Path, live: RunningServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    table = tmp_path / "router.json"
    table.write_text(json.dumps({"route": "127.0.0.1", "endpoints": [
        {"process_guid": CANARY_PROCESS, "index": 0, "url": live.url},
        {"process_guid": OLD_PROCESS, "index": 0, "url": dead}]}))
    with router.running(table) as route:
        aimed = _live_health(route.url, f"X-Cf-Process-Instance: {CANARY_PROCESS}:0")
        spread = _live_health(route.url, "")
    assert aimed.returncode == 0, aimed.stdout[-2000:]
    assert spread.returncode != 0  # without the header, every other request meets the dead one


@pytest.mark.parametrize("broken", [True, False], ids=["broken-release", "healthy-release"])
def test_the_rehearsal_cancels_a_broken_release_and_deploys_a_healthy_one(
        tree: Tree, tmp_path: Path, broken: bool) -> None:
    with stage(tmp_path, broken) as env:
        result = tree.nox("-s", "deploy", env=env)
        good, sent = answered_as_documented(env["CANARY_URL"], rounds=3)
    output = result.stdout + result.stderr
    assert (good, sent) == (sent, sent)  # the old release (or the healthy new one) serves
    if broken:
        one_line_failure(result)
        assert f"cancelled deployment {DEPLOYMENT} of {NAME} (revision 8) at step 1/2" in output
        assert "revision 7 serves again" in output
    else:
        assert result.returncode == 0, output[-3000:]
        assert "step 2/2:" in output and f"deployment {DEPLOYMENT} DEPLOYED" in output
