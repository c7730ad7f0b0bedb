"""Server benchmark: the echo endpoint under wrk, side by side in one run on the same cores."""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404 - starts servers and wrk with fixed argv lists
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.paths import ROOT
from pipeline.core.service import LOOPBACK, free_port, wait_healthy

PATH = "/echo/hello?lang=en-GB"
WORKERS = 2
APP_ENV = {"MODE_CONFIG": "Production", "TRUSTED_HOSTS": LOOPBACK, "LOG_LEVEL": "INFO"}
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Contender:
    """A server to measure: how to start it on a port."""

    name: str
    argv: tuple[str, ...]  # "{port}" is replaced with the port


def contenders() -> list[Contender]:
    """The production server, the seed's dev server, gunicorn, FastAPI, and the raw floor."""
    python = sys.executable
    bindir = Path(python).parent
    workers = str(WORKERS)
    return [
        Contender("granian (python -m app)", (python, "-m", "app")),
        Contender("Flask dev server (threaded, 1 process)",
                  (python, "-m", "flask", "--app", "app.wsgi:app", "run", "--port", "{port}")),
        Contender(f"gunicorn sync, {workers} workers",
                  (str(bindir / "gunicorn"), "-w", workers, "-b", f"{LOOPBACK}:{{port}}",
                   "app.wsgi:app")),
        Contender(f"FastAPI + uvicorn, {workers} workers",
                  (str(bindir / "uvicorn"), "--workers", workers, "--port", "{port}",
                   "--log-level", "warning", "--no-access-log",
                   "pipeline.bench.apps.fastapi_echo:app")),
        Contender(f"raw WSGI callable on granian, {workers} workers",
                  (str(bindir / "granian"), "--interface", "wsgi", "--workers", workers,
                   "--port", "{port}", "--log-level", "warning",
                   "pipeline.bench.apps.raw_wsgi:app")),
    ]


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, float]:
    """Throughput, p50, p99 and errors from `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, flags=re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return {"requests_per_s": rps, "p50_ms": _ms(percentiles["50"]),
            "p99_ms": _ms(percentiles["99"]), "errors": errors}


def wrk(url: str, connections: int, seconds: int) -> dict[str, float]:
    """Run wrk with POST requests against the echo endpoint."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\n')
    try:
        result = subprocess.run(  # nosec B603 B607
            ["wrk", f"-t{WORKERS}", f"-c{connections}", f"-d{seconds}s", "--latency",
             "-s", script.name, url + PATH], capture_output=True, text=True, check=True,
        )
    finally:
        os.unlink(script.name)
    return parse_wrk(result.stdout)


def measure(contender: Contender, connections: int, seconds: int, log_dir: Path) -> dict:
    """Start one contender, warm it up, measure it, stop it."""
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in contender.argv]
    env = {**os.environ, **APP_ENV, "HOST": LOOPBACK, "PORT": str(port),
           "WEB_CONCURRENCY": str(WORKERS)}
    log = log_dir / (re.sub(r"\W+", "-", contender.name).strip("-") + ".log")
    with log.open("wb") as sink:
        # pylint: disable-next=consider-using-with  # stopped in the finally below
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=sink,  # nosec B603
                                   stderr=subprocess.STDOUT)
    try:
        url = f"http://{LOOPBACK}:{port}"
        # Not every contender has /healthz: wait for the endpoint being measured.
        wait_healthy(url, timeout=30, process=process, method="POST", path=PATH)
        wrk(url, connections, 2)  # warm-up
        return {"server": contender.name, **wrk(url, connections, seconds)}
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
