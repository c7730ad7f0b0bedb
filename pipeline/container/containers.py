"""Run the image the way production does (read-only, no capabilities) and observe it."""

from __future__ import annotations

import json
import subprocess  # nosec B404 - docker is called with fixed argv lists, never a shell
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pipeline.container.images import docker, docker_output
from pipeline.core.service import LOOPBACK, free_port, wait_healthy

STOP_BUDGET_S = 10.0  # `docker stop` and Cloud Foundry both kill after 10 s


@dataclass
class Container:
    """A running container on the host network and its URL."""

    name: str
    url: str


def run_command(image: str, name: str, port: int, extra: Sequence[str] = ()) -> list[str]:
    """Compose a hardened `docker run`: read-only, no capabilities, loopback only."""
    return [
        docker(), "run", "--detach", "--name", name, "--read-only", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges", "--network", "host", "--health-interval", "1s",
        "--env", f"HOST={LOOPBACK}", "--env", f"PORT={port}", "--env", f"TRUSTED_HOSTS={LOOPBACK}",
        *extra, image,
    ]


@contextmanager
def running(image: str, extra: Sequence[str] = ()) -> Iterator[Container]:
    """Start the image, wait for /healthz, and always remove the container afterwards."""
    name = f"echo-smoke-{uuid.uuid4().hex[:8]}"
    port = free_port()
    subprocess.run(run_command(image, name, port, extra), check=True,  # nosec B603
                   capture_output=True)
    box = Container(name, f"http://{LOOPBACK}:{port}")
    try:
        wait_healthy(box.url)
        yield box
    finally:
        docker_output("rm", "--force", name, check=False)


def time_to_healthy(image: str, extra: Sequence[str] = ()) -> float:
    """Seconds from `docker run` to the first 200 from /healthz."""
    name = f"echo-start-{uuid.uuid4().hex[:8]}"
    port = free_port()
    started = time.monotonic()
    subprocess.run(run_command(image, name, port, extra), check=True,  # nosec B603
                   capture_output=True)
    try:
        wait_healthy(f"http://{LOOPBACK}:{port}", timeout=30, interval=0.01)
        return time.monotonic() - started
    finally:
        docker_output("rm", "--force", name, check=False)


def user_id(box: Container) -> int:
    """Return the uid the server process runs as inside the container."""
    return int(docker_output("exec", box.name, "python3", "-c", "import os; print(os.getuid())"))


def sbom_components(box: Container) -> set[str]:
    """Name the packages the image's own SBOM (/srv/sbom.cdx.json) lists."""
    sbom = json.loads(docker_output("exec", box.name, "cat", "/srv/sbom.cdx.json"))
    return {component["name"].lower() for component in sbom.get("components", [])}


def health_status(box: Container, timeout: float = 20.0) -> str:
    """Wait for Docker's own HEALTHCHECK verdict and return it."""
    deadline = time.monotonic() + timeout
    status = "starting"
    while time.monotonic() < deadline:
        health = docker_output("inspect", "--format", "{{json .State.Health}}", box.name)
        status = json.loads(health)["Status"]
        if status != "starting":
            break
        time.sleep(0.5)
    return status


def sigterm(box: Container) -> tuple[int, float]:
    """Send SIGTERM as an orchestrator would; return the exit code and seconds to exit."""
    started = time.monotonic()
    docker_output("kill", "--signal", "TERM", box.name)
    code = int(docker_output("wait", box.name))
    return code, time.monotonic() - started


def logs(box: Container) -> str:
    """Return what the container wrote to stdout and stderr."""
    result = subprocess.run(  # nosec B603
        [docker(), "logs", box.name], capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr
