"""After a push: sign the digest and attest its provenance and SBOM, with the configured key."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.container import attestations, images, oci, signing
from pipeline.core import paths

BASE_NAME_LABEL = "org.opencontainers.image.base.name"
BASE_DIGEST_LABEL = "org.opencontainers.image.base.digest"


def signing_configured(env: Mapping[str, str] | None = None) -> bool:
    """Tell whether a signing key is configured (on GitHub, keyless attest steps sign instead)."""
    env = os.environ if env is None else env
    return bool(env.get("IMAGE_SIGNING_KEY", "").strip())


def build_facts(local_image: str) -> attestations.BuildFacts:
    """Gather what the provenance records: commit, source, base (from the image's labels), lock."""
    labels = json.loads(images.docker_output(
        "image", "inspect", "--format", "{{json .Config.Labels}}", local_image) or "{}") or {}
    return attestations.BuildFacts(
        source=os.environ.get("IMAGE_SOURCE") or images.source_url(),
        commit=images.git_revision(),
        base_image=labels.get(BASE_NAME_LABEL, "unknown"),
        base_digest=labels.get(BASE_DIGEST_LABEL, "unknown"),
        lock_sha256=attestations.sha256_file(paths.RUNTIME_LOCK),
        invocation=os.environ.get("GITHUB_RUN_ID") or "nox -s docker_push",
    )


def sign_and_attest(ring: signing.Keyring, image: oci.DigestRef, tag: str,
                    predicates: Mapping[str, Any], store: Path = paths.SIGNATURE_STORE,
                    auth: Mapping[str, str] | None = None) -> str:
    """Sign `image` (signature into `store`) and push its attestations; say what was done."""
    with tempfile.TemporaryDirectory(prefix="registries-d-") as scratch:
        signing.sign_image(ring, image, tag, signing.lookaside(Path(scratch), store), auth)
    attestations.attest(ring, image, predicates, auth)
    return (f"signed {image} with key {ring.fingerprint[-16:]} and attested "
            f"{len(predicates)} predicates ({image.companion(attestations.ATTACHMENT)})")


def image_sbom(local_image: str) -> Any:
    """The SBOM the image itself carries, so the attestation describes exactly what ships."""
    return json.loads(images.docker_output("run", "--rm", "--network", "none", "--entrypoint",
                                           "cat", local_image, "/srv/sbom.cdx.json"))


def skopeo_auth(docker_env: Mapping[str, str]) -> dict[str, str]:
    """Point skopeo at docker's throwaway login (same `auths` format, containers-auth.json(5))."""
    config = docker_env.get("DOCKER_CONFIG")
    return {"REGISTRY_AUTH_FILE": str(Path(config) / "config.json")} if config else {}


def publish_pushed(image: oci.DigestRef, tag: str, local_image: str, started: datetime,
                   docker_env: Mapping[str, str]) -> str:
    """Sign and attest what docker_push pushed, with the key the environment names."""
    predicates = {
        attestations.PROVENANCE: attestations.provenance(
            build_facts(local_image), attestations.builder_id(), started),
        attestations.SBOM: image_sbom(local_image),
    }
    # The README's IMAGE_SIGNATURE_STORE, which deploy's verification reads too.
    store = Path(os.environ.get("IMAGE_SIGNATURE_STORE", "") or paths.SIGNATURE_STORE)
    with signing.keyring_from_env() as ring:
        return sign_and_attest(ring, image, tag, predicates, store=store,
                               auth=skopeo_auth(docker_env))
