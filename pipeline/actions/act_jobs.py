"""Run the GitHub Actions workflows here with act, offline, as written; STAND_INS lists every swap.

Usage: python -m pipeline.actions.act_jobs [JOB | WORKFLOW.yml:JOB]... [--act-option ...]
No JOB runs every job of every workflow. act always runs a job's `needs:` chain first and hands
outputs down itself, so one run per last job of a chain executes each job once (running jobs one
by one would repeat the whole first stage for docker, deploy and canary).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from secrets import token_hex
from typing import Any

import yaml

from pipeline.container import rootfs
from pipeline.core import cmd, environment, probes, project
from pipeline.core.paths import FAKES, IMAGE_REF_FILE, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
# act's own default for GITHUB_REF is the checked-out branch; the gated jobs need main.
MAIN = "refs/heads/main"

_USES = re.compile(
    r"uses:\s*(?P<repo>[\w.-]+/[\w.-]+)(?P<path>(?:/[\w.-]+)*)@(?P<sha>[0-9a-f]{40})\b")
DO_NOTHING_ACTION = """\
name: offline stand-in
description: act clones every action a job names, even skipped ones; this one only says so.
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "act stand-in for ${{ github.action_repository }}: needs GitHub, did not run"
"""


@dataclass(frozen=True)
class Here:
    """What this run has to offer the stand-ins: a scratch directory, a registry, production."""

    scratch: Path
    registry: str = ""
    production_url: str = ""
    signing: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StandIn:
    """One thing that cannot exist here, what replaces it under act, and why."""

    replaces: str
    by: str
    why: str
    variables: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)


def stand_ins(here: Here) -> list[StandIn]:
    """THE table: every difference between a job on GitHub and the same job under act here."""
    return [
        StandIn("GitHub's ubuntu-latest runner", "this machine (-P ubuntu-latest=-self-hosted)",
                "no runner image can be pulled; the host has the tools the jobs install"),
        StandIn("every remote `uses:` action (owner/repo@sha)",
                "a generated composite action with no steps (--local-repository)",
                "act clones each one a job names, even under a false `if:`; GitHub is unreachable;"
                " ci.yml's steps that need one are `if: ${{ !env.ACT }}`; codeql.yml and"
                " scorecard.yml are only such actions, so under act they prove no more than that"
                " they parse and schedule"),
        StandIn("GHCR (ghcr.io/OWNER) and secrets.GITHUB_TOKEN",
                f"the loopback registry {here.registry or '$REGISTRY'} (vars.REGISTRY)",
                "no GitHub registry here; the docker job pushes to a real one on 127.0.0.1",
                variables={"REGISTRY": here.registry} if here.registry else {},
                secrets=_fakes("GITHUB_TOKEN")),
        StandIn("keyless Sigstore signing and attestations (GitHub's OIDC token) and"
                " `gh attestation verify` before deploy",
                "an OpenPGP key pair made for this run: docker_push signs and attests with it,"
                " deploy verifies against its public half",
                "no OIDC issuer or Rekor here; the GitHub-only steps are `if: ${{ !env.ACT }}`",
                env={name: value for name, value in here.signing.items()
                     if name != "IMAGE_SIGNING_PASSPHRASE"},
                secrets={name: value for name, value in here.signing.items()
                         if name == "IMAGE_SIGNING_PASSPHRASE"}),
        StandIn("pulling the Dockerfile's base image", "$BASE_IMAGE built by `nox -s base_image`",
                "no image can be pulled here",
                env={"BASE_IMAGE": os.environ.get("BASE_IMAGE", rootfs.IMAGES["python"][0])}),
        StandIn("the pinned cf CLI download (`if: ${{ !env.ACT }}`)",
                "the recording test double pipeline/tests/fakes/cf, first on PATH",
                "the cf CLI is downloaded from GitHub releases and no registry here has it",
                env={"PATH": f"{FAKES}{os.pathsep}{os.environ.get('PATH', '')}",
                     "FAKE_CF_LOG": str(here.scratch / "cf-calls.jsonl")}),
        StandIn("the Cloud Foundry API, org, space and credentials",
                "obviously fake values under .example.test, docker mode so the image digest"
                " travels from the docker job to deploy",
                "only the double answers them; nothing leaves 127.0.0.1; in the double's world"
                " the app already runs in docker mode (a lifecycle cannot switch), on cf 8.18.4"
                " and Cloud Controller 3.228.0, so deploy takes the canary path",
                env={"FAKE_CF_LIFECYCLE": "docker"},
                variables={"CF_API": "https://api.cf.example.test", "CF_ORG": "stand-in-org",
                           "CF_SPACE": "stand-in-space",
                           "CF_ROUTE": f"{project.name()}.apps.example.test",
                           "DEPLOY_MODE": "docker"},
                secrets=_fakes("CF_USERNAME", "CF_PASSWORD", "CF_DOCKER_USERNAME",
                               "CF_DOCKER_PASSWORD")),
        StandIn("secrets.APP_SECRETS, the API's secrets as one JSON object",
                "the credential tests/probes.toml names, with this run's value",
                "the owner's repository secret is theirs; the deploy job needs a required one",
                secrets=_owner_secrets()),
        StandIn("the production URL https://CF_ROUTE",
                f"the pushed image running hardened on loopback {here.production_url}"
                " (vars.CANARY_URL)",
                "the double deploys nothing, so the canary checks the image CI pushed",
                variables={"CANARY_URL": here.production_url} if here.production_url else {}),
        StandIn("gorouter's routing by X-Cf-Process-Instance (canary instance, old process)",
                "none: every request reaches the one production stand-in, whatever it addresses",
                "no router here; `nox -s rehearsal` and the deploy gates put the router stand-in"
                " pipeline/tests/fakes/router.py in front of an old and a new release"),
        StandIn("job audit's gate step (`if: ${{ !env.ACT }}`)", "skipped: the job reports it",
                "pip-audit --strict needs PyPI's advisory data, which is unreachable here"),
    ]


def _owner_secrets() -> dict[str, str]:
    """APP_SECRETS as the owner's repository secret would hold the run's credential."""
    credential = probes.load().credential
    if credential is None:
        return {}
    value = credential.provide(os.environ)[credential.header]
    return {"APP_SECRETS": json.dumps({credential.setting: value})}


def _fakes(*names: str) -> dict[str, str]:
    """Secrets no service accepts, new each run: act masks them in its log like real ones."""
    return {name: f"stand-in-{name.lower().replace('_', '-')}-{token_hex(4)}"
            for name in names}


def describe(table: list[StandIn]) -> str:
    """The table as the log shows it before any job runs."""
    lines = ["act stand-ins (everything else runs as written):"]
    lines += [f"  - {row.replaces} -> {row.by}: {row.why}" for row in table]
    return "\n".join(lines)


def remote_actions(files: list[Path] | None = None) -> dict[tuple[str, str], set[str]]:
    """Every `owner/repo@sha` the workflows and local actions use, with the action paths in it
    (`github/codeql-action/upload-sarif@sha` is the action in `upload-sarif/`)."""
    files = files if files is not None else sorted((ROOT / ".github").glob("**/*.yml"))
    found: dict[tuple[str, str], set[str]] = {}
    for path in files:
        for match in _USES.finditer(path.read_text(encoding="utf-8")):
            found.setdefault((match["repo"], match["sha"]), set()).add(match["path"].strip("/"))
    return found


def action_options(directory: Path) -> list[str]:
    """Write a do-nothing action for every remote one; return act's --local-repository options."""
    options = []
    for (repository, sha), action_paths in sorted(remote_actions().items()):
        target = directory / repository.replace("/", "__") / sha
        for action_path in action_paths:
            (target / action_path).mkdir(parents=True, exist_ok=True)
            (target / action_path / "action.yml").write_text(DO_NOTHING_ACTION, encoding="utf-8")
        options += ["--local-repository", f"{repository}@{sha}={target}"]
    return options


