"""Server benchmark: the work request under wrk, every contender up at once, rounds interleaved.

What is measured comes from tests/probes.toml: its `work` request, sent to the service, to the
peers it declares (other implementations of the same API) and to the generic rows every API
gets: a bare Flask route answering the service's own body behind the same edge (the ceiling for
a Flask service), a raw WSGI callable (the server's own cost) and the Flask development server.
Each contender is started and stopped through pipeline.core.service. Rounds take turns (A B C,
A B C, ...) so a noisy neighbour hits every contender alike; each reports its median round.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess  # nosec B404 - wrk runs beside the profiler
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import cmd, probes
from pipeline.core.httpclient import Reply, call
from pipeline.core.probes import Request
from pipeline.core.service import APP_ARGV, Probe, RunningServer, start_server
from serving.access_log import REQUEST_ID_HEADER
from serving.security import HARDENING_HEADERS

WORKERS = 2
CONNECTIONS = 32
WARM_UP_S = 2
SERVICE = "service"
FLASK_SAME_SERVER = "flask-granian"
BODY_FILE = "BENCH_BODY_FILE"  # the service's answer to the work request, for the bare rows
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_APPS = "pipeline.bench.apps"
_SUCCESS = tuple(range(200, 300))  # wrk counts anything else as an error
# py-spy's samples a second: at 200 Hz a 10 s round gives 2,000 samples per process, enough
# to see any frame above 1 %, while its own reads of the workers' memory stay small.
PROFILE_RATE_HZ = 200


# A server to measure: what it does, how to start it, whether it does the service's work.
Contender = probes.Peer


def contenders(declared: probes.Probes) -> list[Contender]:
    """The service, the peers tests/probes.toml declares, the bare ceilings, the seed's way."""
    same_server = (sys.executable, "-m", f"{_APPS}.same_server")
    return [
        Contender(SERVICE, f"this service: python -m serving (Flask on Granian, {WORKERS} "
                  "workers)", "Host, URL and header-size checks, the API's own work, request "
                  "id, hardening headers, one JSON access line", APP_ARGV, same_work=True),
        *(Contender(peer.key, peer.name, peer.does,
                    tuple(arg.replace("{python}", sys.executable) for arg in peer.argv),
                    peer.same_work) for peer in declared.peers),
        Contender(FLASK_SAME_SERVER, "bare Flask route, the service's Granian server",
                  "one Flask route returning the service's body, nothing else: the ceiling for"
                  " a Flask service", (*same_server, f"{_APPS}.flask_bare:app")),
        Contender("raw-wsgi", "raw WSGI callable, the service's Granian server",
                  "the service's body as constant bytes, no framework: the server's own cost",
                  (*same_server, f"{_APPS}.raw_wsgi:app")),
        Contender("flask-dev", "this service on the Flask development server",
                  "the seed's way: `flask run`, threaded, one process",
                  (sys.executable, "-m", "flask", "--app", "serving.wsgi:app", "run", "--port",
                   "{port}")),
    ]


def _lua_string(data: bytes) -> str:
    """A Lua string literal holding exactly `data` (decimal escapes for everything unusual)."""
    safe = (chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b}" for b in data)
    return '"' + "".join(safe) + '"'


def wrk_script(request: Request, directory: Path) -> Path:
    """wrk sends GET with no body unless a script says otherwise: say what the work is."""
    lines = [f"wrk.method = {_lua_string(request.method.encode())}"]
    lines += [f"wrk.headers[{_lua_string(name.encode())}] = {_lua_string(value.encode())}"
              for name, value in request.headers.items()]
    if request.body is not None:
        lines.append(f"wrk.body = {_lua_string(request.body)}")
    script = directory / "work.lua"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return script


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


@dataclass(frozen=True)
class Work:
    """The work request and the wrk script that sends it."""

    request: Request
    script: Path

    @classmethod
    def declared(cls, directory: Path) -> Work:
        """The work tests/probes.toml declares, with its script written to `directory`."""
        request = probes.load().work
        return cls(request, wrk_script(request, directory))

    def probe(self) -> Probe:
        """Ready means the work request is answered with success."""
        request = self.request
        return Probe(request.method, request.path, _SUCCESS, request.body, request.headers)

    def send(self, url: str, headers: dict[str, str] | None = None) -> Reply:
        """Send it once, with extra headers."""
        request = self.request
        return call(url, request.method, request.path, request.body,
                    {**request.headers, **(headers or {})})

    def wrk(self, url: str, seconds: int, connections: int = CONNECTIONS) -> dict[str, float]:
        """Send it for `seconds`; one wrk thread leaves the rest of the cores to the server."""
        output = cmd.output(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                             "-s", self.script, url + self.request.path], timeout=seconds + 30)
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


