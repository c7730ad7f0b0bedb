"""Refuse to deploy an image this pipeline did not sign and attest: the check deploy runs first.

With $IMAGE_VERIFY_KEY (an armored OpenPGP public key) the checks are skopeo's own policy engine
(policy.json `signedBy`, the path podman and CRI-O take) for the image signature, and gpgv for
each DSSE attestation. On GitHub Actions without a key, `gh attestation verify` checks the
keyless Sigstore attestations against this repository's ci.yml identity.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.container import attestations, oci, signing
from pipeline.core import cmd, paths

GITHUB_WORKFLOW = ".github/workflows/ci.yml"
NAMES = {attestations.PROVENANCE: "provenance", attestations.SBOM: "SBOM"}


class Refused(RuntimeError):
    """The image may not be deployed; the message says why in one line."""


def policy(repository: str, public_key: Path) -> dict[str, Any]:
    """containers-policy.json(5): reject everything but `repository` signed by `public_key`."""
    return {
        "default": [{"type": "reject"}],
        "transports": {"docker": {repository: [{
            "type": "signedBy", "keyType": "GPGKeys", "keyPath": str(public_key.resolve()),
            "signedIdentity": {"type": "matchRepoDigestOrExact"},
        }]}},
    }


def statement_problem(envelope: Mapping[str, Any], image: oci.DigestRef,
                      signed: Callable[[Mapping[str, Any]], bool]) -> tuple[str, str | None]:
    """Judge one envelope: return (its predicate type, None) if it vouches for `image`."""
    try:
        body = json.loads(base64.b64decode(str(envelope["payload"]), validate=True))
        kind = str(body.get("predicateType", "?"))
        digests = [subject["digest"].get("sha256") for subject in body["subject"]]
    except (KeyError, TypeError, AttributeError, ValueError):
        return "?", "an attestation is not an in-toto statement"
    name = NAMES.get(kind, kind)
    if envelope.get("payloadType") != attestations.PAYLOAD_TYPE or \
            body.get("_type") != attestations.STATEMENT_TYPE:
        return kind, f"the {name} attestation is not an in-toto Statement v1"
    if not signed(envelope):
        return kind, f"the {name} attestation is not signed by the trusted key"
    if image.hex not in digests:
        return kind, f"the {name} attestation is about another digest, not {image.digest}"
    return kind, None


def attestation_verdict(envelopes: Sequence[Mapping[str, Any]], image: oci.DigestRef,
                        signed: Callable[[Mapping[str, Any]], bool]) -> str | None:
    """Return why the attestations do not vouch for `image`, or None when both required do."""
    vouched: set[str] = set()
    problems: list[str] = []
    for envelope in envelopes:
        kind, problem = statement_problem(envelope, image, signed)
        if problem:
            problems.append(problem)
        else:
            vouched.add(kind)
    if problems:
        return problems[0]
    absent = [NAMES[kind] for kind in attestations.REQUIRED if kind not in vouched]
    return f"no {' or '.join(absent)} attestation" if absent else None


def with_key(image: oci.DigestRef, public_key: Path, store: Path) -> str:
    """Check the signature (skopeo policy) and both attestations (gpgv) against one key."""
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        scratch = Path(tmp)
        policy_file = scratch / "policy.json"
        policy_file.write_text(json.dumps(policy(image.repository, public_key)), encoding="utf-8")
        registries_d = signing.lookaside(scratch / "registries.d", store)
        config = ["--policy", str(policy_file), "--registries.d", str(registries_d)]
        try:
            oci.pull_to_dir(image.repository, str(image), scratch / "image", config=config)
        except cmd.CommandFailed as failure:
            raise Refused(f"{image}: signature check failed: {_skopeo_reason(failure)}") from None
        try:
            envelopes = attestations.fetch(image, scratch)
        except cmd.CommandFailed:
            raise Refused(f"{image}: no attestations stored beside it "
                          f"({image.companion(attestations.ATTACHMENT)})") from None
    problem = attestation_verdict(
        envelopes, image, lambda envelope: signing.dsse_signed_by(envelope, public_key))
    if problem:
        raise Refused(f"{image}: {problem}")
    return f"verified {image}: signed by {public_key.name}, provenance and SBOM attested"


def _skopeo_reason(failure: cmd.CommandFailed) -> str:
    last = (failure.result.stderr.strip().splitlines() or ["skopeo failed"])[-1]
    return last.split('msg="', 1)[-1].rstrip('"').split(": gpgme.Signature")[0][:200]


def on_github(image: oci.DigestRef, repository: str) -> str:
    """Keyless: `gh attestation verify` each predicate against this repository's ci.yml."""
    for kind in attestations.REQUIRED:
        try:
            cmd.run(["gh", "attestation", "verify", f"oci://{image}", "--repo", repository,
                     "--signer-workflow", f"{repository}/{GITHUB_WORKFLOW}",
                     "--predicate-type", kind], timeout=300)
        except cmd.CommandFailed as failure:
            raise Refused(f"{image}: {NAMES[kind]} attestation: {failure}") from None
    return f"verified {image}: attested by {repository}/{GITHUB_WORKFLOW} (Sigstore, keyless)"


def before_deploy(reference: str, env: Mapping[str, str] | None = None) -> str:
    """Verify the image deploy is about to ship; raise Refused, naming the cause, if it fails."""
    env = os.environ if env is None else env
    try:
        image = oci.DigestRef.parse(reference)
    except oci.NotADigest as error:
        raise Refused(str(error)) from None
    key = env.get(signing.PUBLIC_KEY_VARIABLE, "").strip()
    if key:
        if not Path(key).is_file():
            raise Refused(f"{signing.PUBLIC_KEY_VARIABLE} names no file: {key}")
        store = Path(env.get("IMAGE_SIGNATURE_STORE", "") or paths.SIGNATURE_STORE)
        return with_key(image, Path(key), store)
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_REPOSITORY"):
        return on_github(image, env["GITHUB_REPOSITORY"])
    raise Refused(f"{image}: nothing to verify it against: set {signing.PUBLIC_KEY_VARIABLE} "
                  "to the signing key's public half")
