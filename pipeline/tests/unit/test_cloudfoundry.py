"""pipeline/deploy in-process: the rolling path older platforms take, settings and the dry run.

cf is answered by a recorder (pipeline/tests/support/foundry.py); the canary flow of current
platforms is pipeline/tests/unit/test_canary.py.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

import pytest

from pipeline.core import cmd
from pipeline.core.paths import DOCKER_MANIFEST
from pipeline.deploy import rollout, settings
from pipeline.deploy.cf import Cf
from pipeline.tests.support.foundry import (
    ACTIVE, APP, CF_PASSWORD, DEPLOYED, DOCKER_PASSWORD, ENV, GUID, NAME, Run,
    ScriptedChecks, Script, body, cf_version, foundry, page, recorder, revision)
from pipeline.tests.support.foundry import deploy as run_stage

OLD_CLI = "8.7.11+e01b4e8.2025-01-01"  # before canary deployments: rolling with cf rollback
DOCKER_ENV = {**ENV, "DEPLOY_MODE": "docker", "CF_DOCKER_USERNAME": "robot",
              "CF_DOCKER_PASSWORD": DOCKER_PASSWORD,
              "IMAGE_REF": "r.example/app@sha256:" + "ab" * 32}


def rolling(**changes: Script) -> dict[tuple[str, ...], Script]:
    """An app serving revision 7 on a platform too old for canaries (cf 8.7)."""
    return foundry(**{"version": cf_version(OLD_CLI), **changes})


def deploy(answers: Mapping[tuple[str, ...], Script], canary_passes: bool = False,
           env: Mapping[str, str] | None = None, **options: Any) -> tuple[Any, str]:
    """Run the stage in-process with the canary suite passing or not."""
    run: Run = run_stage(answers, ScriptedChecks(passes=canary_passes), env, **options)
    return run.record, run.outcome


def subcommands(record: Any) -> list[str]:
    """The cf subcommands in call order."""
    return [argv[1] for argv in record.argvs()]


VERSIONS = [["cf", "version"], ["cf", "api", "https://api.example.test"], ["cf", "curl", "-f", "/"]]


def test_a_passing_canary_deploys_after_the_checks_in_order() -> None:
    record, outcome = deploy(rolling(), canary_passes=True)
    assert outcome == (f"deployed {NAME} (buildpack) and the canary passed at "
                       "https://app.example.test")
    assert record.argvs()[:9] == [
        *VERSIONS, ["cf", "auth"], ["cf", "target", "-o", "acme", "-s", "prod"],
        ["cf", "app", NAME, "--guid"], ["cf", "curl", "-f", APP], ["cf", "curl", "-f", ACTIVE],
        ["cf", "curl", "-f", DEPLOYED]]
    assert record.argvs()[9][:4] == ["cf", "update-user-provided-service", f"{NAME}-settings",
                                     "-p"]
    assert record.argvs()[10][:2] == ["cf", "push"]
    assert record.argvs()[10][-2:] == ["--strategy", "rolling"]
    assert record.calls[3].env == {"CF_USERNAME": "deployer", "CF_PASSWORD": CF_PASSWORD}


def test_a_failing_canary_rolls_back_to_the_revision_that_served() -> None:
    record, outcome = deploy(rolling())
    assert record.argvs()[-1] == ["cf", "rollback", NAME, "--version", "7", "-f"]
    assert outcome == ("ERROR canary failed against https://app.example.test; "
                       f"rolled back {NAME} to revision 7")


def test_first_deploy_only_when_cf_says_not_found() -> None:
    answers = rolling(app=(1, "FAILED\n", f"App '{NAME}' not found.\n"))
    record, outcome = deploy(answers)
    assert subcommands(record) == ["version", "api", "curl", "auth", "target", "app",
                                   "update-user-provided-service", "push"]
    assert outcome.startswith("ERROR canary failed against https://app.example.test; "
                              "no earlier revision to roll back to (first deploy)")


def test_any_other_cf_app_failure_stops_before_pushing() -> None:
    answers = rolling(app=(1, "FAILED\n", "Request error: dial tcp: i/o timeout\nTIP: proxy\n"))
    record, outcome = deploy(answers)
    assert "push" not in subcommands(record)
    assert outcome == (f"ERROR cannot tell whether {NAME} exists: Request error: dial tcp: i/o "
                       "timeout")


def test_an_api_error_stops_before_pushing() -> None:
    failure = (22, "FAILED\n", "The requested URL returned error: 503\n")
    answers = rolling(**{f"curl -f {DEPLOYED}": failure})
    record, outcome = deploy(answers)
    assert "push" not in subcommands(record)
    assert outcome == f"ERROR cf curl {DEPLOYED} failed: The requested URL returned error: 503"


def test_every_api_read_asks_cf_curl_to_fail_on_http_errors() -> None:
    record, _ = deploy(rolling())
    assert all(argv[2] == "-f" for argv in record.argvs() if argv[1] == "curl")


def test_a_warning_on_stderr_stays_out_of_the_guid() -> None:
    answers = rolling(app=(0, GUID + "\n", "Warning: CF API version is deprecated.\n"))
    record, outcome = deploy(answers, canary_passes=True)
    assert outcome.startswith(f"deployed {NAME}")
    assert ["cf", "curl", "-f", DEPLOYED] in record.argvs()


def test_anything_but_a_guid_on_stdout_is_refused() -> None:
    record, outcome = deploy(rolling(app=(0, "Getting app info...\n" + GUID, "")))
    assert outcome.startswith(f"ERROR `cf app {NAME} --guid` printed no GUID")
    assert "push" not in subcommands(record)


def test_a_missing_field_is_named() -> None:
    record, outcome = deploy(rolling(**{f"curl -f {DEPLOYED}": (0, '{"pagination": {}}', "")}))
    assert outcome == f"ERROR Cloud Controller answered {DEPLOYED} without resources"
    assert "push" not in subcommands(record)


def test_pages_are_followed_to_the_last() -> None:
    second = f"{DEPLOYED}?page=2&per_page=1"
    answers = rolling(**{f"curl -f {DEPLOYED}": page(following=second),
                         f"curl -f {second}": page(revision(7))})
    record, _ = deploy(answers)
    assert ["cf", "curl", "-f", second] in record.argvs()
    assert record.argvs()[-1] == ["cf", "rollback", NAME, "--version", "7", "-f"]


def test_an_active_deployment_is_never_pushed_over() -> None:
    active = {"guid": "de00-8", "status": {"value": "ACTIVE", "reason": "DEPLOYING"}}
    record, outcome = deploy(rolling(**{f"curl -f {ACTIVE}": page(active)}))
    assert outcome == (f"ERROR deployment de00-8 of {NAME} is still ACTIVE (DEPLOYING); wait for "
                       f"it to finish or run `cf cancel-deployment {NAME}`, then deploy")
    assert "push" not in subcommands(record)


def test_two_serving_revisions_without_a_deployment_are_refused() -> None:
    record, outcome = deploy(rolling(**{f"curl -f {DEPLOYED}": page(revision(7), revision(8))}))
    assert outcome.startswith(f"ERROR {NAME} serves revisions 7, 8 at once")
    assert "push" not in subcommands(record)


def test_rollback_after_the_version_wrap_targets_the_revision_that_served() -> None:
    answers = rolling(**{f"curl -f {DEPLOYED}": page(revision(9999)),
                         f"curl -f /v3/revisions/{revision(9999)['guid']}": body(revision(9999))})
    record, outcome = deploy(answers)
    assert record.argvs()[-1] == ["cf", "rollback", NAME, "--version", "9999", "-f"]
    assert outcome.endswith(f"rolled back {NAME} to revision 9999")


def test_a_reused_version_number_is_not_rolled_back_to() -> None:
    reused = {**revision(7), "version": 1}
    record, outcome = deploy(rolling(**{f"curl -f /v3/revisions/{reused['guid']}": body(reused)}))
    assert "no longer has version 7" in outcome
    assert "rollback" not in subcommands(record)


def test_a_pruned_revision_is_reported_not_rolled_back_to() -> None:
    pruned = revision(7, deployable=False)
    record, outcome = deploy(rolling(**{f"curl -f /v3/revisions/{pruned['guid']}": body(pruned)}))
    assert outcome.endswith(f"revision 7 of {NAME} cannot be rolled back to: its droplet has been "
                            "pruned; redeploy a known good build")
    assert "rollback" not in subcommands(record)


def test_a_deleted_revision_is_reported() -> None:
    gone = (22, "FAILED\n", "The requested URL returned error: 404\n")
    record, outcome = deploy(rolling(**{f"curl -f /v3/revisions/{revision(7)['guid']}": gone}))
    assert (f"revision 7 (5e0a0000-0000-4000-8000-000000000007) of {NAME} can no longer be read"
            in outcome)
    assert "rollback" not in subcommands(record)


def test_a_failing_rollback_is_one_line() -> None:
    failure = (1, "FAILED\n", "Unable to deploy this revision, the droplet for this revision "
                              "no longer exists.\n")
    _, outcome = deploy(rolling(rollback=failure))
    assert outcome == ("ERROR canary failed against https://app.example.test; cf rollback to "
                       "revision 7 failed: Unable to deploy this revision, the droplet for this "
                       "revision no longer exists.")


def test_a_push_past_the_startup_timeout_says_the_deployment_may_be_active() -> None:
    timeout = (1, "FAILED\n", "Start app timeout\n\nTIP: Application must be listening on the "
                              f"right port.\n\nUse 'cf logs {NAME} --recent' for more "
                              "information\n")
    record, outcome = deploy(rolling(push=timeout))
    assert outcome.startswith("ERROR cf push failed: Start app timeout; the rolling deployment "
                              "may still be ACTIVE")
    assert subcommands(record)[-1] == "push"


def test_the_route_is_the_canary_target_without_canary_url() -> None:
    routes = page({"url": "app.apps.example.test"})
    _, outcome = deploy(rolling(**{f"curl -f {APP}/routes": routes}), canary_passes=True,
                        env={**ENV, "CANARY_URL": ""})
    assert outcome.endswith("the canary passed at https://app.apps.example.test")


def test_docker_mode_needs_the_registry_username() -> None:
    record, outcome = deploy(rolling(), env={**DOCKER_ENV, "CF_DOCKER_USERNAME": ""})
    assert outcome == "ERROR missing required environment variable(s): CF_DOCKER_USERNAME"
    assert not record.calls


def test_docker_mode_refuses_a_lifecycle_switch() -> None:
    record, outcome = deploy(rolling(), env=DOCKER_ENV)
    assert outcome == (f"ERROR {NAME} is a buildpack app and Cloud Controller cannot change an "
                       "app's lifecycle to docker: deploy with DEPLOY_MODE=buildpack, or push the "
                       "docker app under a new name and move the route to it")
    assert "push" not in subcommands(record)


def test_buildpack_mode_refuses_a_docker_app_too() -> None:
    docker_app = body({"guid": GUID, "lifecycle": {"type": "docker"}})
    _, outcome = deploy(rolling(**{f"curl -f {APP}": docker_app}))
    assert "deploy with DEPLOY_MODE=docker" in outcome


def test_docker_mode_needs_diego_docker() -> None:
    disabled = (0, "Features       State\ndiego_docker   disabled\n", "")
    record, outcome = deploy(rolling(**{"feature-flag": disabled}), env=DOCKER_ENV)
    assert outcome.startswith("ERROR the diego_docker feature flag is disabled")
    assert subcommands(record) == ["version", "api", "curl", "auth", "target", "feature-flag"]


def test_docker_mode_pushes_by_digest_with_the_image_entrypoint() -> None:
    docker_app = body({"guid": GUID, "lifecycle": {"type": "docker"}})
    record, outcome = deploy(rolling(**{f"curl -f {APP}": docker_app}), canary_passes=True,
                             env=DOCKER_ENV)
    assert outcome.startswith(f"deployed {NAME} (docker)")
    push = record.calls[-1]
    assert push.argv[:3] == ("cf", "push", "-f")
    assert push.env == {"CF_DOCKER_PASSWORD": DOCKER_PASSWORD}
    manifest = DOCKER_MANIFEST.read_text(encoding="utf-8")
    assert f"image: {DOCKER_ENV['IMAGE_REF']}" in manifest and "username: robot" in manifest
    assert "command:" not in manifest and "buildpacks:" not in manifest


def test_verification_runs_before_any_cf_call() -> None:
    seen: list[str] = []

    def refuse(deploying: settings.DeploySettings) -> None:
        seen.append(deploying.mode)
        raise rollout.DeployError("image signature does not verify")

    record, outcome = deploy(rolling(), verify=refuse)
    assert (seen, outcome, record.calls) == (["buildpack"], "ERROR image signature does not "
                                             "verify", [])


def test_dry_run_calls_nothing_and_masks_secrets() -> None:
    record = recorder(rolling())
    with cmd.using(record):
        outcome = rollout.dry_run(ENV)
    assert not record.calls
    assert "cf push -f" in outcome and "CF_PASSWORD=****" in outcome
    assert "--strategy canary" in outcome and "--strategy rolling" in outcome
    assert f"cf cancel-deployment {NAME}" in outcome and f"cf continue-deployment {NAME}" in outcome


def test_cf_feature_flag_without_a_state_line_is_an_error() -> None:
    with cmd.using(recorder({("feature-flag",): (0, "Getting info...\n", "")})):
        with pytest.raises(settings.DeployError, match="printed no state for diego_docker"):
            Cf().feature_enabled("diego_docker")


def test_every_occurrence_of_every_secret_is_masked_longest_first() -> None:
    secrets = {"CF_PASSWORD": "hunter22",  # pragma: allowlist secret
               "CF_DOCKER_PASSWORD": "hunter22-and-more"}  # pragma: allowlist secret
    line = settings.mask("auth hunter22 --x=hunter22 push hunter22-and-more", secrets)
    assert line == "auth **** --x=**** push ****"


@pytest.mark.parametrize("name", ["CF_PASSWORD", "CF_DOCKER_PASSWORD"])
def test_a_secret_too_short_to_mask_safely_is_refused_before_any_cf_call(name: str) -> None:
    record, outcome = deploy(rolling(), env={**DOCKER_ENV, name: "p"})
    assert outcome == (f"ERROR {name} is shorter than 8 characters: set the real credential "
                       "(a value that short would be masked inside ordinary words)")
    assert not record.calls


def test_the_dry_run_masks_the_secret_and_leaves_words_whole() -> None:
    with cmd.using(recorder(rolling())):
        outcome = rollout.dry_run({**DOCKER_ENV, "CF_DOCKER_PASSWORD": "pipeline"})
    assert "pipeline" not in outcome and "cf api https://" in outcome


def test_only_digest_references_deploy() -> None:
    assert settings.DIGEST_REF.match("r.example/app@sha256:" + "0" * 64)
    assert not settings.DIGEST_REF.match("r.example/app:latest")
    assert not settings.DIGEST_REF.match("r.example/app@sha256:abc")


def test_a_secret_quoted_by_cf_is_masked_in_the_error() -> None:
    _, outcome = deploy(rolling(push=(1, "FAILED\n", f"invalid password {CF_PASSWORD}\n")))
    assert "invalid password ****" in outcome


def test_a_version_that_is_not_a_number_is_named() -> None:
    odd = {**revision(7), "version": "7"}
    _, outcome = deploy(rolling(**{f"curl -f {DEPLOYED}": page(odd)}))
    assert outcome == f"ERROR Cloud Controller answered {DEPLOYED} with a non-integer version"


def test_each_cf_command_is_logged_as_it_starts() -> None:
    run = run_stage(rolling(), ScriptedChecks(passes=True))
    assert [line for line in run.lines if line.startswith("cf ")] == [
        shlex.join(argv) for argv in run.record.argvs()]
    assert "cf auth" in run.lines and not any(CF_PASSWORD in line for line in run.lines)


def test_not_found_counts_only_as_cf_s_own_error_not_inside_a_warning() -> None:
    warned = (1, "FAILED\n", f"Warning: App '{NAME}' not found. in cache\nRequest error: timeout\n")
    record, outcome = deploy(rolling(app=warned))
    assert outcome == f"ERROR cannot tell whether {NAME} exists: Request error: timeout"
    assert "push" not in subcommands(record)
