"""One rolling deployment: check it is safe to push, push, and roll back to what served before."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.paths import MANIFEST
from pipeline.deploy.cf import Cf, Resource, require, require_int
from pipeline.deploy.settings import (
    DeployError, DeploySettings, docker_manifest, manifest_path, mask)


@dataclass(frozen=True)
class Revision:
    """The revision that served before the push: its GUID identifies it, versions wrap."""

    guid: str
    version: int


def login_commands(settings: DeploySettings) -> list[list[str]]:
    """Point at the API, authenticate from CF_USERNAME/CF_PASSWORD in the env, target."""
    return [
        ["api", settings.api],
        ["auth"],  # cli command/v7/auth_command.go reads CF_USERNAME and CF_PASSWORD from the env
        ["target", "-o", settings.org, "-s", settings.space],
    ]


def push_command(settings: DeploySettings, manifest: Path) -> list[str]:
    """The rolling push; docker mode's manifest names the image by digest and its username."""
    return ["push", "-f", str(manifest), "--vars-file", str(settings.vars_file),
            "--strategy", "rolling"]


class Deployment:
    """One deployment of the app, driving cf through pipeline.core.cmd."""

    def __init__(self, settings: DeploySettings, cf: Cf | None = None) -> None:
        self.settings = settings
        self.cf = cf or Cf()
        self._guid: str | None = None

    def login(self) -> None:
        """cf api, auth (credentials in the environment, never argv), target."""
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
        return self._serving(self.cf.resources(f"{app}/revisions/deployed"))

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

    def _serving(self, deployed: list[Resource]) -> Revision | None:
        # cc app/fetchers/app_revisions_list_fetcher.rb fetch_deployed: the revisions of every
        # STARTED process; with no ACTIVE deployment that is one revision, or none if stopped.
        path = f"/v3/apps/{self._guid}/revisions/deployed"
        revisions = {require(r, path, "guid"): require_int(r, path, "version") for r in deployed}
        if len(revisions) > 1:
            versions = ", ".join(str(v) for v in sorted(revisions.values()))
            raise DeployError(f"{self.settings.app} serves revisions {versions} at once with no "
                              "ACTIVE deployment; settle it by hand before deploying")
        return next((Revision(g, v) for g, v in revisions.items()), None)

    def push(self) -> None:
        """The rolling push; the registry password reaches cf in its environment only."""
        docker = self.settings.mode == "docker"
        manifest = docker_manifest(self.settings) if docker else MANIFEST
        env = ({"CF_DOCKER_PASSWORD": self.settings.secrets.get("CF_DOCKER_PASSWORD", "")}
               if docker else None)
        self.cf.run(*push_command(self.settings, manifest), env=env)

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
    """The commands a real run would start with, as a reviewer would read them."""
    manifest = manifest_path(settings)
    commands = [*login_commands(settings), push_command(settings, manifest)]
    lines = [mask(" ".join(["cf", *argv]), settings.secrets) for argv in commands]
    env = ", ".join(f"{name}=****" for name in sorted(settings.secrets))
    lines.append(f"# secrets reach cf through its environment only: {env}")
    if settings.mode == "docker":
        lines.append(f"# {manifest.name}: manifest.yml with docker.image={settings.image_ref}, "
                     f"docker.username={settings.docker_username}, no command (the image's "
                     "ENTRYPOINT runs)")
    lines.append("# before pushing: the app's GUID, lifecycle, ACTIVE deployments and the "
                 "revision serving now")
    lines.append("# then: the canary suite against $CANARY_URL or the app's route; "
                 "cf rollback to exactly that revision if it fails")
    return lines
