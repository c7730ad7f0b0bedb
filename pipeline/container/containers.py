"""Run the image the way production does (read-only, no capabilities) and judge what it does.

`python -m pipeline.container.containers start IMAGE` starts it hardened for CI's shell scripts and
prints `NAME URL` once /healthz answers; the caller removes the container.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pipeline.container.images import docker, docker_output
from pipeline.core import cmd, probes, project
from pipeline.core.service import LOOPBACK, free_port, wait_healthy

STOP_BUDGET_S = 10.0  # `docker stop` and Cloud Foundry both kill after 10 s
NOT_ROOT = 10001  # the Dockerfile's USER
# Read-only but for an ephemeral /tmp, as every Cloud Foundry instance has a writable disk.
HARDENED = ("--read-only", "--tmpfs", "/tmp:rw,noexec",  # nosec B108 - the container's own tmpfs
            "--cap-drop", "ALL")


@dataclass
class Container:
    """A running container on the host network and its URL."""

    name: str
    url: str


def run_command(image: str, name: str, port: int, extra: Sequence[str] = (),
                settings: Sequence[str] = ()) -> list[str]:
    """Compose a hardened `docker run` (HARDENED, no new privileges, loopback only). The API's
    `settings` are passed by name alone: docker copies each value from its own environment, so
    none is in argv."""
    return [
        docker(), "run", "--detach", "--name", name, *HARDENED,
        "--security-opt", "no-new-privileges", "--network", "host", "--health-interval", "1s",
        "--env", f"HOST={LOOPBACK}", "--env", f"PORT={port}", "--env", f"TRUSTED_HOSTS={LOOPBACK}",
        *(part for setting in settings for part in ("--env", setting)), *extra, image,
    ]


def api_settings(image: str) -> list[str]:
    """The API's own settings set in this environment, named as the image's code declares them
    (`python -m serving.settings`, run with the image's own interpreter and no network)."""
    python = cmd.run([docker(), "image", "inspect", "--format", "{{index .Config.Entrypoint 0}}",
                      image]).stdout.strip()
    listed = cmd.run([docker(), "run", "--rm", "--network", "none", *HARDENED, "--entrypoint",
                      python, image, "-m", "serving.settings"]).stdout
    names = [line.split()[0] for line in listed.splitlines() if line.strip()]
    return [name for name in names if os.environ.get(name)]


class NotHealthy(RuntimeError):
    """The container never answered /healthz; `logs` keeps what it said before it was removed."""

    def __init__(self, message: str, logs_: str) -> None:
        super().__init__(message)
        self.logs = logs_


def start(image: str, extra: Sequence[str] = (), purpose: str = "smoke",
          timeout: float = 20.0, interval: float = 0.05) -> Container:
    """Start the image hardened and wait for /healthz; a container that never gets there goes.

    The container is named for the image and `purpose`, so `docker ps` says what each one is.
    """
    name = f"{project.name()}-{purpose}-{uuid.uuid4().hex[:8]}"
    port = free_port()
    probes.load().headers()  # the run's credential, for the tests that write to it
    cmd.run(run_command(image, name, port, extra, api_settings(image)))
    box = Container(name, f"http://{LOOPBACK}:{port}")
    try:
        wait_healthy(box.url, timeout=timeout, interval=interval)
    except (TimeoutError, RuntimeError) as failure:
        said = logs(box)
        remove(box)
        raise NotHealthy(f"{image} did not become healthy: {failure}", said) from None
    return box


def remove(box: Container) -> None:
    """Remove the container, running or not."""
    docker_output("rm", "--force", box.name, check=False)


@contextmanager
def running(image: str, extra: Sequence[str] = ()) -> Iterator[Container]:
    """Start the image, wait for /healthz, and always remove the container afterwards."""
    box = start(image, extra)
    try:
        yield box
    finally:
        remove(box)


def time_to_healthy(image: str, extra: Sequence[str] = ()) -> float:
    """Seconds from `docker run` to the first 200 from /healthz."""
    started = time.monotonic()
    box = start(image, extra, purpose="start", timeout=30, interval=0.01)
    try:
        return time.monotonic() - started
    finally:
        remove(box)


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
        health = json.loads(docker_output("inspect", "--format", "{{json .State.Health}}",
                                          box.name))
        if health is None:
            return "absent (the image has no HEALTHCHECK)"
        status = str(health["Status"])
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
    result = cmd.run([docker(), "logs", box.name], check=False)
    return result.stdout + result.stderr


@dataclass(frozen=True)
class Observation:
    """What docker_smoke saw of a running image, beyond its HTTP answers."""

    uid: int
    health: str
    components: frozenset[str]
    exit_code: int
    stop_seconds: float

    def problems(self) -> list[str]:
        """Each way the image falls short of production's expectations, in one phrase each."""
        return [
            *(["the image carries no SBOM listing flask"] if "flask" not in self.components
              else []),
            *(["the server runs as root"] if self.uid == 0 else []),
            *([f"HEALTHCHECK says {self.health}"] if self.health != "healthy" else []),
            *([f"SIGTERM exit code {self.exit_code}"] if self.exit_code != 0 else []),
            *([f"SIGTERM took {self.stop_seconds:.1f} s"] if self.stop_seconds > STOP_BUDGET_S
              else []),
        ]

    def summary(self) -> str:
        """One line for the log when all is well."""
        return (f"uid {self.uid}, HEALTHCHECK {self.health}, SBOM of {len(self.components)} "
                f"components, SIGTERM exit {self.exit_code} in {self.stop_seconds:.2f} s")


def observe(box: Container) -> Observation:
    """Read uid, HEALTHCHECK and SBOM, then stop it with SIGTERM (last: it ends the container)."""
    uid, health, components = user_id(box), health_status(box), sbom_components(box)
    code, seconds = sigterm(box)
    return Observation(uid, health, frozenset(components), code, seconds)


def main(argv: list[str] | None = None) -> int:
    """`start IMAGE`: run it hardened, print `NAME URL` when healthy."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.container.containers")
    parser.add_argument("action", choices=["start"])
    parser.add_argument("image")
    parser.add_argument("--purpose", default="ci")
    args = parser.parse_args(argv)
    try:
        box = start(args.image, purpose=args.purpose)
    except NotHealthy as failure:
        parser.exit(1, f"{failure.logs[-2000:]}\n{failure}\n")
    except cmd.CommandFailed as failure:
        parser.exit(1, f"{args.image} did not start: {failure}\n")
    print(box.name, box.url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