def _shape(reply: Reply) -> list[str] | None:
    try:
        body = reply.json()
    except ValueError:
        return None
    return list(body) if isinstance(body, dict) else None


def same_work_gaps(server: RunningServer, work: Work, reference: Reply) -> list[str]:
    """What a same-work contender fails to do that the service does: an empty list when none.

    `reference` is the service's own answer to the work request. Run before measuring, so a
    peer that drifts from the service's work cannot post a figure.
    """
    reply = work.send(server.url, {REQUEST_ID_HEADER: "bench-check-0001"})
    gaps = [f"header {name}" for name, value in HARDENING_HEADERS.items()
            if reply.headers.get(name.lower()) != value]
    if reply.headers.get(REQUEST_ID_HEADER.lower()) != "bench-check-0001":
        gaps.append(f"echoed {REQUEST_ID_HEADER}")
    if reply.status != reference.status or _shape(reply) != _shape(reference):
        gaps.append(f"the service's answer ({reference.status}, fields {_shape(reference)})")
    if not _logged(server.log, "bench-check-0001"):
        gaps.append("a JSON access line on stdout")
    return gaps


@contextmanager
def running(chosen: Sequence[Contender], work: Work,
            log_dir: Path) -> Iterator[list[RunningServer]]:
    """Start every contender (idle ones cost nothing under load) and stop them all at the end.

    The service starts first: its answer to the work request is what the bare rows return and
    what same-work peers must match.
    """
    with ExitStack() as stack:
        servers: list[RunningServer] = []
        reference: Reply | None = None
        env = {"WEB_CONCURRENCY": str(WORKERS), "LOG_LEVEL": "INFO",
               BODY_FILE: str(log_dir / "service-body.json")}
        for contender in chosen:
            log = log_dir / (re.sub(r"\W+", "-", contender.key) + ".log")
            server = start_server(log, env, argv=contender.argv, ready=work.probe())
            stack.callback(server.stop)
            if reference is None:
                reference = work.send(server.url)
                Path(env[BODY_FILE]).write_bytes(reference.body)
            gaps = same_work_gaps(server, work, reference) if contender.same_work else []
            if gaps:
                raise RuntimeError(f"{contender.name} does not do the service's work: "
                                   + ", ".join(gaps))
            servers.append(server)
        yield servers


def profile(server: RunningServer, work: Work, seconds: int, output: Path) -> None:
    """Sample the server's processes (workers included) under the work request: a flame graph.

    py-spy attaches from outside, so the profile is of the service as it runs; it needs the
    right to ptrace the server (root, or kernel.yama.ptrace_scope 0).
    """
    spy = Path(sys.executable).with_name("py-spy")
    with subprocess.Popen(  # nosec B603 B607 - wrk with a fixed argv, as Work.wrk runs it
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds + 2}s", "-s", str(work.script),
             server.url + work.request.path], stdout=subprocess.DEVNULL) as load:
        time.sleep(1)  # past the connection burst
        cmd.run([str(spy), "record", "--pid", str(server.process.pid), "--subprocesses",
                 "--rate", str(PROFILE_RATE_HZ), "--duration", str(seconds), "--nonblocking",
                 "--format", "flamegraph", "--output", str(output)], timeout=seconds + 60)
        load.wait(seconds + 30)


def measure(seconds: int, rounds: int, log_dir: Path, keys: Sequence[str] | None = None,
            profile_to: Path | None = None) -> list[dict[str, Any]]:
    """Measure each contender (or those in `keys`, the service always first) in turns.

    With `profile_to`, the service is then profiled under the same load for one round.
    """
    work = Work.declared(log_dir)
    chosen = [c for c in contenders(probes.load())
              if c.key == SERVICE or keys is None or c.key in keys]
    results: dict[str, list[dict[str, float]]] = {c.key: [] for c in chosen}
    with running(chosen, work, log_dir) as servers:
        for server in servers:
            work.wrk(server.url, WARM_UP_S)
        for _ in range(rounds):
            for contender, server in zip(chosen, servers):
                results[contender.key].append(work.wrk(server.url, seconds))
        if profile_to is not None:
            profile(servers[0], work, seconds, profile_to)
    return [summarise(c, results[c.key]) for c in chosen]


def body_file() -> Path:
    """Where a bare contender finds the body to answer with (set by `running`)."""
    return Path(os.environ[BODY_FILE])
