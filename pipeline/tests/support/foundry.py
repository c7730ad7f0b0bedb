"""A scripted Cloud Foundry for in-process deploy tests: cf answered by argv, the checks by script.

`foundry()` is an app serving revision 7 with no deployment in flight, on a platform of the
given versions; an answer given as a list is consumed in order, its last one repeating, which is
how a deployment's status moves from one read to the next.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core import cmd
from pipeline.core.paths import ROOT
from pipeline.deploy import rollout, settings
from pipeline.deploy.canary import Clock
from pipeline.deploy.checks import Figures, Headers, Suite
from pipeline.tests.support.recorder import Recorder

GUID = "6f1c1e6e-0000-4000-8000-000000000001"
DEPLOYMENT = "de000000-0000-4000-8000-000000000008"
OLD_PROCESS = "0c000000-0000-4000-8000-000000000001"
NEW_PROCESS = "0c000000-0000-4000-8000-000000000002"
CF_PASSWORD = "cf-In-Process-pw"  # pragma: allowlist secret
DOCKER_PASSWORD = "registry-In-Process-pw"  # pragma: allowlist secret
ENV = {"CF_API": "https://api.example.test", "CF_USERNAME": "deployer",
       "CF_PASSWORD": CF_PASSWORD, "CF_ORG": "acme", "CF_SPACE": "prod",
       "CF_VARS_FILE": str(ROOT / "deploy" / "vars.example.yml"),
       "CANARY_URL": "https://app.example.test"}
NAME = settings.app_name()  # the manifest's app: the service's own name
APP = f"/v3/apps/{GUID}"
ACTIVE = f"/v3/deployments?app_guids={GUID}&status_values=ACTIVE"
NEWEST = f"/v3/deployments?app_guids={GUID}&order_by=-created_at&per_page=1"
LATEST_ACTIVE = f"{ACTIVE}&order_by=-created_at&per_page=1"
DEPLOYED = f"{APP}/revisions/deployed"
Answer = tuple[int, str, str]
Script = Answer | list[Answer]


def revision(version: int, deployable: bool = True) -> dict[str, Any]:
    """A revision as Cloud Controller presents it (the fields the deploy reads)."""
    return {"guid": f"5e0a0000-0000-4000-8000-{version:012d}", "version": version,
            "deployable": deployable}


def page(*resources: dict[str, Any], following: str | None = None) -> Answer:
    """A v3 list page as `cf curl -f` prints it."""
    link = {"href": f"https://api.example.test{following}"} if following else None
    return 0, json.dumps({"pagination": {"total_results": len(resources), "next": link},
                          "resources": list(resources)}), ""


def body(resource: dict[str, Any]) -> Answer:
    """One resource as `cf curl -f` prints it."""
    return 0, json.dumps(resource), ""


def failure(message: str, code: int = 1) -> Answer:
    """cf failing with its message on stderr (cli util/ui/ui.go DisplayError)."""
    return code, "FAILED\n", message + "\n"


def deployment(value: str, reason: str, step: int = 1, total: int = 2,
               new: Sequence[str] = (NEW_PROCESS,)) -> Answer:
    """A canary deployment as cc app/presenters/v3/deployment_presenter.rb shows it."""
    return body({"guid": DEPLOYMENT, "status": {"value": value, "reason": reason,
                                                "canary": {"steps": {"current": step,
                                                                     "total": total}}},
                 "strategy": "canary", "revision": {"guid": revision(8)["guid"], "version": 8},
                 "new_processes": [{"guid": guid, "type": "web"} for guid in new]})


def stats(*running: int) -> Answer:
    """A process's instance stats (cc app/presenters/v3/process_stats_presenter.rb)."""
    return body({"resources": [{"type": "web", "index": i, "state": "RUNNING"}
                               for i in running]})


def cf_version(version: str) -> Answer:
    """`cf version` as cli command/common/version_command.go prints it."""
    return 0, f"cf version {version}\n", ""


def root(version: str) -> Answer:
    """Cloud Controller's root document (cc app/controllers/runtime/root_controller.rb)."""
    return body({"links": {"cloud_controller_v3": {"meta": {"version": version}}}})


ROOT_DOCUMENT = "curl -f /"  # the key that answers `cf curl -f /`, for foundry(**{...})


