"""pipeline.container.signing: run keys, DSSE envelopes signed by gpg and checked by gpgv."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.container import signing
from pipeline.testing import require_tools

PASSPHRASE = "unit-Pl4nted-pass"  # nosec B105  # pragma: allowlist secret


def test_pae_follows_the_dsse_protocol() -> None:
    assert signing.pae("application/example", b"hello world") == \
        b"DSSEv1 19 application/example 11 hello world"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """Our key pair (secret, public) and another public key."""
    require_tools("gpg", "gpgv", "gpgconf", install="apt-get install gnupg gpgv (Debian)")
    root = tmp_path_factory.mktemp("keys")
    secret, public = signing.generate(root / "ours", PASSPHRASE)
    _, other = signing.generate(root / "other", PASSPHRASE)
    yield secret, public, other


def test_generated_secret_key_is_protected_and_private(keys: tuple[Path, Path, Path]) -> None:
    secret, public, _ = keys
    assert secret.stat().st_mode & 0o077 == 0
    assert "PRIVATE KEY BLOCK" in secret.read_text()
    assert "PUBLIC KEY BLOCK" in public.read_text()
    with pytest.raises(Exception, match="exited 2"), signing.keyring(secret, "wrong") as ring:
        signing.sign_dsse(ring, "text/plain", b"x")


def test_envelope_verifies_with_our_key_only(keys: tuple[Path, Path, Path]) -> None:
    secret, public, other = keys
    with signing.keyring(secret, PASSPHRASE) as ring:
        envelope = signing.sign_dsse(ring, "application/vnd.in-toto+json", b'{"a": 1}')
    assert signing.dsse_signed_by(envelope, public)
    assert not signing.dsse_signed_by(envelope, other)
    tampered = {**envelope, "payload": base64.b64encode(b'{"a": 2}').decode()}
    assert not signing.dsse_signed_by(tampered, public)
    retyped = {**envelope, "payloadType": "text/plain"}
    assert not signing.dsse_signed_by(retyped, public)
    assert not signing.dsse_signed_by({"payload": "%%"}, public)


def test_lookaside_points_reads_and_writes_at_the_store(tmp_path: Path) -> None:
    directory = signing.lookaside(tmp_path / "registries.d", tmp_path / "store")
    text = (directory / "default.yaml").read_text()
    uri = (tmp_path / "store").as_uri()
    assert f"lookaside: {uri}\n" in text and f"lookaside-staging: {uri}\n" in text
