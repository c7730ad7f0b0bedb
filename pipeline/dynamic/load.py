"""Load and abuse tests against `python -m serving` on loopback; bounded in count and time.

Usage: python -m pipeline.dynamic.load [--requests N] [--concurrency C] [--slow-clients S]
Prints a table, writes build/load.json, and exits 1 when a target is missed:
zero errors, memory flat over the second half of the run, and, while slow-header and then
slow-body clients hold connections open, ordinary requests answered within 1 s and every slow
client cut off within the server's deadline. The requests are the service's own: the work
request of tests/probes.toml, judged by the served contract (an answer is an error unless its
operation documents its status and it is not a server error).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.core import probes
from pipeline.core.contract import Contract
from pipeline.core.httpclient import call
from pipeline.core.paths import BUILD_DIR
from pipeline.core.probes import Request
from pipeline.core.report import table
from pipeline.core.service import HEALTH_PROBE, ServerNotReady, serve
from serving.edge import BODY_READ_TIMEOUT_S
from serving.server import HEADER_READ_TIMEOUT_MS

FLAT_GROWTH_MB = 2.0  # what the second half of the run may add before it counts as a leak
ABUSE_LATENCY_S = 1.0
# A stalled client must be cut off within the server's deadline plus scheduling slack.
HEADER_CUT_OFF_S = HEADER_READ_TIMEOUT_MS / 1000 + 1.5
BODY_CUT_OFF_S = BODY_READ_TIMEOUT_S + 1.5


@dataclass(frozen=True)
class Target:
    """Where the load goes and how its answers are judged: the work request and the contract."""

    url: str
    work: Request
    contract: Contract

    def succeeded(self, method: str, path: str, status: int) -> bool:
        """A documented answer that is not a server error."""
        return self.contract.succeeds(method, path, status)


@dataclass
class Hammered:
    """What a fixed-count run saw."""

    requests: int
    errors: int
    seconds: float


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server's workers), in MB."""
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue  # the process ended while we looked
        if int(status.parent.name) == pid or fields.get("PPid", "").strip() == str(pid):
            total_kb += int(fields.get("VmRSS", "0 kB").split()[0])
    return total_kb / 1024


def hammer(target: Target, total: int, concurrency: int) -> Hammered:
    """Send the work request `total` times over `concurrency` keep-alive connections."""
    parts = urlsplit(target.url)
    host = parts.hostname or "127.0.0.1"
    errors = [0] * concurrency
    share = total // concurrency
    work = target.work

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, parts.port, timeout=10)
        for _ in range(share):
            try:
                conn.request(work.method, work.path, body=work.body, headers=dict(work.headers))
                response = conn.getresponse()
                response.read()
                errors[index] += not target.succeeded(work.method, work.path, response.status)
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, parts.port, timeout=10)
        conn.close()

    started = time.perf_counter()
    _run_all([functools.partial(worker, i) for i in range(concurrency)])
    return Hammered(share * concurrency, sum(errors), time.perf_counter() - started)


def _run_all(jobs: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=job, daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _slow_header_client(host: str, port: int, deadline: float, cuts: list[float],
                        route: str = "/") -> None:
    """Trickle one header line every half second and never finish the request."""
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=2) as sock:
                sock.sendall(f"GET {route} HTTP/1.1\r\nHost: {host}\r\n".encode())
                while time.monotonic() < deadline:
                    # Wait half a second, but notice the server's close the moment it comes.
                    if select.select([sock], [], [], 0.5)[0] and not sock.recv(4096):
                        raise ConnectionAbortedError("closed by the server")
                    sock.sendall(b"X-Slow: 1\r\n")
        except OSError:
            cuts.append(time.monotonic() - started)  # cut off: start again, as attackers do
            time.sleep(0.1)


def _slow_body_client(host: str, port: int, deadline: float, cuts: list[float],
                      route: str = "/") -> None:
    """Send whole headers and one byte of a 100-byte body, then stall (as took Granian WSGI)."""
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=deadline - started) as sock:
                sock.sendall(f"POST {route} HTTP/1.1\r\nHost: {host}\r\nContent-Type: "
                             "application/json\r\nContent-Length: 100\r\n\r\n{".encode())
                while sock.recv(4096):  # a 408 answer, then the server's close
                    pass
            cuts.append(time.monotonic() - started)
        except OSError:
            pass  # our own deadline passed first: that connection was never cut off
        time.sleep(0.1)


def _probe(target: Target, request: Request) -> bool:
    try:
        reply = call(target.url, request.method, request.path, request.body,
                     dict(request.headers), timeout=5)
    except (OSError, http.client.HTTPException):
        return False
    return target.succeeded(request.method, request.path, reply.status)


SlowClient = Callable[..., None]
HEALTH = Request("GET", HEALTH_PROBE.path)