def foundry(*scripts: Mapping[str, Script], **changes: Script) -> dict[tuple[str, ...], Script]:
    """An app serving revision 7 with no deployment in flight, on cf 8.18.4 and Cloud
    Controller 3.228.0; `scripts` and `changes` replace answers by the argv they start with
    ("version", ROOT_DOCUMENT, "curl -f PATH", ...)."""
    answers: dict[tuple[str, ...], Script] = {
        ("version",): cf_version("8.18.4+3fcd823.2026-06-29"),
        ("curl", "-f", "/"): root("3.228.0"),
        ("app",): (0, GUID + "\n", ""),
        ("curl", "-f", APP): body({"guid": GUID, "lifecycle": {"type": "buildpack"}}),
        ("curl", "-f", ACTIVE): page(),
        ("curl", "-f", LATEST_ACTIVE): page(),
        ("curl", "-f", DEPLOYED): page(revision(7)),
        ("curl", "-f", f"/v3/revisions/{revision(7)['guid']}"): body(revision(7)),
        ("feature-flag",): (0, "Features       State\ndiego_docker   enabled\n", ""),
        ("curl", "-f", NEWEST): page(json.loads(deployment("ACTIVE", "PAUSED")[1])),
        ("curl", "-f", f"{APP}/processes?types=web"): page({"guid": OLD_PROCESS},
                                                           {"guid": NEW_PROCESS}),
        ("curl", "-f", f"/v3/processes/{OLD_PROCESS}/stats"): stats(0, 1),
        ("curl", "-f", f"/v3/processes/{NEW_PROCESS}/stats"): stats(0),
    }
    for script in (*scripts, changes):
        answers.update({tuple(key.split(" ")): value for key, value in script.items()})
    return answers


def recorder(answers: Mapping[tuple[str, ...], Script]) -> Recorder:
    """Answer `cf ARGS` by the longest matching prefix of ARGS; anything else succeeds."""
    queues = {key: list(value) if isinstance(value, list) else [value]
              for key, value in answers.items()}

    def answer(command: cmd.Command) -> Answer:
        args = command.argv[1:]
        matches = [key for key in queues if args[:len(key)] == key]
        if not matches:
            return 0, "", ""
        queue = queues[max(matches, key=len)]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return Recorder(answer)


@dataclass
class ScriptedChecks:
    """The checks, answered from a script: which suites pass, which figures each side shows."""

    passes: bool | list[bool] = True
    canary: Figures = Figures(20, 0, 5.0)
    baseline: Figures = Figures(20, 0, 5.0)
    suites: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    windows: list[tuple[list[Headers], list[Headers]]] = field(default_factory=list)
    measured_at: list[str] = field(default_factory=list)

    def suite(self, url: str, headers: Headers) -> Suite:
        """A passing or failing suite, in script order."""
        self.suites.append((url, dict(headers)))
        script = self.passes if isinstance(self.passes, list) else [self.passes]
        passed = script.pop(0) if len(script) > 1 else script[0]
        return (Suite(True, "12 passed in 0.5s") if passed else
                Suite(False, "1 failed, 11 passed in 0.5s", ("FAILED test_x - assert 500",)))

    def figures(self, url: str, canary: Sequence[Headers],
                baseline: Sequence[Headers]) -> tuple[Figures, Figures | None]:
        """The scripted figures; no baseline when no old process runs."""
        self.measured_at.append(url)
        self.windows.append((list(canary), list(baseline)))
        return self.canary, self.baseline if baseline else None


@dataclass
class Run:
    """What one in-process deploy did."""

    record: Recorder
    outcome: str
    checks: ScriptedChecks
    lines: list[str]

    def subcommands(self) -> list[str]:
        """The cf subcommands in call order."""
        return [argv[1] for argv in self.record.argvs()]


class FakeClock(Clock):  # pylint: disable=too-few-public-methods  # a Clock, its time its own
    """Time that passes only when the flow sleeps."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        super().__init__(sleep=self._advance, now=lambda: self.elapsed)

    def _advance(self, seconds: float) -> None:
        self.elapsed += seconds


def _scratch_report() -> Path:
    """Where a test that does not read the report lets it go (never the tree's build/)."""
    return Path(tempfile.gettempdir()) / f"deploy-report-{os.getpid()}.json"


def deploy(answers: Mapping[tuple[str, ...], Script], checks: ScriptedChecks | None = None,
           env: Mapping[str, str] | None = None, report: Path | None = None,
           **options: Any) -> Run:
    """Run the whole stage in-process; the outcome line, or `ERROR <line>`."""
    env = ENV if env is None else env
    record, checks = recorder(answers), checks or ScriptedChecks()
    lines: list[str] = []
    with cmd.using(record):
        try:
            outcome = rollout.run(checks, env=env, log=lines.append, clock=FakeClock(),
                                  report_to=report or _scratch_report(), **options)
        except rollout.DeployError as error:
            outcome = f"ERROR {error}"
    assert "\n" not in outcome  # one line, whatever happened
    for command in record.calls:
        assert CF_PASSWORD not in " ".join(command.argv)
        assert DOCKER_PASSWORD not in " ".join(command.argv)
    assert CF_PASSWORD not in outcome and DOCKER_PASSWORD not in outcome
    return Run(record, outcome, checks, lines)