def table_options(table: list[StandIn]) -> tuple[list[str], dict[str, str]]:
    """act's --var/--env/--secret options; secret values travel in the environment, not argv."""
    options: list[str] = []
    secret_env: dict[str, str] = {}
    for row in table:
        options += [f"--var={name}={value}" for name, value in row.variables.items()]
        options += [f"--env={name}={value}" for name, value in row.env.items()]
        options += [f"--secret={name}" for name in row.secrets]
        secret_env.update(row.secrets)
    return options, secret_env


# --- Which runs: one per last job of a chain, with the event that gates it --------------------

@dataclass(frozen=True)
class Workflow:
    """A workflow file, its jobs and the event act fires for it."""

    path: Path
    jobs: Mapping[str, Mapping[str, Any]]
    event: str

    @classmethod
    def load(cls, path: Path) -> Workflow:
        """Parse one workflow; `on:` is YAML 1.1's True, hence the second key."""
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        triggers = document.get("on", document.get(True))
        names = [triggers] if isinstance(triggers, str) else list(triggers or [])
        # push on main is the event that runs every job of ci.yml; dispatch runs scheduled ones.
        event = next((name for name in ("push", "workflow_dispatch") if name in names), names[0])
        return cls(path, document.get("jobs", {}), event)

    def needs(self, job: str) -> list[str]:
        """The jobs `job` waits for."""
        value = self.jobs[job].get("needs", [])
        return [value] if isinstance(value, str) else list(value)

    def chain(self, job: str) -> set[str]:
        """`job` and every job act runs before it."""
        found = {job}
        for need in self.needs(job):
            found |= self.chain(need)
        return found

    def last_jobs(self) -> list[str]:
        """Jobs nothing else needs: running these runs the whole workflow."""
        needed = {need for job in self.jobs for need in self.needs(job)}
        return [job for job in self.jobs if job not in needed]


