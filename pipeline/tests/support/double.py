"""Running `nox -s deploy` against the recording cf double (pipeline/tests/fakes/cf), and reading
back what it was asked, for the gate tests."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from subprocess import CompletedProcess  # nosec B404 - only the type
from typing import Any

from pipeline.core import cmd
from pipeline.core.paths import FAKES, ROOT
from pipeline.tests.support.tree import Tree, failed

CF_PASSWORD = "cf-Pl4nted-pw"  # pragma: allowlist secret
DOCKER_PASSWORD = "registry-Pl4nted-pw"  # pragma: allowlist secret
FAKE_GUID = "6f1c1e6e-0000-4000-8000-000000000001"  # the app the double reports
DEPLOYMENT = "de000000-0000-4000-8000-000000000008"  # its deployment of revision 8
BASE = {
    "CF_API": "https://api.cf.example.test", "CF_USERNAME": "deployer",
    "CF_PASSWORD": CF_PASSWORD, "CF_ORG": "acme", "CF_SPACE": "production",
    "CF_VARS_FILE": str(ROOT / "deploy" / "vars.example.yml"),
}
# Everything the stage or the double reads, blanked first, so the caller's shell never leaks in.
ALL_VARIABLES = [*BASE, "CF_DOCKER_USERNAME", "CF_DOCKER_PASSWORD", "CANARY_URL", "IMAGE_REF",
                 "DEPLOY_MODE", "CF_STARTUP_TIMEOUT", "IMAGE_VERIFY_KEY", "IMAGE_SIGNATURE_STORE",
                 "CANARY_STEPS", "CANARY_ROUNDS", "CANARY_ERROR_MARGIN", "CANARY_P95_FACTOR",
                 "CANARY_P95_SLACK_MS", "CANARY_LATENCY_BUDGET_MS", "CANARY_CANCEL_TIMEOUT",
                 "CANARY_POLL_SECONDS", "CANARY_HEADERS"]
QUICK = {"CANARY_POLL_SECONDS": "0.1", "CANARY_ROUNDS": "2"}  # the double answers at once


def environment(cf_log: Path, **env: str) -> dict[str, str]:
    """The variables of one deploy against the double: blanks, the double on PATH, then `env`."""
    return {**{name: "" for name in ALL_VARIABLES}, **QUICK,
            "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}", "FAKE_CF_LOG": str(cf_log),
            **env}


def deploy(tree: Tree, cf_log: Path, *args: str, **env: str) -> CompletedProcess[str]:
    """`nox -s deploy ARGS` in the tree, against the double."""
    return tree.nox("-s", "deploy", *args, env=environment(cf_log, **env))


def calls(cf_log: Path) -> list[dict[str, Any]]:
    """Every call the double recorded, in order."""
    if not cf_log.exists():
        return []
    return [json.loads(line) for line in cf_log.read_text().splitlines()]


def argvs(cf_log: Path) -> list[list[str]]:
    """The argv of every recorded call."""
    return [call["argv"] for call in calls(cf_log)]


def subcommands(cf_log: Path) -> list[str]:
    """The cf subcommands in call order."""
    return [argv[0] for argv in argvs(cf_log) if argv]


def no_secret_leaked(recorded: list[dict[str, Any]], output: str) -> None:
    """No password in the output or in any argv."""
    for secret in (CF_PASSWORD, DOCKER_PASSWORD):
        assert secret not in output
        for call in recorded:
            assert secret not in " ".join(call["argv"])


def one_line_failure(result: CompletedProcess[str]) -> str:
    """The session failed with the stage's one line and no traceback; return the output."""
    output = failed(result)
    assert "Traceback" not in output, output[-3000:]
    assert [line for line in output.splitlines() if line.startswith("nox > Session deploy")], \
        output[-2000:]
    return output


def fake_cf(cf_log: Path, *args: str, **env: str) -> cmd.Result:
    """Call the double directly, as one cf command, from the repository."""
    return fake_cf_in(ROOT, cf_log, *args, **env)


def fake_cf_in(cwd: Path, cf_log: Path, *args: str, **env: str) -> cmd.Result:
    """Call the double from a directory of its own (its manifest names the app)."""
    return cmd.run([str(FAKES / "cf"), *args], env={"FAKE_CF_LOG": str(cf_log), **env},
                   cwd=cwd, check=False)


def targeted(cf_log: Path, **env: str) -> Mapping[str, str]:
    """Log the double in and target a space, as the stage does; the env for later calls."""
    for argv in (["api", BASE["CF_API"]], ["auth"], ["target", "-o", "acme", "-s", "production"]):
        assert fake_cf(cf_log, *argv, CF_USERNAME="deployer", CF_PASSWORD=CF_PASSWORD,
                       **env).ok
    return env
