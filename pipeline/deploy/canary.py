"""A canary deployment as Cloud Foundry runs it: pushed paused, checked at each pause, continued
to DEPLOYED or cancelled back to the revision that served.

`cf push --strategy canary` returns once the deployment is ACTIVE/PAUSED with the canary's
instances up beside the old ones on the same route, or FINALIZED/DEPLOYED at once for a first
push or a stopped app (cli actor/v7action/application.go isDeployProcessed; cc app/actions/
deployment_create.rb). At each pause the checks (pipeline/deploy/checks.py) aim at the canary
process from the deployment's new_processes and at the old process, in the same window; then
`cf continue-deployment` (it waits for the next pause or DEPLOYED) or `cf cancel-deployment` (it
returns at once: the stage polls until FINALIZED/CANCELED and checks the old revision serves).
Cancelling reverts the droplet only, never environment variables or service bindings (cc
app/actions/deployment_cancel.rb; docs-dev-guide deploy-apps/rolling-deploy.html.md.erb).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.deploy.cf import Resource, last_line, require
from pipeline.deploy.checks import Checks, Figures, Verdict, instance, judge
from pipeline.deploy.deployment import Deployment, Revision
from pipeline.deploy.platform import Plan
from pipeline.deploy.report import Report, Step
from pipeline.deploy.settings import DeployError

Status = tuple[str, str]
PAUSED: Status = ("ACTIVE", "PAUSED")
DEPLOYED: Status = ("FINALIZED", "DEPLOYED")
CANCELED: Status = ("FINALIZED", "CANCELED")
# cf's own words (cli actor/actionerror/deployment_not_found_error.go, actor/v7action/
# application.go getDeployment, actor/actionerror/startup_timeout_error.go,
# command/translatableerror/startup_timeout_error.go) and Cloud Controller's 422s (cc
# app/actions/deployment_continue.rb, deployment_cancel.rb reject_invalid_state!).
NO_ACTIVE = "No active deployment found for app."
MOVED_ON = ("Cannot continue a deployment with status", "Cannot cancel a deployment with status",
            NO_ACTIVE, "Deployment has been superseded", "Deployment has been canceled")
TIMED_OUT = ("Timed out waiting for application", "Start app timeout")


def status_of(resource: Resource, path: str = "deployment") -> Status:
    """A deployment's status.value and status.reason (cc deployment_model.rb)."""
    return (str(require(resource, path, "status", "value")),
            str(require(resource, path, "status", "reason")))


@dataclass
class Clock:
    """Time as the flow waits on it; tests pass their own."""

    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.monotonic


@dataclass
class _Memory:
    """What the flow learnt on the way: the last baseline, and whether any pause was checked."""

    baseline: Figures | None = None
    baseline_step: str = ""
    checked: list[str] = field(default_factory=list)