@dataclass(frozen=True)
class Run:
    """One act invocation: a workflow, the job that ends the chain, and the jobs it covers."""

    workflow: Workflow
    job: str

    @property
    def jobs(self) -> list[Mapping[str, Any]]:
        """The job definitions act executes in this run."""
        return [self.workflow.jobs[name] for name in sorted(self.workflow.chain(self.job))]

    def uses_production(self) -> bool:
        """Jobs with an `environment:` deploy to or check production."""
        return any("environment" in job for job in self.jobs)

    def publishes(self) -> bool:
        """Jobs allowed to write packages push to the registry."""
        return any((job.get("permissions") or {}).get("packages") == "write" for job in self.jobs)


class UnknownJob(ValueError):
    """A requested job is in no workflow."""


def plan(requests: list[str], directory: Path = WORKFLOWS) -> list[Run]:
    """Resolve JOB (every workflow that has it) or FILE:JOB; nothing means every workflow."""
    workflows = {path.name: Workflow.load(path) for path in sorted(directory.glob("*.yml"))}
    if not requests:
        return [Run(flow, job) for flow in workflows.values() for job in flow.last_jobs()]
    runs = []
    for request in requests:
        file, _, job = request.rpartition(":")
        matches = [flow for name, flow in workflows.items()
                   if (not file or name == file) and job in flow.jobs]
        if not matches:
            known = sorted({name for flow in workflows.values() for name in flow.jobs})
            raise UnknownJob(f"no workflow in {directory.name}/ has a job {request!r}; "
                             f"jobs: {', '.join(known)}")
        runs += [Run(flow, job) for flow in matches]
    return runs


def event_file(run: Run, directory: Path) -> Path:
    """The event payload: a push to (or dispatch on) main, where the gated jobs run."""
    payload: dict[str, Any] = {"ref": MAIN, "repository": {"default_branch": "main"}}
    if run.workflow.event == "workflow_dispatch":
        payload["inputs"] = {}
    path = directory / f"event-{run.workflow.event}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def command(run: Run, event: Path, options: list[str]) -> list[str]:
    """`act EVENT` for one chain, on this machine (no job container), offline."""
    return ["act", run.workflow.event, "--workflows", str(run.workflow.path), "--job", run.job,
            "--eventpath", str(event), "--platform", "ubuntu-latest=-self-hosted",
            "--action-offline-mode", "--no-recurse", "--json", *options]


# --- Reading act's log: each job's lines, result and seconds ---------------------------------

@dataclass
class JobLog:
    """What act reported for one job (a matrix entry counts as a job)."""

    result: str = "did not finish"
    matrix: str = ""
    first: datetime | None = None
    last: datetime | None = None

    @property
    def seconds(self) -> float:
        """Wall-clock seconds from the job's first line to its last (act logs whole seconds)."""
        return (self.last - self.first).total_seconds() if self.first and self.last else 0.0


