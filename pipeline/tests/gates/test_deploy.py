"""nox -s deploy against the recording cf double: order, secrets, dry run, docker mode, and the
rolling path with its rollback on platforms too old for canaries (cf 8.7). The canary flow of
current platforms is test_canary_gates.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.service import free_port, serve
from pipeline.deploy.settings import app_name
from pipeline.tests.support.double import (
    BASE, CF_PASSWORD, DOCKER_PASSWORD, FAKE_GUID, argvs, calls, deploy, fake_cf,
    no_secret_leaked, one_line_failure)
from pipeline.tests.support.registry import signed_image
from pipeline.tests.support.tree import Tree, failed, passed

DIGEST_REF = "127.0.0.1:5000/app@sha256:" + "ab" * 32
NAME = app_name()  # the manifest's app: the service's own name
OLD = {**BASE, "FAKE_CF_CLI_VERSION": "8.7.11"}  # before canaries: rolling and cf rollback
DOCKER = {**BASE, "DEPLOY_MODE": "docker", "CF_DOCKER_USERNAME": "robot",
          "CF_DOCKER_PASSWORD": DOCKER_PASSWORD, "IMAGE_REF": DIGEST_REF}


@pytest.fixture
def cf_log(tmp_path: Path) -> Path:
    """Where the fake cf records every call, one JSON line each."""
    return tmp_path / "cf-calls.jsonl"


def test_missing_settings_stop_everything_and_are_named_together(tree: Tree, cf_log: Path) -> None:
    output = failed(deploy(tree, cf_log, CF_API="https://api.example.test"))
    assert ("missing required environment variable(s): CF_USERNAME, CF_PASSWORD, CF_ORG, "
            "CF_SPACE, CF_VARS_FILE") in output
    assert "Traceback" not in output
    assert calls(cf_log) == []


def test_docker_mode_also_needs_the_registry_password(tree: Tree, cf_log: Path) -> None:
    output = failed(deploy(tree, cf_log, **BASE, DEPLOY_MODE="docker", IMAGE_REF=DIGEST_REF))
    assert "missing required environment variable(s): CF_DOCKER_PASSWORD" in output
    assert calls(cf_log) == []


def test_dry_run_prints_the_commands_masked_and_calls_nothing(tree: Tree, cf_log: Path) -> None:
    output = passed(deploy(tree, cf_log, "--", "--dry-run", **BASE))
    assert "cf api https://api.cf.example.test" in output
    assert "cf target -o acme -s production" in output
    assert "--strategy rolling" in output and "--strategy canary" in output
    assert f"cf cancel-deployment {NAME}" in output
    assert "CF_PASSWORD=****" in output
    no_secret_leaked([], output)
    assert calls(cf_log) == []


def test_buildpack_deploy_calls_cf_in_order_then_passes_the_canary(
    tree: Tree, cf_log: Path, tmp_path: Path
) -> None:
    with serve(tmp_path / "live.log") as live:
        output = passed(deploy(tree, cf_log, **OLD, CANARY_URL=live.url))
    recorded = calls(cf_log)
    assert [call["argv"][:3] for call in recorded] == [
        ["version"], ["api", "https://api.cf.example.test"], ["curl", "-f", "/"],
        ["auth"], ["target", "-o", "acme"],
        ["app", NAME, "--guid"], ["curl", "-f", f"/v3/apps/{FAKE_GUID}"],
        ["curl", "-f", f"/v3/deployments?app_guids={FAKE_GUID}&status_values=ACTIVE"],
        ["curl", "-f", f"/v3/apps/{FAKE_GUID}/revisions/deployed"],
        ["update-user-provided-service", f"{NAME}-settings", "-p"],
        ["create-user-provided-service", f"{NAME}-settings", "-p"],
        ["push", "-f", str(tree.path / "manifest.yml")],
    ]
    assert recorded[3]["argv"] == ["auth"]
    assert recorded[3]["env"]["CF_USERNAME"] == "deployer"
    assert recorded[3]["env"]["CF_PASSWORD"] == CF_PASSWORD
    assert recorded[-1]["argv"][2:] == [
        str(tree.path / "manifest.yml"), "--vars-file", BASE["CF_VARS_FILE"],
        "--strategy", "rolling"]
    assert "strategy rolling with cf rollback: cf 8.7.11" in output
    assert "canary passed" in output
    no_secret_leaked(recorded, output)


def test_docker_mode_refuses_a_mutable_tag(tree: Tree, cf_log: Path) -> None:
    output = failed(deploy(tree, cf_log, **BASE, DEPLOY_MODE="docker", CF_DOCKER_USERNAME="robot",
                           CF_DOCKER_PASSWORD=DOCKER_PASSWORD, IMAGE_REF="registry/app:latest"))
    assert "IMAGE_REF must pin a digest" in output
    assert calls(cf_log) == []


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Docker mode's variables for an image signed and attested as docker_push does."""
    with signed_image(tmp_path_factory.mktemp("signed")) as (reference, trust_env):
        yield {**DOCKER, "IMAGE_REF": reference, **trust_env}


