"""One deployment of the app: check it is safe to push, push, read it, roll back to what served.

Cloud Controller is read through `cf curl -f` (pipeline/deploy/cf.py); the canary flow that
steps a paused deployment is pipeline/deploy/canary.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.paths import MANIFEST
from pipeline.deploy import app_secrets
from pipeline.deploy.cf import Cf, Resource, last_line, require, require_int
from pipeline.deploy.platform import Plan
from pipeline.deploy.settings import (
    DeployError, DeploySettings, docker_manifest, manifest_path, mask)


@dataclass(frozen=True)
class Revision:
    """The revision that served before the push: its GUID identifies it, versions wrap."""

    guid: str
    version: int


def api_command(settings: DeploySettings) -> list[str]:
    """Point cf at the API: `cf curl /` then reads the platform's version before any login."""
    return ["api", settings.api]


def login_commands(settings: DeploySettings) -> list[list[str]]:
    """Authenticate from CF_USERNAME/CF_PASSWORD in the env, then target."""
    return [
        ["auth"],  # cli command/v7/auth_command.go reads CF_USERNAME and CF_PASSWORD from the env
        ["target", "-o", settings.org, "-s", settings.space],
    ]


ROLLING = Plan("rolling", (), "")


def push_command(settings: DeploySettings, manifest: Path, plan: Plan = ROLLING) -> list[str]:
    """The push with its strategy (and canary steps); docker mode's manifest names the image by
    digest and its username."""
    steps = ["--instance-steps", ",".join(map(str, plan.steps))] if plan.steps else []
    return ["push", "-f", str(manifest), "--vars-file", str(settings.vars_file),
            "--strategy", plan.strategy, *steps]