def read_log(json_lines: str) -> tuple[str, dict[str, JobLog]]:
    """act's `--json` log as the text a person reads, and each job's result and duration."""
    text: list[str] = []
    jobs: dict[str, JobLog] = {}
    for line in json_lines.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            text.append(line)
            continue
        name = str(entry.get("job", "act"))
        text.append(f"[{name}] {str(entry.get('msg', '')).rstrip()}")
        job = jobs.setdefault(name, JobLog())
        when = datetime.fromisoformat(str(entry["time"])) if "time" in entry else None
        job.first = job.first or when
        job.last = when or job.last
        job.result = str(entry.get("jobResult", job.result))
        matrix = entry.get("matrix") or {}
        job.matrix = " ".join(f"{key}={value}" for key, value in matrix.items()) or job.matrix
    return "\n".join(text), {name: job for name, job in jobs.items() if name != "act"}


# --- Running -------------------------------------------------------------------------------------

class Unavailable(RuntimeError):
    """A service a stand-in needs is not there and cannot be started."""


def production(stack: ExitStack, image_ref_file: Path = IMAGE_REF_FILE) -> str:
    """Start the production stand-in, the image CI pushed, hardened on loopback; its URL."""
    from pipeline.container import containers  # pylint: disable=import-outside-toplevel

    if not image_ref_file.is_file():
        raise Unavailable(
            f"{image_ref_file.name} is missing: `nox -s docker_build docker_push` writes it; the "
            "deploy and canary jobs check that image as their production")
    reference = image_ref_file.read_text(encoding="utf-8").strip()
    try:
        return stack.enter_context(containers.running(reference)).url
    except (RuntimeError, TimeoutError) as failure:  # cmd.CommandFailed is a RuntimeError
        raise Unavailable(f"the production stand-in {reference} did not start: "
                          f"{str(failure).splitlines()[0][:300]}") from None


def signing_keys(directory: Path) -> dict[str, str]:
    """A key pair for this run only, as `.ci/run` makes one; secrets reach jobs via env."""
    from pipeline.container import signing  # pylint: disable=import-outside-toplevel

    passphrase = token_hex(16)
    secret, public = signing.generate(directory, passphrase)
    return {"IMAGE_SIGNING_KEY": str(secret), "IMAGE_VERIFY_KEY": str(public),
            "IMAGE_SIGNATURE_STORE": str(directory / "signatures"),
            "IMAGE_SIGNING_PASSPHRASE": passphrase}


def execute(runs: list[Run], act_options: list[str], scratch: Path) -> int:
    """Start what the runs need, run each chain, print every job's result; 0 when all passed."""
    with ExitStack() as stack:
        registry = ""
        if any(run.publishes() for run in runs):
            registry = environment.require(["REGISTRY"])["REGISTRY"]
        url = production(stack) if any(run.uses_production() for run in runs) else ""
        keys = signing_keys(scratch / "signing") if registry else {}
        table = stand_ins(Here(scratch, registry, url, keys))
        print(describe(table), flush=True)
        options, secret_env = table_options(table)
        options += [*action_options(scratch / "actions"), *act_options]
        results = [_act(run, options, secret_env, scratch) for run in runs]
    return 0 if all(results) else 1


def _act(run: Run, options: list[str], secret_env: dict[str, str], scratch: Path) -> bool:
    """One act run: its log as text, then each job's result and seconds."""
    started = time.monotonic()
    result = cmd.run(command(run, event_file(run, scratch), options), env=secret_env, cwd=ROOT,
                     check=False)
    text, jobs = read_log(result.stdout)
    print(text, result.stderr, sep="\n")
    print(f"act {run.workflow.path.name}:{run.job} exited {result.returncode} in "
          f"{time.monotonic() - started:.0f} s")
    for name, job in jobs.items():
        print(f"  {name:<16} {job.matrix:<14} {job.result:<14} {job.seconds:5.0f} s")
    print(flush=True)
    return result.ok


def main(argv: list[str]) -> int:
    """Run the requested jobs (default: all); a bad request or missing service is one line."""
    requests = [arg for arg in argv if not arg.startswith("-")]
    act_options = [arg for arg in argv if arg.startswith("-")]
    try:
        runs = plan(requests)
        with tempfile.TemporaryDirectory(prefix="act-") as scratch:
            return execute(runs, act_options, Path(scratch))
    except (UnknownJob, Unavailable, environment.MissingSettings) as error:
        print(f"act: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
