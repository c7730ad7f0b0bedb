"""The deploy stage's verdict: push, run the canary, and roll back to what served if it fails.

`nox -s deploy` calls `run` and reports what it returns or raises; nothing here knows nox.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from pipeline.deploy.cf import Cf
from pipeline.deploy.deployment import Deployment, dry_run_lines
from pipeline.deploy.settings import DeployError, DeploySettings, load_settings, mask

# Given the URL of the live deployment, tell whether the canary suite passed there.
Canary = Callable[[str], bool]
# Stops the deploy (raising) when the artefact must not ship; runs before any cf call.
Verify = Callable[[DeploySettings], None]

__all__ = ["Canary", "DeployError", "Verify", "run"]


def run(canary: Canary, *, dry_run: bool = False, verify: Verify | None = None,
        env: Mapping[str, str] | None = None, log: Callable[[str], None] | None = None) -> str:
    """Deploy and judge it; return the line to report, or raise DeployError with one line."""
    env = os.environ if env is None else env
    settings = load_settings(env)
    if dry_run:
        return "\n".join(dry_run_lines(settings))
    if verify is not None:
        verify(settings)  # the image's signature and attestations, before cf sees anything
    try:
        deployment = Deployment(settings, Cf(log))
        return _deploy(deployment, canary, env.get("CANARY_URL", "").strip())
    except DeployError as error:  # cf's own words may quote anything: mask before reporting
        raise DeployError(mask(str(error), settings.secrets)) from None


def _deploy(deployment: Deployment, canary: Canary, canary_url: str) -> str:
    settings = deployment.settings
    deployment.login()
    served = deployment.live_revision()
    try:
        deployment.push()
    except DeployError as error:
        # A failed push can leave its deployment ACTIVE on Cloud Controller (cli
        # actor/v7action/application.go stops waiting at CF_STARTUP_TIMEOUT); cancelling reverts
        # the app (docs-dev-guide deploy-apps/rolling-deploy.html.md.erb, "Cancel a deployment").
        raise DeployError(f"{error}; the rolling deployment may still be ACTIVE: see "
                          f"`cf app {settings.app}`, `cf cancel-deployment {settings.app}` "
                          "returns to the revision that served") from None
    url = canary_url or deployment.route_url()
    if canary(url):
        return f"deployed {settings.app} ({settings.mode}) and the canary passed at {url}"
    try:
        outcome = deployment.rollback(served)
    except DeployError as error:
        raise DeployError(f"canary failed against {url}; {error}") from None
    raise DeployError(f"canary failed against {url}; {outcome}")
