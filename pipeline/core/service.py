"""Start `python -m serving`, or any server argv, on a free loopback port; wait till it answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess  # nosec B404 - starts our own server with a fixed argv
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from pipeline.core.httpclient import call
from pipeline.core.paths import ROOT

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Ask the kernel for an unused loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class Probe(NamedTuple):
    """What readiness means for a server: the request to send and the statuses that count."""

    method: str
    path: str
    ready: tuple[int, ...] = (200,)
    body: bytes | None = None
    headers: Mapping[str, str] = MappingProxyType({})


# serving.endpoints.HEALTH_PATH, which pipeline/core cannot import: it runs where Flask is not
# installed (nox's own process, the registry); a unit test holds the two equal.
HEALTH_PROBE = Probe("GET", "/healthz")


def wait_healthy(
    base_url: str,
    timeout: float = 20.0,
    process: subprocess.Popen[Any] | None = None,
    interval: float = 0.05,
    *,
    probe: Probe = HEALTH_PROBE,
) -> float:
    """Poll the probe (default GET /healthz) until it answers as ready; return the seconds."""
    method, path, ready, body, headers = probe
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was healthy")
        try:
            if call(base_url, method, path, body, dict(headers), timeout=1).status in ready:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(interval)
    answers = " or ".join(map(str, ready))
    raise TimeoutError(f"{base_url}{path} did not answer {answers} within {timeout:.0f} s")


class ServerNotReady(RuntimeError):
    """The server exited or never answered its readiness probe; the message names its log."""


@dataclass
class RunningServer:
    """A server subprocess and where to reach it."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self, timeout: float = 15.0) -> int:
        """Send SIGTERM, as Docker and Cloud Foundry do, and return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


PRODUCTION_ON_LOOPBACK = MappingProxyType({"MODE_CONFIG": "Production", "TRUSTED_HOSTS": LOOPBACK})
APP_ARGV = (sys.executable, "-m", "serving")


def start_server(
    log: Path,
    env: Mapping[str, str] | None = None,
    *,
    cwd: Path = ROOT,
    defaults: Mapping[str, str] = PRODUCTION_ON_LOOPBACK,
    argv: Sequence[str] = APP_ARGV,
    ready: Probe = HEALTH_PROBE,
) -> RunningServer:
    """Launch a server (the production one unless `argv` says otherwise) on a free port.

    "{port}" in `argv` becomes the port, which is also in PORT; `ready` is the probe
    that must answer before this returns. The caller stops it (see `serve`).
    """
    port = free_port()
    child_env = {**os.environ, **defaults, "HOST": LOOPBACK, "PORT": str(port), **(env or {})}
    command = [part.replace("{port}", str(port)) for part in argv]
    with log.open("wb") as sink:
        # pylint: disable-next=consider-using-with  # the process outlives this function
        process = subprocess.Popen(  # nosec B603 - an argv list, no shell
            command, cwd=cwd, env=child_env, stdout=sink, stderr=subprocess.STDOUT,
        )
    server = RunningServer(process, f"http://{LOOPBACK}:{port}", log)
    try:
        wait_healthy(server.url, process=process, probe=ready)
    except (RuntimeError, TimeoutError) as failure:
        server.stop()
        raise ServerNotReady(f"{failure} (its output: {log})") from None
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def serve(log: Path, env: Mapping[str, str] | None = None) -> Iterator[RunningServer]:
    """Run the production server for the duration of a `with` block."""
    server = start_server(log, env)
    try:
        yield server
    finally:
        server.stop()
