"""The deploy rehearsal: `nox -s deploy` against the cf double, with real servers behind a router.

Usage: python -m pipeline.tests.support.rehearsal  (what `nox -s rehearsal` runs; .ci/run does)
Two real `python -m serving` processes stand for the old release and the new one; the router
stand-in (pipeline/tests/fakes/router.py) sends each request to the instance the cf double says
serves, by X-Cf-Process-Instance or in turn. A broken release (this tree with every request of
its API failing and /healthz still answering) must be cancelled with the old release serving; a
healthy one must go through every step to DEPLOYED. Both outcomes are printed.
"""

from __future__ import annotations

import os
import subprocess  # nosec B404 - runs nox with a fixed argv
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pipeline.core import probes
from pipeline.core.contract import Contract
from pipeline.core.httpclient import call
from pipeline.core.paths import FAKES, ROOT
from pipeline.core.project import copy_tree
from pipeline.core.service import serve, start_server
from pipeline.tests.fakes import router

# Appended to the new release's app/__init__.py: any API exports `api` (README, "Your own
# service"), and a before_request of the blueprint runs for its routes only, not the stack's.
PLANTED = """
# Planted by the deploy rehearsal: every request of the API fails; /healthz still answers.
from flask import abort as _planted_abort  # noqa: E402
api.before_request(lambda: _planted_abort(500))
"""
NOT_A_SECRET = "rehearsal-only"  # nosec B105  # pragma: allowlist secret
DEPLOY_ENV = {
    "CF_API": "https://api.cf.example.test", "CF_USERNAME": "rehearsal",
    "CF_PASSWORD": NOT_A_SECRET, "CF_ORG": "rehearsal", "CF_SPACE": "rehearsal",
    "CF_VARS_FILE": str(ROOT / "deploy" / "vars.example.yml"), "DEPLOY_MODE": "buildpack",
    "CANARY_STEPS": "50,100", "CANARY_POLL_SECONDS": "0.2", "CANARY_ROUNDS": "5",
    "FAKE_CF_ROUTE": "127.0.0.1", "IMAGE_REF": "", "CF_STARTUP_TIMEOUT": "",
}


def planted_release(destination: Path) -> Path:
    """A copy of this tree whose API fails every request it is sent."""
    tree = copy_tree(destination)
    with (tree / "app" / "__init__.py").open("a", encoding="utf-8") as handle:
        handle.write(PLANTED)
    return tree


@contextmanager
def stage(workdir: Path, broken: bool) -> Iterator[dict[str, str]]:
    """The old release and the new one behind the router; yield the variables for deploy."""
    with ExitStack() as stack:
        old = stack.enter_context(serve(workdir / "old.log"))
        new_tree = planted_release(workdir / "release") if broken else ROOT
        new = start_server(workdir / "new.log", cwd=new_tree)
        stack.callback(new.stop)
        table = workdir / "router.json"
        route = stack.enter_context(router.running(table))
        yield {**DEPLOY_ENV, "PATH": f"{FAKES}{os.pathsep}{os.environ.get('PATH', '')}",
               "FAKE_CF_LOG": str(workdir / "cf-calls.jsonl"), "FAKE_CF_ROUTER_TABLE": str(table),
               "FAKE_CF_OLD_URL": old.url, "FAKE_CF_NEW_URL": new.url, "CANARY_URL": route.url}


def answered_as_documented(url: str, rounds: int = 10) -> tuple[int, int]:
    """Send the contract's safe requests through the route; how many of how many succeeded."""
    contract = Contract.parse(call(url, "GET", "/openapi.json").json())
    requests = [probes.Request(method, path) for method, path in contract.safe_requests()]
    good = sum(contract.succeeds(r.method, r.path, call(url, r.method, r.path).status)
               for _ in range(rounds) for r in requests)
    return good, rounds * len(requests)


def rehearse(broken: bool, workdir: Path) -> str | None:
    """One rehearsal, printed as it runs; None when it ended as it must, else why not."""
    name = "broken release" if broken else "healthy release"
    print(f"\n---- rehearsal: {name} ----", flush=True)
    with stage(workdir, broken) as env:
        result = subprocess.run(  # nosec B603
            [sys.executable, "-m", "nox", "--noxfile", str(ROOT / "noxfile.py"), "-s", "deploy"],
            cwd=ROOT, env={**os.environ, **env}, check=False, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        print(result.stdout, end="", flush=True)
        good, sent = answered_as_documented(env["CANARY_URL"])
    print(f"rehearsal: after the deploy, {good} of {sent} requests through the route were "
          "answered as the contract documents", flush=True)
    if broken and (result.returncode == 0 or "cancelled deployment" not in result.stdout
                   or good != sent):
        return f"the {name} was not cancelled with the old release serving"
    if not broken and (result.returncode != 0 or "DEPLOYED" not in result.stdout
                       or good != sent):
        return f"the {name} did not reach DEPLOYED serving every request"
    return None


def main() -> int:
    """Both rehearsals; exit 1 with one line when either ends otherwise than it must."""
    problems = []
    for broken in (True, False):
        with tempfile.TemporaryDirectory(prefix="rehearsal-") as workdir:
            problem = rehearse(broken, Path(workdir))
        print(f"rehearsal: {problem or 'as it must'}", flush=True)
        problems += [problem] if problem else []
    if problems:
        print(f"rehearsal failed: {'; '.join(problems)}", file=sys.stderr)
        return 1
    print("rehearsal: the broken release was cancelled with the old one serving, the healthy one "
          "went through every step to DEPLOYED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
