"""A real OCI registry (Debian's docker-registry) on loopback, optionally behind basic auth."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bcrypt

from pipeline.container import oci
from pipeline.container.registry import serving

LAYER = "application/vnd.oci.image.layer.v1.tar"


@contextmanager
def registry(workdir: Path, users: dict[str, str] | None = None) -> Iterator[str]:
    """Serve a throwaway registry, behind basic auth for `users`; yield its host:port."""
    htpasswd = None
    if users:
        workdir.mkdir(parents=True, exist_ok=True)
        htpasswd = workdir / "htpasswd"
        htpasswd.write_text("".join(
            f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}\n"
            for user, password in users.items()
        ))
    with serving(workdir, htpasswd) as address:
        yield address


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