def abuse(target: Target, slow_client: SlowClient, clients: int,
          seconds: float) -> dict[str, float]:
    """Hold `clients` slow connections while timing /healthz and the work request."""
    parts = urlsplit(target.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    deadline = time.monotonic() + seconds
    cuts: list[list[float]] = [[] for _ in range(clients)]
    latencies: list[float] = []
    errors = [0]

    def prober() -> None:
        time.sleep(1.0)  # let the slow clients take their connections first
        while time.monotonic() < deadline - 0.5:
            for request in (HEALTH, target.work):
                started = time.perf_counter()
                errors[0] += not _probe(target, request)
                latencies.append(time.perf_counter() - started)
            time.sleep(0.1)

    slow = [functools.partial(slow_client, host, port, deadline, cut, target.work.route)
            for cut in cuts]
    _run_all([*slow, prober])
    every_cut = [cut for client in cuts for cut in client]
    return {
        "clients": clients,
        "probes": len(latencies),
        "probe_errors": errors[0],
        "probe_max_s": max(latencies, default=float("inf")),
        "cut_off": len(every_cut),
        "clients_never_cut_off": sum(1 for client in cuts if not client),
        "slowest_cut_off_s": max(every_cut, default=float("inf")),
    }


def fixed_count(target: Target, pid: int, requests: int, concurrency: int) -> dict[str, Any]:
    """Warm up, then two halves of the count, reading the server's memory around each half."""
    hammer(target, requests // 10, concurrency)  # warm-up: imports, caches, threads
    rss_start = rss_mb(pid)
    first = hammer(target, requests // 2, concurrency)
    rss_half = rss_mb(pid)
    second = hammer(target, requests // 2, concurrency)
    rss_end = rss_mb(pid)
    return {
        "work": str(target.work),
        "requests": first.requests + second.requests,
        "errors": first.errors + second.errors,
        "requests_per_s": (first.requests + second.requests) / (first.seconds + second.seconds),
        "rss_mb": {"start": rss_start, "half": rss_half, "end": rss_end},
        "rss_growth_second_half_mb": rss_end - rss_half,
    }


def run(
    requests: int, concurrency: int, slow_clients: int, abuse_seconds: float
) -> dict[str, Any]:
    """Start a server, load it, abuse it, and collect the figures."""
    BUILD_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no build/ yet
    declared = probes.load()
    # The credential goes with the work request (a write gets past authentication); the
    # server inherits its value from the environment, where `headers` put it.
    work = replace(declared.work, headers={**declared.headers(), **declared.work.headers})
    with serve(BUILD_DIR / "load-server.log", {"LOG_LEVEL": "WARNING"}) as server:
        target = Target(server.url, work,
                        Contract.parse(call(server.url, "GET", "/openapi.json").json()))
        result = fixed_count(target, server.process.pid, requests, concurrency)
        result["abuse"] = {
            "slow_headers": abuse(target, _slow_header_client, slow_clients, abuse_seconds),
            "slow_bodies": abuse(target, _slow_body_client, slow_clients, abuse_seconds),
        }
    return result


def _abuse_verdicts(name: str, abused: dict[str, float], cut_off_limit: float) -> list[str]:
    missed = []
    if abused["probe_errors"] or abused["probe_max_s"] > ABUSE_LATENCY_S:
        missed.append(f"under {name} abuse: {abused['probe_errors']} errors, "
                      f"slowest ordinary request {abused['probe_max_s']:.2f} s")
    if abused["clients_never_cut_off"] or abused["slowest_cut_off_s"] > cut_off_limit:
        missed.append(f"{name} clients: {abused['clients_never_cut_off']} never cut off, "
                      f"slowest cut off after {abused['slowest_cut_off_s']:.2f} s")
    return missed


def verdicts(result: dict[str, Any]) -> list[str]:
    """List every missed target."""
    missed = []
    if result["errors"]:
        missed.append(f"{result['errors']} errors under load")
    if result["rss_growth_second_half_mb"] > FLAT_GROWTH_MB:
        missed.append(f"memory grew {result['rss_growth_second_half_mb']:.1f} MB in the 2nd half")
    abuse_result = result["abuse"]
    missed += _abuse_verdicts("slow-header", abuse_result["slow_headers"], HEADER_CUT_OFF_S)
    missed += _abuse_verdicts("slow-body", abuse_result["slow_bodies"], BODY_CUT_OFF_S)
    return missed


def _abuse_rows(name: str, abused: dict[str, float], limit: float) -> list[tuple[str, object]]:
    return [
        (f"{name} clients held open", abused["clients"]),
        (f"{name} connections cut off / clients never cut off",
         f"{abused['cut_off']} / {abused['clients_never_cut_off']}"),
        (f"{name}: slowest cut-off (s, limit {limit:g})", f"{abused['slowest_cut_off_s']:.2f}"),
        (f"{name}: ordinary requests during abuse / errors",
         f"{abused['probes']} / {abused['probe_errors']}"),
        (f"{name}: slowest ordinary request (s, limit {ABUSE_LATENCY_S})",
         f"{abused['probe_max_s']:.3f}"),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write build/load.json, exit 1 on a missed target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--slow-clients", type=int, default=64)
    parser.add_argument("--abuse-seconds", type=float, default=BODY_READ_TIMEOUT_S + 4)
    args = parser.parse_args(argv)
    try:
        result = run(args.requests, args.concurrency, args.slow_clients, args.abuse_seconds)
    except ServerNotReady as failure:
        print(f"load: the server did not start: {failure}", file=sys.stderr)
        return 1
    rss = result["rss_mb"]
    print(table(["load figure", "value"], [
        (f"requests (fixed count, {args.concurrency} connections)", result["requests"]),
        ("request sent (tests/probes.toml: work)", result["work"]),
        ("errors", result["errors"]),
        ("requests/s (Python client on the same 2 cores)", round(result["requests_per_s"])),
        ("server RSS after warm-up / half / end (MB)",
         f"{rss['start']:.1f} / {rss['half']:.1f} / {rss['end']:.1f}"),
        (f"RSS growth over the second half (MB, limit {FLAT_GROWTH_MB})",
         f"{result['rss_growth_second_half_mb']:.2f}"),
        *_abuse_rows("slow-header", result["abuse"]["slow_headers"], HEADER_CUT_OFF_S),
        *_abuse_rows("slow-body", result["abuse"]["slow_bodies"], BODY_CUT_OFF_S),
    ]))
    (BUILD_DIR / "load.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    missed = verdicts(result)
    for line in missed:
        print(f"load: MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
