"""What the deploy stage checks on a live deployment, and how a canary is judged against the old.

Two kinds of check, both aimed at Cloud Foundry instances through the route with the
`X-Cf-Process-Instance: <process guid>[:<index>]` header (docs-dev-guide deploy-apps/
rolling-deploy.html.md.erb, "Evaluating the canary instance"; gorouter handlers/lookup.go):
- the live suite: the pytest tests marked `live` (tests/canary, pipeline/tests/http), run with
  CANARY_URL and CANARY_HEADERS, so pipeline/testing.py's guard lets only live-safe requests go;
- figures: the contract's safe requests and tests/probes.toml's [[live]] ones, sent in rounds to
  the canary's instances and to the old process in turn, in the same window; an answer counts
  as an error unless the target's own served contract documents it and it is not a 5xx.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

from pipeline.core import cmd, probes
from pipeline.core.contract import Contract, ContractError
from pipeline.core.httpclient import call, format_headers, guarded
from pipeline.core.paths import LIVE_TESTS, ROOT
from pipeline.core.service import HEALTH_PROBE
from pipeline.deploy.settings import CanarySettings

Headers = Mapping[str, str]
PROCESS_INSTANCE = "X-Cf-Process-Instance"


def instance(process_guid: str, index: int | None = None) -> dict[str, str]:
    """The header that addresses a process (any of its instances) or one instance of it."""
    return {PROCESS_INSTANCE: process_guid if index is None else f"{process_guid}:{index}"}


@dataclass(frozen=True)
class Figures:
    """What one side answered in a window: requests, errors, p95 latency."""

    requests: int
    errors: int
    p95_ms: float

    @property
    def error_pct(self) -> float:
        """Errors as a percentage of the requests (a side that got none has failed them all)."""
        return 100.0 * self.errors / self.requests if self.requests else 100.0

    def describe(self) -> str:
        """The figures as a log line shows them."""
        return f"{self.error_pct:.1f} % errors of {self.requests}, p95 {self.p95_ms:.0f} ms"

    def as_dict(self) -> dict[str, float]:
        """The figures for the JSON report."""
        return {**asdict(self), "error_pct": round(self.error_pct, 2)}


@dataclass(frozen=True)
class Suite:
    """How the live suite went against one target."""

    passed: bool
    summary: str  # pytest's last line, such as "12 passed in 1.31s"
    failures: tuple[str, ...] = ()


class Checks(Protocol):
    """What the canary flow needs measured; tests give it scripted answers."""

    def suite(self, url: str, headers: Headers) -> Suite:
        """Run the live suite against url with these headers."""

    def figures(self, url: str, canary: Sequence[Headers],
                baseline: Sequence[Headers]) -> tuple[Figures, Figures | None]:
        """Measure the canary's targets and the baseline's in one window."""


def p95(timings: Sequence[float]) -> float:
    """The 95th percentile, as pipeline/tests/http/test_contract.py's latency budget takes it."""
    if len(timings) < 2:
        return timings[0] if timings else math.inf
    return statistics.quantiles(timings, n=20)[-1]


class LiveChecks:
    """The real checks: the live suite in a pytest subprocess, figures over HTTP."""

    def __init__(self, rounds: int, log: Callable[[str], None] | None = None) -> None:
        self.rounds = rounds
        self._log = log or (lambda _line: None)

    def suite(self, url: str, headers: Headers) -> Suite:
        """The tests marked `live`, as `nox -s canary` runs them, with these headers."""
        result = cmd.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                          "-m", "live", *LIVE_TESTS],
                         env={"CANARY_URL": url, "CANARY_HEADERS": format_headers(headers)},
                         cwd=ROOT, check=False)
        lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        failures = tuple(line[:200] for line in lines if line.startswith(("FAILED", "ERROR")))
        for failure in failures:  # pytest's short summary (-ra): what failed, where
            self._log(f"  {failure}")
        return Suite(result.ok, lines[-1].strip("= ") if lines else f"exit {result.returncode}",
                     failures)

    def figures(self, url: str, canary: Sequence[Headers],
                baseline: Sequence[Headers]) -> tuple[Figures, Figures | None]:
        """Send the safe requests to each side in turn, round after round; judge each answer
        by the contract that side serves."""
        declared = probes.load()
        with guarded(declared.live_guard(url)):
            sides = [_Side(canary, _served(url, canary[0]))]
            if baseline:
                sides.append(_Side(baseline, _served(url, baseline[0])))
            requests = _requests(sides[0].contract, declared)
            for turn in range(self.rounds):
                for number, request in enumerate(requests):
                    for side in sides:
                        side.send(url, request, turn + number)
        return sides[0].figures(), sides[1].figures() if baseline else None


