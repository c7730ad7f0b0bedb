"""pipeline.container.verify: the verdict on attestations, the policy, what deploy refuses."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pipeline.container import attestations, oci, verify
from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder

IMAGE = oci.DigestRef("127.0.0.1:5000/echo", "sha256:" + "ab" * 32)
OTHER = oci.DigestRef("127.0.0.1:5000/echo", "sha256:" + "cd" * 32)


def _envelope(kind: str, image: oci.DigestRef = IMAGE, **changes: Any) -> dict[str, Any]:
    statement = json.loads(attestations.statement(image, kind, {}))
    statement.update(changes)
    return {"payloadType": attestations.PAYLOAD_TYPE,
            "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
            "signatures": [{"keyid": "k", "sig": "c2ln"}]}


def _signed(_envelope: Mapping[str, Any]) -> bool:
    return True


BOTH = [_envelope(attestations.PROVENANCE), _envelope(attestations.SBOM)]


def test_both_attestations_about_this_digest_pass() -> None:
    assert verify.attestation_verdict(BOTH, IMAGE, _signed) is None


@pytest.mark.parametrize(("envelopes", "signed", "reason"), [
    ([], _signed, "no provenance or SBOM attestation"),
    (BOTH[:1], _signed, "no SBOM attestation"),
    (BOTH, lambda _e: False, "the provenance attestation is not signed by the trusted key"),
    ([_envelope(attestations.PROVENANCE, OTHER), BOTH[1]], _signed,
     f"the provenance attestation is about another digest, not {IMAGE.digest}"),
    ([*BOTH, {"payload": "not base64!"}], _signed, "an attestation is not an in-toto statement"),
    ([_envelope(attestations.SBOM, _type="https://in-toto.io/Statement/v0.1"), BOTH[0]],
     _signed, "the SBOM attestation is not an in-toto Statement v1"),
])
def test_each_flaw_is_named(envelopes: list[dict[str, Any]], signed: Any, reason: str) -> None:
    assert verify.attestation_verdict(envelopes, IMAGE, signed) == reason


def test_policy_rejects_everything_but_the_repository_signed_by_the_key(tmp_path: Path) -> None:
    key = tmp_path / "k.asc"
    policy = verify.policy(IMAGE.repository, key)
    assert policy["default"] == [{"type": "reject"}]
    (requirement,) = policy["transports"]["docker"][IMAGE.repository]
    assert requirement == {"type": "signedBy", "keyType": "GPGKeys", "keyPath": str(key),
                           "signedIdentity": {"type": "matchRepoDigestOrExact"}}


def test_a_tag_is_refused_before_anything_runs() -> None:
    recorder = Recorder()
    with cmd.using(recorder), pytest.raises(verify.Refused, match="not a digest"):
        verify.before_deploy("127.0.0.1:5000/echo:latest", {"IMAGE_VERIFY_KEY": "/k"})
    assert not recorder.calls


def test_without_a_key_or_github_there_is_nothing_to_trust() -> None:
    with pytest.raises(verify.Refused, match="set IMAGE_VERIFY_KEY"):
        verify.before_deploy(str(IMAGE), {})


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(verify.Refused, match="IMAGE_VERIFY_KEY names no file"):
        verify.before_deploy(str(IMAGE), {"IMAGE_VERIFY_KEY": str(tmp_path / "absent.asc")})


def test_on_github_each_predicate_is_checked_against_ci_yml() -> None:
    recorder = Recorder()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/echo"}
    with cmd.using(recorder):
        line = verify.before_deploy(str(IMAGE), env)
    assert recorder.argvs() == [
        ["gh", "attestation", "verify", f"oci://{IMAGE}", "--repo", "acme/echo",
         "--signer-workflow", "acme/echo/.github/workflows/ci.yml", "--predicate-type", kind]
        for kind in attestations.REQUIRED]
    assert line.startswith(f"verified {IMAGE}: attested by acme/echo/")


def test_on_github_a_failed_check_is_one_line() -> None:
    recorder = Recorder(lambda _c: (1, "", "Error: no attestations found\n"))
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/echo"}
    with cmd.using(recorder), pytest.raises(verify.Refused) as refused:
        verify.before_deploy(str(IMAGE), env)
    assert "provenance attestation" in str(refused.value)
    assert "no attestations found" in str(refused.value)
    assert "\n" not in str(refused.value)