@pytest.mark.docker
def test_docker_mode_pushes_the_image_by_digest(
    tree: Tree, cf_log: Path, tmp_path: Path, signed: dict[str, str]
) -> None:
    with serve(tmp_path / "live.log") as live:
        output = passed(deploy(tree, cf_log, **signed, CANARY_URL=live.url,
                               FAKE_CF_LIFECYCLE="docker"))
    assert f"verified {signed['IMAGE_REF']}" in output  # before the first cf call
    push = next(call for call in calls(cf_log) if call["argv"][0] == "push")
    assert push["argv"][:3] == ["push", "-f", str(tree.path / "build" / "manifest.docker.yml")]
    assert f"image: {signed['IMAGE_REF']}" in push["manifest"]
    assert "username: robot" in push["manifest"]
    assert "buildpacks" not in push["manifest"]
    assert "command:" not in push["manifest"]  # the image's ENTRYPOINT runs
    assert ["feature-flag", "diego_docker"] in [call["argv"] for call in calls(cf_log)]
    assert push["env"]["CF_DOCKER_PASSWORD"] == DOCKER_PASSWORD
    no_secret_leaked(calls(cf_log), output)


def test_docker_mode_reads_the_reference_docker_push_wrote(tree: Tree, cf_log: Path) -> None:
    tree.plant("build/image-ref.txt", DIGEST_REF + "\n", append=False)
    output = passed(deploy(tree, cf_log, "--", "--dry-run", **BASE, DEPLOY_MODE="docker",
                           CF_DOCKER_USERNAME="robot", CF_DOCKER_PASSWORD=DOCKER_PASSWORD))
    assert f"docker.image={DIGEST_REF}" in output