@dataclass
class _Side:
    """One side of the comparison: its targets (in turn), its contract, what it answered."""

    targets: Sequence[Headers]
    contract: Contract | None
    timings: list[float] = field(default_factory=list)
    errors: int = 0

    def send(self, url: str, request: probes.Request, turn: int) -> None:
        """One request to the target whose turn it is."""
        took, ok = _timed(url, request, self.targets[turn % len(self.targets)], self.contract)
        self.timings.append(took)
        self.errors += 0 if ok else 1

    def figures(self) -> Figures:
        """What this side answered."""
        return Figures(len(self.timings), self.errors, round(p95(self.timings), 1))


def _served(url: str, headers: Headers) -> Contract | None:
    """The contract one side serves, or None when it serves none it can be judged by."""
    try:
        reply = call(url, "GET", "/openapi.json", headers=dict(headers), timeout=10)
        return Contract.parse(reply.json()) if reply.status == 200 else None
    except (OSError, ValueError, ContractError):
        return None


def _requests(contract: Contract | None, declared: probes.Probes) -> list[probes.Request]:
    """The contract's safe requests, then the declared live ones; /healthz when none is known."""
    safe = [probes.Request(method, path) for method, path in
            (contract.safe_requests() if contract else [("GET", HEALTH_PROBE.path)])]
    return [*safe, *declared.live]


def _timed(url: str, request: probes.Request, headers: Headers,
           contract: Contract | None) -> tuple[float, bool]:
    """One request's milliseconds and whether its answer is one the contract documents."""
    started = time.perf_counter()
    try:
        reply = call(url, request.method, request.path, request.body,
                     {**request.headers, **headers}, timeout=10)
    except OSError:
        return (time.perf_counter() - started) * 1000, False
    took = (time.perf_counter() - started) * 1000
    return took, contract is not None and contract.succeeds(request.method, request.path,
                                                            reply.status)


@dataclass(frozen=True)
class Verdict:
    """Whether a step may go on, and why not in one phrase."""

    ok: bool
    why: str


def judge(suites: Mapping[str, Suite], canary: Figures, baseline: Figures | None,
          settings: CanarySettings) -> Verdict:
    """The live suite passed on every canary instance, and the canary's error rate and p95 are
    within the thresholds of the baseline's (or of 0 % and the latency budget without one)."""
    for target, suite in suites.items():
        if not suite.passed:
            first = f" ({suite.failures[0]})" if suite.failures else ""
            return Verdict(False, f"the live checks failed on {target}: {suite.summary}{first}")
    allowed_pct = (baseline.error_pct if baseline else 0.0) + settings.error_margin_pct
    if canary.error_pct > allowed_pct:
        return Verdict(False, f"canary errors {canary.error_pct:.1f} % over the allowed "
                              f"{allowed_pct:.1f} % (baseline "
                              f"{baseline.error_pct if baseline else 0.0:.1f} % + "
                              f"{settings.error_margin_pct:g} points)")
    allowed_ms = (baseline.p95_ms * settings.p95_factor + settings.p95_slack_ms if baseline
                  else settings.latency_budget_ms)
    if canary.p95_ms > allowed_ms:
        return Verdict(False, f"canary p95 {canary.p95_ms:.0f} ms over the allowed "
                              f"{allowed_ms:.0f} ms")
    return Verdict(True, "checks passed")
