"""A real OCI registry (Debian's docker-registry) on loopback, optionally behind basic auth."""

from __future__ import annotations

import hashlib
import io
import secrets
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bcrypt

from pipeline.container import attestations, oci, publish, signing
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


@contextmanager
def signed_image(workdir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A registry holding one tiny image that a fresh key signed and attested, as docker_push does.

    Yields the image's digest reference and the variables `nox -s deploy` needs to verify it.
    """
    passphrase = secrets.token_urlsafe(16)
    secret, public = signing.generate(workdir / "keys", passphrase)
    store = workdir / "signatures"
    with registry(workdir / "registry") as address:
        image = push_tiny_image(f"{address}/echo", "signed")
        with signing.keyring(secret, passphrase) as ring:
            publish.sign_and_attest(ring, image, f"{image.repository}:latest", {
                attestations.PROVENANCE: {"buildDefinition": {}},
                attestations.SBOM: {"bomFormat": "CycloneDX"}}, store)
        yield str(image), {"IMAGE_VERIFY_KEY": str(public), "IMAGE_SIGNATURE_STORE": str(store)}
