"""The deploy stage's verdict: read the platform, then a canary deployment or a rolling one.

`python -m pipeline.deploy` (what `nox -s deploy` runs in its own environment) calls `run` and
reports what it returns or raises; nothing here knows nox. The versions come first (`cf version`,
`cf curl /`), and one line says which strategy they allow: on cf >= 8.8.0 and Cloud Controller >=
3.173.0 a canary (pipeline/deploy/canary.py), else today's rolling push, the canary suite, and
`cf rollback` to exactly the revision that served if it fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from pipeline.core.paths import DEPLOY_REPORT
from pipeline.deploy import app_secrets, platform
from pipeline.deploy.canary import Canary, Clock
from pipeline.deploy.cf import Cf
from pipeline.deploy.checks import Checks, LiveChecks
from pipeline.deploy.deployment import Deployment, Revision, dry_run_lines
from pipeline.deploy.report import Report
from pipeline.deploy.settings import DeployError, DeploySettings, load_settings, mask

# Stops the deploy (raising) when the artefact must not ship; runs before any cf call.
Verify = Callable[[DeploySettings], None]

__all__ = ["Checks", "DeployError", "Verify", "dry_run", "run"]


def dry_run(env: Mapping[str, str] | None = None) -> str:
    """The commands a deploy would send, secrets masked; every setting checked, nothing called."""
    env = os.environ if env is None else env
    return "\n".join(dry_run_lines(app_secrets.attach(load_settings(env), env)))


def run(checks: Checks | None = None, *, verify: Verify | None = None,
        env: Mapping[str, str] | None = None, log: Callable[[str], None] | None = None,
        clock: Clock | None = None, report_to: Path = DEPLOY_REPORT) -> str:
    """Deploy and judge it; return the line to report, or raise DeployError with one line.

    `checks` defaults to the live ones (the suite in pytest, figures over HTTP); tests script
    it. What happened, step by step, goes to `report_to` as JSON whatever the outcome.
    """
    env = os.environ if env is None else env
    settings = app_secrets.attach(load_settings(env), env)
    if verify is not None:
        verify(settings)  # the image's signature and attestations, before cf sees anything
    report = Report(settings.app, settings.mode)
    say = log or (lambda _line: None)
    checks = checks or LiveChecks(settings.canary.rounds, say)
    try:
        deployment = Deployment(settings, Cf(say))
        return _deploy(deployment, checks, report, env.get("CANARY_URL", "").strip(), say,
                       clock)
    except DeployError as error:  # cf's own words may quote anything: mask before reporting
        report.finish(report.outcome or "failed", mask(str(error), settings.masked))
        raise DeployError(mask(str(error), settings.masked)) from None
    finally:
        report.line = mask(report.line, settings.masked)
        report.write(report_to)


def _deploy(deployment: Deployment, checks: Checks, report: Report, canary_url: str,
            log: Callable[[str], None], clock: Clock | None) -> str:
    settings = deployment.settings
    cli = platform.cli_version(deployment.cf)
    deployment.point()
    plan = platform.choose(cli, platform.api_version(deployment.cf), settings.canary.steps)
    report.strategy, report.why = plan.strategy, plan.why
    log(plan.why)
    deployment.login()
    served = deployment.live_revision()
    deployment.provide_secrets()  # before the push, whose manifest binds the instance
    if plan.canary:
        url = canary_url or deployment.route_url()
        return Canary(deployment, plan, checks, report, log=log, clock=clock).run(served, url)
    return _rolling(deployment, checks, report, canary_url, served, log)


def _rolling(deployment: Deployment, checks: Checks, report: Report, canary_url: str,
             served: Revision | None, log: Callable[[str], None]) -> str:
    """The push every platform takes: rolling, then the canary suite, then cf rollback."""
    settings = deployment.settings
    try:
        deployment.push()
    except DeployError as error:
        # cf v8 cancels a deployment that does not start within CF_STARTUP_TIMEOUT (cli
        # actor/v7action/application.go PollStartForDeployment); cancelling returns the app to
        # the droplet that served (docs-dev-guide deploy-apps/rolling-deploy.html.md.erb).
        raise DeployError(f"{error}; the rolling deployment may still be ACTIVE: see "
                          f"`cf app {settings.app}`, `cf cancel-deployment {settings.app}` "
                          "returns to the revision that served") from None
    url = canary_url or deployment.route_url()
    suite = checks.suite(url, {})
    log(f"the live checks at {url}: {suite.summary}")
    if suite.passed:
        return report.finish("deployed", f"deployed {settings.app} ({settings.mode}) and the "
                                         f"canary passed at {url}")
    try:
        outcome = deployment.rollback(served)
    except DeployError as error:
        raise DeployError(report.finish("failed", f"canary failed against {url}; {error}")) \
            from None
    raise DeployError(report.finish("rolled back", f"canary failed against {url}; {outcome}"))