class Deployment:
    """One deployment of the app, driving cf through pipeline.core.cmd."""

    def __init__(self, settings: DeploySettings, cf: Cf | None = None) -> None:
        self.settings = settings
        self.cf = cf or Cf()
        self._guid: str | None = None

    def point(self) -> None:
        """cf api."""
        self.cf.run(*api_command(self.settings))

    def login(self) -> None:
        """cf auth (credentials in the environment, never argv), then cf target."""
        credentials = {"CF_USERNAME": self.settings.username,
                       "CF_PASSWORD": self.settings.secrets.get("CF_PASSWORD", "")}
        for argv in login_commands(self.settings):
            self.cf.run(*argv, env=credentials if argv == ["auth"] else None)

    def live_revision(self) -> Revision | None:
        """Check the app can take this push; return the revision serving now (None: first)."""
        if self.settings.mode == "docker" and not self.cf.feature_enabled("diego_docker"):
            # cc app/messages/app_manifest_message.rb refuses docker unless diego_docker is on
            raise DeployError("the diego_docker feature flag is disabled on this foundation, so "
                              "it cannot run docker apps; ask an admin for `cf enable-feature-flag "
                              "diego_docker`, or deploy with DEPLOY_MODE=buildpack")
        self._guid = self.cf.app_guid(self.settings.app)
        if self._guid is None:
            return None
        app = f"/v3/apps/{self._guid}"
        self._refuse_lifecycle_switch(require(self.cf.get(app), app, "lifecycle", "type"))
        self._refuse_active_deployment()
        return self._serving()

    def _refuse_lifecycle_switch(self, current: str) -> None:
        # cc app/actions/app_update.rb: "Lifecycle type cannot be changed"
        if current != self.settings.mode:
            name = self.settings.app
            raise DeployError(
                f"{name} is a {current} app and Cloud Controller cannot change an app's "
                f"lifecycle to {self.settings.mode}: deploy with DEPLOY_MODE={current}, or push "
                f"the {self.settings.mode} app under a new name and move the route to it")

    def _refuse_active_deployment(self) -> None:
        # cc app/models/runtime/deployment_model.rb: status.value ACTIVE until FINALIZED
        path = f"/v3/deployments?app_guids={self._guid}&status_values=ACTIVE"
        active = self.cf.resources(path)
        if active:
            guid = require(active[0], path, "guid")
            reason = require(active[0], path, "status", "reason")
            raise DeployError(
                f"deployment {guid} of {self.settings.app} is still ACTIVE ({reason}); wait for "
                f"it to finish or run `cf cancel-deployment {self.settings.app}`, then deploy")

    def _serving(self) -> Revision | None:
        # cc app/fetchers/app_revisions_list_fetcher.rb fetch_deployed: the revisions of every
        # STARTED process; with no ACTIVE deployment that is one revision, or none if stopped.
        revisions = self.deployed_revisions()
        if len(revisions) > 1:
            versions = ", ".join(str(v) for v in sorted(revisions.values()))
            raise DeployError(f"{self.settings.app} serves revisions {versions} at once with no "
                              "ACTIVE deployment; settle it by hand before deploying")
        return next((Revision(g, v) for g, v in revisions.items()), None)

    def provide_secrets(self) -> None:
        """Update the user-provided service instance the manifest binds, or create it the first
        time; the credentials go in a private file, never in argv."""
        name = app_secrets.instance_name(self.settings.app)
        with app_secrets.credentials_file(self.settings.app_secrets) as path:
            # update first: create on a taken name says "already exists" and keeps the old
            # credentials (cli command/v7/create_user_provided_service_command.go)
            updated = self.cf.attempt("update-user-provided-service", name, "-p", str(path))
            if updated.ok:
                return
            if last_line(updated) != f"Service instance '{name}' not found":
                raise DeployError(f"cf update-user-provided-service {name} failed: "
                                  f"{last_line(updated)}")
            self.cf.run("create-user-provided-service", name, "-p", str(path))

    def push(self, plan: Plan = ROLLING) -> None:
        """Push with the plan's strategy; the registry password reaches cf in its environment
        only."""
        docker = self.settings.mode == "docker"
        manifest = docker_manifest(self.settings) if docker else MANIFEST
        env = ({"CF_DOCKER_PASSWORD": self.settings.secrets.get("CF_DOCKER_PASSWORD", "")}
               if docker else None)
        self.cf.run(*push_command(self.settings, manifest, plan), env=env)

    @property
    def app_guid(self) -> str:
        """The app's GUID; a first deploy learns it after the push created the app."""
        self._guid = self._guid or self.cf.app_guid(self.settings.app)
        if self._guid is None:
            raise DeployError(f"cf reports no app {self.settings.app} after pushing it")
        return self._guid

    def deployment(self, guid: str) -> Resource:
        """One deployment as Cloud Controller shows it (cc app/presenters/v3/
        deployment_presenter.rb)."""
        return self.cf.get(f"/v3/deployments/{guid}")

    def newest_deployment(self) -> Resource:
        """The app's most recent deployment, whatever its status (the push just made it)."""
        path = f"/v3/deployments?app_guids={self.app_guid}&order_by=-created_at&per_page=1"
        found = require(self.cf.get(path), path, "resources")
        if not isinstance(found, list) or not found:
            raise DeployError(f"Cloud Controller lists no deployment of {self.settings.app} "
                              "after the push")
        newest: Resource = found[0]
        return newest

    def active_deployment_guid(self) -> str | None:
        """The app's ACTIVE deployment, as cf's continue/cancel find it (cli actor/v7action/
        deployment.go GetLatestActiveDeploymentForApp)."""
        path = (f"/v3/deployments?app_guids={self.app_guid}&status_values=ACTIVE"
                "&order_by=-created_at&per_page=1")
        found = require(self.cf.get(path), path, "resources")
        return str(require(found[0], path, "guid")) if isinstance(found, list) and found else None

    def web_processes(self) -> list[str]:
        """The GUIDs of the app's web processes, oldest first (cc app/presenters/v3/
        process_presenter.rb); mid-deployment the new one is among them."""
        path = f"/v3/apps/{self.app_guid}/processes?types=web"
        return [str(require(process, path, "guid")) for process in self.cf.resources(path)]

    def running(self, process: str) -> list[int]:
        """The indexes of a process's RUNNING instances (cc app/presenters/v3/
        process_stats_presenter.rb), which the router sends requests to."""
        path = f"/v3/processes/{process}/stats"
        stats = require(self.cf.get(path), path, "resources")
        return [require_int(entry, path, "index") for entry in stats
                if isinstance(entry, dict) and entry.get("state") == "RUNNING"]

    def deployed_revisions(self) -> dict[str, int]:
        """The revisions the app's STARTED processes run, GUID to version."""
        path = f"/v3/apps/{self.app_guid}/revisions/deployed"
        return {str(require(r, path, "guid")): require_int(r, path, "version")
                for r in self.cf.resources(path)}

    def route_url(self) -> str:
        """The app's first route as Cloud Foundry reports it, as an https URL."""
        guid = self._guid or self.cf.app_guid(self.settings.app)
        path = f"/v3/apps/{guid}/routes"
        routes = self.cf.resources(path) if guid else []
        if not routes:
            raise DeployError(f"cf reports no route for {self.settings.app}; set CANARY_URL")
        return f"https://{require(routes[0], path, 'url')}"

    def rollback(self, served: Revision | None) -> str:
        """Return to exactly the revision that served before the push, or say why not."""
        name = self.settings.app
        if served is None:
            raise DeployError("no earlier revision to roll back to (first deploy): "
                              f"{name} stays on the build that failed; `cf stop {name}` if needed")
        path = f"/v3/revisions/{served.guid}"
        try:
            revision = self.cf.get(path)
        except DeployError as error:
            raise DeployError(f"revision {served.version} ({served.guid}) of {name} can no "
                              f"longer be read, so no rollback: {error}") from None
        # Versions wrap from 9999 to 1 and a reused number replaces the old revision
        # (cc app/actions/revision_create.rb), so the GUID must still carry our version.
        if require_int(revision, path, "version") != served.version:
            raise DeployError(f"revision {served.guid} of {name} no longer has version "
                              f"{served.version}; roll back by hand (cf revisions {name})")
        # cc lib/cloud_controller/deployments/deployment_target_state.rb: a pruned droplet
        # cannot be deployed; app/presenters/v3/revision_presenter.rb shows it as deployable.
        if require(revision, path, "deployable") is not True:
            raise DeployError(f"revision {served.version} of {name} cannot be rolled back to: "
                              "its droplet has been pruned; redeploy a known good build")
        self.cf.run("rollback", name, "--version", str(served.version), "-f",
                    doing=f"cf rollback to revision {served.version}")
        return f"rolled back {name} to revision {served.version}"