def test_failing_canary_rolls_back_to_the_previous_revision(tree: Tree, cf_log: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    output = failed(deploy(tree, cf_log, **OLD, CANARY_URL=dead, FAKE_CF_REVISION="41"))
    assert [c["argv"] for c in calls(cf_log)][-1] == ["rollback", NAME, "--version", "41", "-f"]
    assert f"canary failed against {dead}; rolled back {NAME} to revision 41" in output


def test_first_deploy_has_nothing_to_roll_back(tree: Tree, cf_log: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    output = failed(deploy(tree, cf_log, **OLD, CANARY_URL=dead, FAKE_CF_FIRST_DEPLOY="1"))
    assert "no earlier revision to roll back to" in output
    assert not [c for c in calls(cf_log) if c["argv"][0] == "rollback"]


def test_canary_targets_the_route_cf_reports(tree: Tree, cf_log: Path) -> None:
    route = f"127.0.0.1:{free_port()}"
    output = failed(deploy(tree, cf_log, **OLD, FAKE_CF_ROUTE=route))
    assert f"canary failed against https://{route}" in output
    assert calls(cf_log)[-1]["argv"][0] == "rollback"


def test_failed_push_stops_before_the_canary(tree: Tree, cf_log: Path) -> None:
    output = failed(deploy(tree, cf_log, **BASE, CANARY_URL="http://127.0.0.1:9",
                           FAKE_CF_FAIL="push"))
    assert "cf push failed" in output
    assert [c["argv"][0] for c in calls(cf_log)][-1] == "push"


def test_canary_without_url_skips_locally_and_fails_in_ci(tree: Tree) -> None:
    local = passed(tree.nox("-s", "canary", env={"CANARY_URL": "", "CI": ""}))
    assert "CANARY_URL is not set" in local
    in_ci = failed(tree.nox("-s", "canary", env={"CANARY_URL": "", "CI": "true"}))
    assert "CANARY_URL is not set" in in_ci


def test_misspelled_manifest_key_fails_lint(tree: Tree) -> None:
    manifest = tree.path / "manifest.yml"
    manifest.write_text(manifest.read_text().replace("disk_quota:", "disk_qouta:"))
    assert "'disk_qouta' was unexpected" in failed(tree.nox("-s", "manifest"))


# --- Each failure seen against a double that behaves as cf v8 does ------------------


# --- Each failure seen against a double that behaves as cf v8 does ------------------


def _stops_before(subcommand: str, tree: Tree, cf_log: Path, **env: str) -> str:
    """Deploy against a dead canary; the run fails in one line and never reaches `subcommand`."""
    dead = f"http://127.0.0.1:{free_port()}"
    output = one_line_failure(deploy(tree, cf_log, **{"CANARY_URL": dead, **env}))
    assert subcommand not in [argv[0] for argv in argvs(cf_log)]
    return output


def test_api_error_stops_before_the_push(tree: Tree, cf_log: Path) -> None:
    output = _stops_before("push", tree, cf_log, **BASE, FAKE_CF_CURL_STATUS="500")
    assert "The requested URL returned error: 500" in output


def test_a_failing_cf_app_is_not_a_first_deploy(tree: Tree, cf_log: Path) -> None:
    output = _stops_before("push", tree, cf_log, **BASE, FAKE_CF_FAIL="app")
    assert f"cannot tell whether {NAME} exists: Request error" in output


def test_a_warning_on_stderr_does_not_break_the_deploy(
    tree: Tree, cf_log: Path, tmp_path: Path
) -> None:
    with serve(tmp_path / "live.log") as live:
        output = passed(deploy(tree, cf_log, **BASE, CANARY_URL=live.url,
                               FAKE_CF_WARNING="Warning: CF API version is deprecated."))
    assert "canary passed" in output
    assert "Traceback" not in output


def test_an_active_deployment_is_never_pushed_over(tree: Tree, cf_log: Path) -> None:
    output = _stops_before("push", tree, cf_log, **BASE, FAKE_CF_ACTIVE_DEPLOYMENT="1")
    assert f"deployment de000000-0000-4000-8000-000000000008 of {NAME} is still ACTIVE" in output


def test_rollback_returns_to_the_revision_that_served_across_the_version_wrap(
    tree: Tree, cf_log: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    output = failed(deploy(tree, cf_log, **OLD, CANARY_URL=dead, FAKE_CF_REVISION="9999"))
    assert argvs(cf_log)[-1] == ["rollback", NAME, "--version", "9999", "-f"]
    assert f"rolled back {NAME} to revision 9999" in output


def test_a_pruned_revision_is_reported_not_rolled_back_to(tree: Tree, cf_log: Path) -> None:
    output = _stops_before("rollback", tree, cf_log, **OLD, FAKE_CF_PRUNED="1")
    assert "its droplet has been pruned" in output


def test_a_failing_rollback_is_one_line(tree: Tree, cf_log: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    output = one_line_failure(deploy(tree, cf_log, **OLD, CANARY_URL=dead,
                                     FAKE_CF_FAIL="rollback"))
    assert f"canary failed against {dead}; cf rollback to revision 7 failed: Request" in output
    assert argvs(cf_log)[-1][0] == "rollback"


def test_a_push_past_the_startup_timeout_fails_and_says_so(tree: Tree, cf_log: Path) -> None:
    output = one_line_failure(deploy(tree, cf_log, **OLD, CANARY_URL="http://127.0.0.1:9",
                                     FAKE_CF_START_MINUTES="6", CF_STARTUP_TIMEOUT="5"))
    assert "cf push failed: Start app timeout" in output
    assert "may still be ACTIVE" in output


def test_docker_mode_needs_the_registry_username(tree: Tree, cf_log: Path) -> None:
    env = {**DOCKER, "CF_DOCKER_USERNAME": ""}
    output = one_line_failure(deploy(tree, cf_log, **env))
    assert "missing required environment variable(s): CF_DOCKER_USERNAME" in output
    assert calls(cf_log) == []


@pytest.mark.docker
def test_docker_mode_refuses_a_lifecycle_switch(
    tree: Tree, cf_log: Path, signed: dict[str, str]
) -> None:
    output = _stops_before("push", tree, cf_log, **signed)
    assert f"{NAME} is a buildpack app" in output
    assert "deploy with DEPLOY_MODE=buildpack" in output


@pytest.mark.docker
def test_docker_mode_needs_diego_docker(tree: Tree, cf_log: Path, signed: dict[str, str]) -> None:
    output = _stops_before("push", tree, cf_log, **signed, FAKE_CF_LIFECYCLE="docker",
                           FAKE_CF_DIEGO_DOCKER="disabled")
    assert "diego_docker feature flag is disabled" in output


def test_the_double_refuses_what_cf_v8_refuses(cf_log: Path) -> None:
    unknown_flag = fake_cf(cf_log, "push", "--docker-password", "x")
    assert (unknown_flag.returncode, unknown_flag.stderr.splitlines()[0]) == (
        1, "Incorrect Usage: unknown flag `docker-password'")
    unknown_command = fake_cf(cf_log, "v3-push", NAME)
    assert (unknown_command.returncode, unknown_command.stderr) == (
        1, "'v3-push' is not a registered command. See 'cf help -a'\n")
    no_version = fake_cf(cf_log, "rollback", NAME)
    assert no_version.returncode == 1 and "`--version' was not specified" in no_version.stderr


def test_the_double_keeps_stdout_for_results_and_stderr_for_messages(cf_log: Path) -> None:
    untargeted = fake_cf(cf_log, "app", NAME, "--guid")
    assert (untargeted.returncode, untargeted.stdout) == (1, "FAILED\n")
    fake_cf(cf_log, "target", "-o", "acme", "-s", "production")
    found = fake_cf(cf_log, "app", NAME, "--guid", FAKE_CF_WARNING="Warning: old API")
    assert (found.stdout, found.stderr) == (FAKE_GUID + "\n", "Warning: old API\n")
    fresh = cf_log.with_name("first-deploy.jsonl")  # the double's world starts at the first call
    fake_cf(fresh, "target", "-o", "acme", "-s", "production", FAKE_CF_FIRST_DEPLOY="1")
    absent = fake_cf(fresh, "app", NAME, "--guid")
    assert (absent.returncode, absent.stdout, absent.stderr) == (
        1, "FAILED\n", f"App '{NAME}' not found.\n")


def test_the_double_fails_cf_curl_on_http_errors_only_with_f(cf_log: Path) -> None:
    fake_cf(cf_log, "target", "-o", "acme", "-s", "production")
    lenient = fake_cf(cf_log, "curl", "/v3/nowhere")
    assert lenient.returncode == 0
    assert json.loads(lenient.stdout)["errors"][0]["title"] == "CF-ResourceNotFound"
    strict = fake_cf(cf_log, "curl", "-f", "/v3/nowhere")
    assert (strict.returncode, strict.stderr) == (22, "The requested URL returned error: 404\n")
    rolling = cf_log.with_name("rolling.jsonl")
    fake_cf(rolling, "target", "-o", "acme", "-s", "production", FAKE_CF_ACTIVE_DEPLOYMENT="1")
    paged = json.loads(fake_cf(rolling, "curl", f"/v3/apps/{FAKE_GUID}/revisions/deployed",
                               FAKE_CF_PER_PAGE="1").stdout)
    assert paged["pagination"]["total_results"] == 2
    assert paged["pagination"]["next"]["href"].endswith("page=2&per_page=1")
