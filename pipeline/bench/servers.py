"""Server benchmark: the echo endpoint under wrk, every contender up at once, rounds interleaved.

Each contender is started and stopped through pipeline.core.service, like every other server the
pipeline runs. Rounds take turns (A B C, A B C, ...) so a noisy neighbour hits every contender
alike, and each contender reports its median round.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.access_log import REQUEST_ID_HEADER
from app.security import HARDENING_HEADERS
from pipeline.core import cmd
from pipeline.core.httpclient import call
from pipeline.core.service import APP_ARGV, Probe, RunningServer, start_server

PATH = "/echo/hello?lang=en-GB"
WORKERS = 2
CONNECTIONS = 32
WARM_UP_S = 2
POST = Path(__file__).with_name("post.lua")  # wrk sends GET unless a script says otherwise
SERVICE = "service"
FLASK_SAME_SERVER = "flask-granian"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_APPS = "pipeline.bench.apps"
_FASTAPI_WORK = (
    "request id, hardening headers, one JSON access line (pure ASGI middleware); the service's"
    " validation rules and body; no Host or size checks"
)


@dataclass(frozen=True)
class Contender:
    """A server to measure: what it does, how to start it, whether it does the service's work."""

    key: str
    name: str
    does: str
    argv: tuple[str, ...]  # "{port}" is replaced with the port
    same_work: bool = False


def _uvicorn(target: str) -> tuple[str, ...]:
    # uvicorn's deployment docs: --workers, the uvloop and httptools extras of uvicorn[standard],
    # and no access log (the app writes its own line, or none).
    return (sys.executable, "-m", "uvicorn", "--workers", str(WORKERS), "--loop", "uvloop",
            "--http", "httptools", "--no-access-log", "--no-server-header", "--log-level",
            "warning", "--host", "127.0.0.1", "--port", "{port}", target)