def dry_run_lines(settings: DeploySettings) -> list[str]:
    """The commands a real run would send, both strategies, as a reviewer would read them."""
    manifest, canary, app = manifest_path(settings), settings.canary, settings.app
    steps = ",".join(map(str, canary.steps))
    plan = Plan("canary", canary.steps, "")

    def cf(argv: list[str]) -> str:
        return mask(" ".join(["cf", *argv]), settings.masked)

    env = ", ".join(f"{name}=****" for name in sorted(settings.secrets))
    lines = [cf(["version"]), cf(api_command(settings)), cf(["curl", "-f", "/"]),
             "# the strategy: canary on cf >= 8.8.0 and Cloud Controller >= 3.173.0 "
             "(links.cloud_controller_v3.meta.version), else rolling; one line says which",
             *map(cf, login_commands(settings)),
             f"# secrets reach cf through its environment only: {env}"]
    if settings.mode == "docker":
        lines.append(f"# {manifest.name}: manifest.yml with docker.image={settings.image_ref}, "
                     f"docker.username={settings.docker_username}, no command (the image's "
                     "ENTRYPOINT runs)")
    lines += [
        "# before pushing: the app's GUID, lifecycle, ACTIVE deployments and the revision "
        "serving now",
        f"# then the API's secrets ({', '.join(sorted(settings.app_secrets)) or 'none'}) from a "
        "private JSON file, to the instance manifest.yml binds:",
        cf(["update-user-provided-service", app_secrets.instance_name(app), "-p", "FILE"]),
        f"{cf(['create-user-provided-service', app_secrets.instance_name(app), '-p', 'FILE'])}"
        "   # when cf says it is not found (a first deploy)",
        f"# canary (CANARY_STEPS={steps or 'unset: one canary instance, then all'}; "
        "--instance-steps only from Cloud Controller 3.189.0):",
        cf(push_command(settings, manifest, plan)),
        "#   at each pause (ACTIVE/PAUSED): the live checks on every canary instance "
        "(X-Cf-Process-Instance: <new process guid>:<index>) and figures beside the old process "
        f"in the same window: errors <= baseline + {canary.error_margin_pct:g} points, p95 <= "
        f"{canary.p95_factor:g} x baseline + {canary.p95_slack_ms:g} ms",
        f"{cf(['continue-deployment', app])}   # passed: the next step, at last FINALIZED/DEPLOYED",
        f"{cf(['cancel-deployment', app])}   # failed: poll to FINALIZED/CANCELED (at most "
        f"{canary.cancel_timeout_s:g} s), then the old revision must be the one serving",
        "# older platforms: rolling, then the canary suite at $CANARY_URL or the app's route, "
        "and cf rollback to exactly the revision that served if it fails:",
        cf(push_command(settings, manifest)),
    ]
    return lines
