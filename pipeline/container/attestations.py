"""In-toto attestations for a pushed image: SLSA v1 build provenance and the CycloneDX SBOM.

Each is an in-toto Statement v1 (in-toto/attestation `spec/v1/statement.md`) whose subject is the
image digest, signed in a DSSE envelope and stored beside the image the way cosign stores its
attestations: an OCI artifact tagged `sha256-<hex>.att`, one envelope per layer.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.container import oci, signing

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
ENVELOPE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json"
PROVENANCE = "https://slsa.dev/provenance/v1"
SBOM = "https://cyclonedx.org/bom"
REQUIRED = (PROVENANCE, SBOM)
BUILD_TYPE_DOC = "docs/build-type.md"  # what buildDefinition's parameters mean
ATTACHMENT = "att"  # cosign's suffix for the attestation tag


@dataclass(frozen=True)
class BuildFacts:
    """What the provenance records about one build (SLSA v1 `buildDefinition`, `runDetails`)."""

    source: str
    commit: str
    base_image: str
    base_digest: str
    lock_sha256: str
    invocation: str


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file (the lock's hash in the provenance)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_type(source: str, commit: str) -> str:
    """The build's type: its specification, docs/build-type.md, in the source at the commit."""
    return f"{source.removesuffix('.git')}/blob/{commit}/{BUILD_TYPE_DOC}"


def builder_id(env: Mapping[str, str] | None = None) -> str:
    """The workflow that built it on GitHub; otherwise the nox session on this host."""
    env = os.environ if env is None else env
    if env.get("GITHUB_WORKFLOW_REF"):
        return f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/{env['GITHUB_WORKFLOW_REF']}"
    return f"nox -s docker_push on {platform.node() or 'localhost'}"


def provenance(facts: BuildFacts, builder: str, started: datetime) -> dict[str, Any]:
    """The SLSA v1 provenance predicate: commit, session or workflow, base digest, lock hash."""
    algorithm, _, base_hex = facts.base_digest.partition(":")
    return {
        "buildDefinition": {
            "buildType": build_type(facts.source, facts.commit),
            "externalParameters": {"source": facts.source, "revision": facts.commit,
                                   "invocation": facts.invocation},
            "internalParameters": {"baseImage": facts.base_image},
            "resolvedDependencies": [
                {"uri": f"git+{facts.source}", "digest": {"gitCommit": facts.commit}},
                {"uri": f"oci://{facts.base_image.split('@')[0]}",
                 "digest": {algorithm or "sha256": base_hex or facts.base_digest}},
                {"uri": "requirements.txt", "digest": {"sha256": facts.lock_sha256}},
            ],
        },
        "runDetails": {
            "builder": {"id": builder},
            "metadata": {
                "invocationId": facts.invocation,
                "startedOn": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "finishedOn": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        },
    }


def statement(image: oci.DigestRef, predicate_type: str, predicate: Any) -> bytes:
    """An in-toto Statement v1 about exactly one image digest."""
    return json.dumps({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": image.repository, "digest": {"sha256": image.hex}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    }, sort_keys=True).encode()


def attest(ring: signing.Keyring, image: oci.DigestRef, predicates: Mapping[str, Any],
           auth: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Sign one statement per predicate and push them beside the image; return the envelopes."""
    envelopes = [signing.sign_dsse(ring, PAYLOAD_TYPE, statement(image, kind, predicate))
                 for kind, predicate in predicates.items()]
    oci.push_artifact(image.repository, image.companion(ATTACHMENT), [
        (ENVELOPE_MEDIA_TYPE, json.dumps(envelope).encode(), {"predicateType": kind})
        for kind, envelope in zip(predicates, envelopes)
    ], env=auth)
    return envelopes


def fetch(image: oci.DigestRef, scratch: Path) -> list[dict[str, Any]]:
    """Pull the envelopes stored beside the image; an unreadable layer is skipped, not trusted."""
    directory = oci.pull_to_dir(image.repository, image.companion(ATTACHMENT),
                                scratch / "attestations")
    envelopes = []
    for descriptor, data in oci.artifact_layers(directory):
        if descriptor.get("mediaType") == ENVELOPE_MEDIA_TYPE:
            try:
                envelopes.append(json.loads(data))
            except ValueError:
                continue
    return envelopes