def contenders() -> list[Contender]:
    """The service, its strongest same-work peers, the bare ceilings, the floor, the seed's way."""
    same_server = (sys.executable, "-m", f"{_APPS}.same_server")
    return [
        Contender(SERVICE, f"this service: python -m app (Flask on Granian, {WORKERS} workers)",
                  "Host, URL and header-size checks, item/lang/body validation, request id,"
                  " hardening headers, one JSON access line", APP_ARGV, same_work=True),
        Contender("fastapi-uvicorn", f"FastAPI async, same work, uvicorn, {WORKERS} workers",
                  _FASTAPI_WORK + "; uvloop, httptools", _uvicorn(f"{_APPS}.fastapi_echo:app"),
                  same_work=True),
        Contender("fastapi-granian", f"FastAPI async, same work, Granian ASGI, {WORKERS} workers",
                  _FASTAPI_WORK,
                  (sys.executable, "-m", "granian", "--interface", "asgi", "--workers",
                   str(WORKERS), "--http", "1", "--no-ws", "--log-level", "warning", "--host",
                   "127.0.0.1", "--port", "{port}", f"{_APPS}.fastapi_echo:app"),
                  same_work=True),
        Contender("fastapi-bare", f"FastAPI async, bare, uvicorn, {WORKERS} workers",
                  "the same body from an `async def`, nothing else; uvloop, httptools",
                  _uvicorn(f"{_APPS}.fastapi_echo:bare")),
        Contender(FLASK_SAME_SERVER, "bare Flask route, the service's Granian server",
                  "one Flask route returning the same body, nothing else: the ceiling for a"
                  " Flask service", (*same_server, f"{_APPS}.flask_bare:app")),
        Contender("raw-wsgi", "raw WSGI callable, the service's Granian server",
                  "a constant JSON body, no framework: the server's own cost",
                  (*same_server, f"{_APPS}.raw_wsgi:app")),
        Contender("flask-dev", "this service on the Flask development server",
                  "the seed's way: `flask run`, threaded, one process",
                  (sys.executable, "-m", "flask", "--app", "app.wsgi:app", "run", "--port",
                   "{port}")),
    ]


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, float]:
    """Throughput, p50, p99 and errors from `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rps is None:
        raise ValueError("wrk printed no Requests/sec line")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, flags=re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return {"requests_per_s": float(rps.group(1)), "p50_ms": _ms(percentiles["50"]),
            "p99_ms": _ms(percentiles["99"]), "errors": errors}


def wrk(url: str, seconds: int, connections: int = CONNECTIONS) -> dict[str, float]:
    """POST to the echo endpoint for `seconds`; one wrk thread leaves the rest to the server."""
    output = cmd.output(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                         "-s", POST, url + PATH], timeout=seconds + 30)
    return parse_wrk(output)


def summarise(contender: Contender, rounds: Sequence[dict[str, float]]) -> dict[str, Any]:
    """The median round by throughput, the range over rounds, and every error."""
    ordered = sorted(rounds, key=lambda r: r["requests_per_s"])
    median = ordered[(len(ordered) - 1) // 2]
    return {
        "key": contender.key, "server": contender.name, "does": contender.does,
        "same_work": contender.same_work,
        "requests_per_s": median["requests_per_s"], "p50_ms": median["p50_ms"],
        "p99_ms": median["p99_ms"], "errors": sum(int(r["errors"]) for r in rounds),
        "rounds_rps": [round(r["requests_per_s"]) for r in rounds],
        "p99_max_ms": max(r["p99_ms"] for r in rounds),
        "spread": statistics.pstdev(r["requests_per_s"] for r in rounds) / median["requests_per_s"],
    }


def _logged(log: Path, request_id: str) -> bool:
    """Tell whether the log holds a JSON access line for `request_id`, waiting up to a second."""
    deadline = time.monotonic() + 1
    while True:
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if request_id in line and line.startswith("{"):
                return bool(json.loads(line).get("request_id") == request_id)
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def same_work_gaps(server: RunningServer) -> list[str]:
    """What a same-work contender fails to do that the service does: an empty list when none.

    Run before measuring, so a peer that drifts from the service's work cannot post a figure.
    """
    url = server.url
    reply = call(url, "POST", PATH, headers={REQUEST_ID_HEADER: "bench-check-0001"})
    gaps = [f"header {name}" for name, value in HARDENING_HEADERS.items()
            if reply.headers.get(name.lower()) != value]
    if reply.headers.get(REQUEST_ID_HEADER.lower()) != "bench-check-0001":
        gaps.append(f"echoed {REQUEST_ID_HEADER}")
    body = reply.json() if reply.status == 200 else {}
    if list(body) != ["message", "timestamp", "echo", "_links"]:
        gaps.append("the echo body shape")
    if not _logged(server.log, "bench-check-0001"):
        gaps.append("a JSON access line on stdout")
    refused = call(url, "POST", "/echo/..?lang=en-GB").status
    if not 400 <= refused < 500:
        gaps.append(f"item validation (/echo/.. answered {refused})")
    return gaps


@contextmanager
def running(chosen: Sequence[Contender], log_dir: Path) -> Iterator[list[RunningServer]]:
    """Start every contender (idle ones cost nothing under load) and stop them all at the end."""
    with ExitStack() as stack:
        servers = []
        for contender in chosen:
            log = log_dir / (re.sub(r"\W+", "-", contender.key) + ".log")
            server = start_server(log, {"WEB_CONCURRENCY": str(WORKERS), "LOG_LEVEL": "INFO"},
                                  argv=contender.argv, ready=Probe("POST", PATH))
            stack.callback(server.stop)
            gaps = same_work_gaps(server) if contender.same_work else []
            if gaps:
                raise RuntimeError(f"{contender.name} does not do the service's work: "
                                   + ", ".join(gaps))
            servers.append(server)
        yield servers


def measure(seconds: int, rounds: int, log_dir: Path,
            keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Measure each contender (or those in `keys`) for `rounds` interleaved rounds."""
    chosen = [c for c in contenders() if keys is None or c.key in keys]
    results: dict[str, list[dict[str, float]]] = {c.key: [] for c in chosen}
    with running(chosen, log_dir) as servers:
        for server in servers:
            wrk(server.url, WARM_UP_S)
        for _ in range(rounds):
            for contender, server in zip(chosen, servers):
                results[contender.key].append(wrk(server.url, seconds))
    return [summarise(c, results[c.key]) for c in chosen]
