"""A real OCI registry (Debian's docker-registry) on loopback, optionally behind basic auth."""

from __future__ import annotations

import hashlib
import io
import subprocess  # nosec B404
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bcrypt

from pipeline.container import oci
from pipeline.core.service import LOOPBACK, free_port

LAYER = "application/vnd.oci.image.layer.v1.tar"


@contextmanager
def registry(workdir: Path, users: dict[str, str] | None = None) -> Iterator[str]:
    """Serve a throwaway registry; yield its host:port."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    auth = ""
    if users:
        htpasswd = workdir / "htpasswd"
        htpasswd.write_text("".join(
            f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}\n"
            for user, password in users.items()
        ))
        auth = f"auth: {{htpasswd: {{realm: test, path: {htpasswd}}}}}\n"
    config = workdir / "registry.yml"
    config.write_text(
        "version: 0.1\nlog: {level: warn}\n"
        f"storage: {{filesystem: {{rootdirectory: {workdir / 'data'}}}}}\n"
        f"http: {{addr: '{LOOPBACK}:{port}'}}\n" + auth
    )
    with (workdir / "registry.log").open("wb") as log:
        process = subprocess.Popen(  # nosec B603 B607
            ["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait(f"http://{LOOPBACK}:{port}/v2/")
        yield f"{LOOPBACK}:{port}"
    finally:
        process.terminate()
        process.wait(10)


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=1):  # nosec B310 - loopback URL we built
                return
        except urllib.error.HTTPError:
            return  # 401 means it is up and demanding credentials
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"registry at {url} did not start")


def push_tiny_image(repository: str, text: str, tag: str = "latest") -> oci.DigestRef:
    """Push a one-file image (no Docker needed) and return it by digest; `text` makes it unique."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        data = text.encode()
        member = tarfile.TarInfo("hello.txt")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    oci.push_artifact(repository, f"{repository}:{tag}", [(LAYER, layer.getvalue(), {})])
    raw = oci.skopeo("inspect", "--raw", *oci.tls_flags(repository),
                     f"docker://{repository}:{tag}").stdout
    return oci.DigestRef(repository, "sha256:" + hashlib.sha256(raw.encode()).hexdigest())
