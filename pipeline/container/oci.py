"""Registry plumbing through skopeo: digest references, copies, OCI artifacts beside an image."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import cmd

_DIGEST_REF = re.compile(r"^(?P<repository>[^@\s]+)@(?P<digest>sha256:[0-9a-f]{64})$")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"  # OCI image-spec 1.1 artifact config


class NotADigest(ValueError):
    """A reference that names a tag, not one immutable manifest."""


@dataclass(frozen=True)
class DigestRef:
    """`repository@sha256:...`: one manifest, named by what it is."""

    repository: str
    digest: str

    @classmethod
    def parse(cls, reference: str) -> DigestRef:
        """Split `host/name@sha256:<64 hex>`; anything else is refused."""
        match = _DIGEST_REF.match(reference.strip())
        if not match:
            raise NotADigest(f"not a digest reference (name@sha256:<64 hex>): {reference[:120]}")
        return cls(match["repository"], match["digest"])

    def __str__(self) -> str:
        return f"{self.repository}@{self.digest}"

    @property
    def hex(self) -> str:
        """The digest without its algorithm prefix."""
        return self.digest.split(":", 1)[1]

    def companion(self, suffix: str) -> str:
        """Cosign's tag scheme for things stored beside an image: `sha256-<hex>.<suffix>`."""
        return f"{self.repository}:sha256-{self.hex}.{suffix}"


def _host(repository: str) -> str:
    host = repository.split("/", 1)[0]
    return host if host.startswith("[") else host.rsplit(":", 1)[0]


def tls_flags(repository: str, *sides: str) -> list[str]:
    """Plain HTTP only for a loopback registry (the test one); TLS is verified everywhere else."""
    verify = "false" if _host(repository) in LOOPBACK_HOSTS else "true"
    return [f"--{side}-tls-verify={verify}" for side in sides] or [f"--tls-verify={verify}"]


def skopeo(*args: str, stdin: str | None = None, config: Sequence[str] = (),
           env: Mapping[str, str] | None = None) -> cmd.Result:
    """Run skopeo; `config` carries global options such as --policy or --registries.d."""
    subcommand, *rest = args  # global options after it, so errors name `skopeo copy`
    return cmd.run(["skopeo", subcommand, *config, *rest], stdin=stdin, env=env, timeout=300)


def pull_to_dir(repository: str, reference: str, target: Path, config: Sequence[str] = ()) -> Path:
    """Copy one manifest of `repository` and its blobs into a `dir:` layout, under `config`."""
    skopeo("copy", "--quiet", *tls_flags(repository, "src"), f"docker://{reference}",
           f"dir:{target}", config=config)
    return target


def _blob(layout: Path, data: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def push_artifact(repository: str, reference: str,
                  layers: Sequence[tuple[str, bytes, dict[str, str]]],
                  env: Mapping[str, str] | None = None) -> None:
    """Push an OCI artifact (empty config, one layer per (media type, bytes, annotations)).

    skopeo has no artifact command in 1.9, so the artifact is written as an OCI image layout
    (image-spec `image-layout.md`) and copied as it is, digests preserved.
    """
    with tempfile.TemporaryDirectory(prefix="oci-artifact-") as scratch:
        layout = Path(scratch)
        (layout / "blobs" / "sha256").mkdir(parents=True)
        manifest = {
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_EMPTY, **_blob(layout, b"{}")},
            "layers": [{"mediaType": media_type, **_blob(layout, data), "annotations": notes}
                       for media_type, data, notes in layers],
        }
        entry = {"mediaType": OCI_MANIFEST, **_blob(layout, json.dumps(manifest).encode()),
                 "annotations": {"org.opencontainers.image.ref.name": "artifact"}}
        (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
        (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
        skopeo("copy", "--quiet", "--preserve-digests", *tls_flags(repository, "dest"),
               f"oci:{layout}:artifact", f"docker://{reference}", env=env)


def artifact_layers(directory: Path) -> list[tuple[dict[str, Any], bytes]]:
    """Read back a pulled artifact: each layer's descriptor with its bytes."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return [(layer, (directory / layer["digest"].split(":", 1)[1]).read_bytes())
            for layer in manifest.get("layers", [])]
