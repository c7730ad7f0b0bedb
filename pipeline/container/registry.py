"""A throwaway OCI registry (the CNCF distribution registry, Debian's docker-registry) on loopback.

Tests use `serving()`; CI starts it with `python -m pipeline.container.registry WORKDIR
--address-file FILE`, which serves until SIGTERM, so the shell never re-types the config.
"""

from __future__ import annotations

import argparse
import signal
import subprocess  # nosec B404 - a long-running server; cmd.run is for commands that finish
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.service import LOOPBACK, Probe, free_port, wait_healthy


def config(workdir: Path, port: int, htpasswd: Path | None = None) -> str:
    """The registry's YAML: storage under `workdir`, loopback only, basic auth if `htpasswd`."""
    auth = f"auth: {{htpasswd: {{realm: test, path: {htpasswd}}}}}\n" if htpasswd else ""
    return ("version: 0.1\nlog: {level: warn}\n"
            f"storage: {{filesystem: {{rootdirectory: {workdir / 'data'}}}}}\n"
            f"http: {{addr: '{LOOPBACK}:{port}'}}\n" + auth)


@contextmanager
def serving(workdir: Path, htpasswd: Path | None = None) -> Iterator[str]:
    """Serve a registry for the block; yield its host:port."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "registry.yml"
    config_file.write_text(config(workdir, port, htpasswd), encoding="utf-8")
    with (workdir / "registry.log").open("wb") as log, subprocess.Popen(  # nosec B603 B607
            ["docker-registry", "serve", str(config_file)], stdout=log,
            stderr=subprocess.STDOUT) as process:  # fixed argv, no shell
        try:
            # 401 counts as ready: the registry is up and asking for credentials.
            wait_healthy(f"http://{LOOPBACK}:{port}", timeout=10, process=process,
                         probe=Probe("GET", "/v2/", (200, 401)))
            yield f"{LOOPBACK}:{port}"
        finally:
            process.terminate()
            process.wait(10)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM; write host:port to --address-file once it answers."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.container.registry")
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--address-file", type=Path, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    with serving(args.workdir) as address:
        args.address_file.write_text(address + "\n", encoding="utf-8")
        signal.pause()
    return 0


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)  # unwinds through `serving`, which stops the registry


if __name__ == "__main__":
    raise SystemExit(main())