class Canary:  # pylint: disable=too-few-public-methods  # one flow: its state, one way in
    """One canary deployment of the app, from push to DEPLOYED or to the old revision again."""

    def __init__(self, deployment: Deployment, plan: Plan, checks: Checks, report: Report,
                 *, log: Callable[[str], None], clock: Clock | None = None) -> None:
        self.deployment = deployment
        self.plan = plan
        self.checks = checks
        self.report = report
        self.settings = deployment.settings.canary
        self.app, self.mode = deployment.settings.app, deployment.settings.mode
        self._log = log
        self._clock = clock or Clock()
        self._memory = _Memory()
        self.guid = ""
        self.version = 0

    def run(self, served: Revision | None, url: str) -> str:
        """Push paused, step through the pauses; the line to report, or DeployError."""
        self._push(served)
        for _ in range(len(self.plan.steps or (1,)) + 3):  # every step, plus moves by others
            resource = self._settle(served)
            status = status_of(resource)
            if status == DEPLOYED:
                return self._deployed(served, url)
            if status != PAUSED:
                raise self._finished_elsewhere(served, status)
            verdict = self._check_pause(resource, url)
            if not verdict.ok:
                raise self._cancel(served, verdict.why)
            self._continue(served)
        raise DeployError(f"deployment {self.guid} of {self.app} kept pausing past its "
                          f"{len(self.plan.steps or (1,))} step(s); settle it by hand (cf app)")

    # --- push and the deployment it made -----------------------------------------------------

    def _push(self, served: Revision | None) -> None:
        try:
            self.deployment.push(self.plan)
        except DeployError as error:
            cause = str(error).split(": ", 1)[-1]
            if cause.startswith(TIMED_OUT):  # cf gave up waiting on its deployment, and said so
                self._learn_newest()
                raise self._after_cf_cancelled(served, "cf push waited past CF_STARTUP_TIMEOUT "
                                               f"({self.settings.startup_timeout_s:.0f} s)")
            if cause.startswith(MOVED_ON):
                self._learn_newest()
                raise self._finished_elsewhere(served, self._status())
            raise DeployError(f"{error}; a canary deployment may still be ACTIVE: see `cf app "
                              f"{self.app}`; `cf cancel-deployment {self.app}` returns to the "
                              "revision that served") from None
        self._learn_newest()

    def _learn_newest(self) -> None:
        """The deployment this push made: the app's newest."""
        newest = self.deployment.newest_deployment()
        self.guid = str(require(newest, "deployment", "guid"))
        revision = newest.get("revision")
        self.version = int(revision["version"]) if isinstance(revision, dict) else 0
        self._log(f"deployment {self.guid} (revision {self.version or '?'}): "
                  f"{'/'.join(status_of(newest))}")

    def _settle(self, served: Revision | None) -> Resource:
        """Read the deployment until it pauses or finishes; one that does not within
        CF_STARTUP_TIMEOUT is cancelled (cf itself would have cancelled it by then)."""
        deadline = self._clock.now() + self.settings.startup_timeout_s
        while True:
            resource = self.deployment.deployment(self.guid)
            status = status_of(resource)
            if status == PAUSED or status[0] == "FINALIZED":
                return resource
            if status == ("ACTIVE", "CANCELING"):  # cancelled by someone, or by cf: let it end
                self._await_cancel()
                continue
            if self._clock.now() >= deadline:
                raise self._cancel(served, f"it stayed {'/'.join(status)} for "
                                           f"{self.settings.startup_timeout_s:.0f} s without "
                                           "pausing (CF_STARTUP_TIMEOUT)")
            self._clock.sleep(self.settings.poll_s)

    # --- at a pause ----------------------------------------------------------------------------

    def _check_pause(self, resource: Resource, url: str) -> Verdict:
        current = require(resource, "deployment", "status", "canary", "steps", "current")
        total = require(resource, "deployment", "status", "canary", "steps", "total")
        new = [str(require(p, "new_processes", "guid"))
               for p in require(resource, "deployment", "new_processes")]
        if not new:
            return Verdict(False, "the paused deployment names no new process")
        return self._check(f"{current}/{total}", new[0], self._old_processes(new), url)

    def _old_processes(self, new: list[str]) -> list[str]:
        return [guid for guid in self.deployment.web_processes()
                if guid not in new and self.deployment.running(guid)]

    def _check(self, step: str, process: str, old: list[str], url: str) -> Verdict:
        """The live suite on every running instance of `process`, and its figures beside the
        old processes' (or, with none running, the last baseline measured)."""
        indexes = self.deployment.running(process)
        if not indexes:
            return self._record(Step(step, process, verdict="cancel",
                                     why="no instance of it is RUNNING"))
        suites = {f"instance {i}": self.checks.suite(url, instance(process, i)) for i in indexes}
        canary, baseline = self.checks.figures(url, [instance(process, i) for i in indexes],
                                               [instance(guid) for guid in old])
        source = "same window" if baseline else ""
        if baseline:
            self._memory.baseline, self._memory.baseline_step = baseline, step
        elif self._memory.baseline:
            baseline, source = self._memory.baseline, f"step {self._memory.baseline_step}"
        verdict = judge(suites, canary, baseline, self.settings)
        self._memory.checked.append(step)
        return self._record(Step(step, process, len(indexes), len(old), suites, canary, baseline,
                                 source, "continue" if verdict.ok else "cancel", verdict.why))

    def _record(self, entry: Step) -> Verdict:
        """One step in the log and in the report."""
        self.report.steps.append(entry)
        self._log(entry.line())
        return Verdict(entry.verdict == "continue", entry.why)

    def _continue(self, served: Revision | None) -> None:
        """cf continue-deployment, unless the deployment moved during the checks: cf acts on the
        app's latest ACTIVE deployment, which a newer push would have replaced."""
        if self._status() != PAUSED:
            self._log(f"deployment {self.guid} moved during the checks; reading it again")
            return
        result = self.deployment.cf.attempt("continue-deployment", self.app)
        cause = last_line(result)
        if result.ok:
            return
        if cause.startswith(MOVED_ON):  # a 422 or another's move: the next read decides
            self._log(f"cf continue-deployment: {cause}; reading deployment {self.guid} again")
            return
        if cause.startswith(TIMED_OUT):
            waited = f"{self.settings.startup_timeout_s:.0f} s"
            raise self._after_cf_cancelled(served, "cf continue-deployment waited past "
                                           f"CF_STARTUP_TIMEOUT ({waited})")
        raise DeployError(f"cf continue-deployment failed: {cause}; deployment {self.guid} of "
                          f"{self.app} may still be PAUSED: continue or cancel it by hand")

    # --- endings ---------------------------------------------------------------------------

    def _deployed(self, served: Revision | None, url: str) -> str:
        """DEPLOYED: after the steps, the live suite once more on the whole route; at once (a
        first push or a stopped app), the checks on the app's web process, nothing to continue."""
        if not self._memory.checked:
            verdict = self._check("deployed at once", self.deployment.web_processes()[-1], [], url)
            if not verdict.ok:
                raise self._failed_without_cancel(verdict.why)
            return self.report.finish("deployed", f"deployed {self.app} "
                                      f"({self.mode}): Cloud Controller deployed it "
                                      "at once (first push or stopped app), nothing to "
                                      f"continue, and the canary passed at {url}")
        suite = self.checks.suite(url, {})
        self._log(f"DEPLOYED; the live checks on the whole route at {url}: {suite.summary}")
        if not suite.passed:
            raise self._rolled_back(served, f"the live checks failed at {url} after DEPLOYED "
                                            f"({suite.summary})")
        steps = len(self._memory.checked)
        return self.report.finish("deployed", f"deployed {self.app} ({self.mode}) "
                                  f"by canary: {steps} step(s) checked, deployment {self.guid} "
                                  f"DEPLOYED, and the canary passed at {url}")

    def _failed_without_cancel(self, why: str) -> DeployError:
        """A deployment DEPLOYED at once has nothing to cancel, and nothing served before it."""
        return DeployError(self.report.finish(
            "failed", f"{self.app} was deployed at once (first push or stopped app) and {why}; "
            f"nothing served before it: {self.app} stays on the build that failed; "
            f"`cf stop {self.app}` if needed"))

    def _cancel(self, served: Revision | None, why: str) -> DeployError:
        """cf cancel-deployment (it does not wait), then poll until FINALIZED/CANCELED."""
        status = self._status()
        if status[0] == "FINALIZED":
            return self._finished_elsewhere(served, status, why)
        result = self.deployment.cf.attempt("cancel-deployment", self.app)
        cause = last_line(result)
        if not result.ok and not cause.startswith(MOVED_ON):
            return DeployError(self.report.finish(
                "failed", f"{why}; cf cancel-deployment failed: {cause}; deployment {self.guid} "
                f"of {self.app} is still ACTIVE: cancel it by hand"))
        if not result.ok:
            return self._finished_elsewhere(served, self._status(), why)
        self._await_cancel()
        return DeployError(self.report.finish(
            "cancelled", f"cancelled deployment {self.guid} of {self.app} (revision "
            f"{self.version}) at step {self._step_text()}: {why}; {self._old_serving(served)}"))

    def _after_cf_cancelled(self, served: Revision | None, what: str) -> DeployError:
        """cf cancels a deployment that does not turn healthy within CF_STARTUP_TIMEOUT (cli
        actor/v7action/application.go PollStartForDeployment): wait for it, check what serves."""
        self._await_cancel()
        return DeployError(self.report.finish(
            "cancelled", f"{what}: cf cancelled deployment {self.guid} of {self.app} (revision "
            f"{self.version}) itself; {self._old_serving(served)}"))

    def _await_cancel(self) -> None:
        """Poll until FINALIZED/CANCELED, for at most CANARY_CANCEL_TIMEOUT seconds."""
        deadline = self._clock.now() + self.settings.cancel_timeout_s
        while True:
            status = self._status()
            if status == CANCELED:
                return
            if status[0] == "FINALIZED":
                raise DeployError(self.report.finish(
                    "failed", f"deployment {self.guid} of {self.app} ended {'/'.join(status)} "
                    "instead of CANCELED after its cancel; see `cf app`"))
            if self._clock.now() >= deadline:
                raise DeployError(self.report.finish(
                    "failed", f"deployment {self.guid} of {self.app} is still "
                    f"{'/'.join(status)} {self.settings.cancel_timeout_s:.0f} s after its cancel "
                    "(CANARY_CANCEL_TIMEOUT): Cloud Controller's deployment updater has not "
                    f"finished it; see `cf app {self.app}`"))
            self._clock.sleep(self.settings.poll_s)

    def _old_serving(self, served: Revision | None) -> str:
        """Cloud Controller's word that the revision from before the push is the one serving."""
        if served is None:
            return "no earlier revision serves (first deploy)"
        deployed = self.deployment.deployed_revisions()
        if set(deployed) != {served.guid}:
            versions = ", ".join(str(v) for v in sorted(deployed.values())) or "none"
            raise DeployError(self.report.finish(
                "failed", f"deployment {self.guid} of {self.app} was cancelled, but Cloud "
                f"Controller lists revision(s) {versions} as deployed, not revision "
                f"{served.version} alone; see `cf app {self.app}`"))
        return f"revision {served.version} serves again"

    def _finished_elsewhere(self, served: Revision | None, status: Status,
                            why: str = "") -> DeployError:
        """The deployment ended without this stage: superseded, cancelled, or deployed."""
        reason = f" (the stage was cancelling it: {why})" if why else ""
        if status[1] == "SUPERSEDED":
            newer = self.deployment.active_deployment_guid() or "a newer one"
            return DeployError(self.report.finish(
                "superseded", f"deployment {self.guid} of {self.app} was superseded by a newer "
                f"push (deployment {newer}){reason}; this stage neither continued nor cancelled "
                "it: that push owns the app now"))
        if status == CANCELED:
            return DeployError(self.report.finish(
                "cancelled", f"deployment {self.guid} of {self.app} was cancelled outside this "
                f"stage{reason}; {self._old_serving(served)}"))
        if status == DEPLOYED and why:
            return self._rolled_back(served, f"{why}, but deployment {self.guid} finished "
                                             "DEPLOYED before it could be cancelled")
        return DeployError(self.report.finish(
            "failed", f"deployment {self.guid} of {self.app} is {'/'.join(status)}, which this "
            "stage does not know how to go on from; see `cf app`"))

    def _rolled_back(self, served: Revision | None, why: str) -> DeployError:
        """What a cancel can no longer undo (DEPLOYED): cf rollback to the revision that served,
        as the rolling path does."""
        try:
            outcome = self.deployment.rollback(served)
        except DeployError as error:
            return DeployError(self.report.finish("failed", f"{why}; {error}"))
        return DeployError(self.report.finish("rolled back", f"{why}; {outcome}"))

    def _status(self) -> Status:
        """The deployment's status as Cloud Controller shows it now."""
        return status_of(self.deployment.deployment(self.guid))

    def _step_text(self) -> str:
        return self.report.steps[-1].step if self.report.steps else "?"
