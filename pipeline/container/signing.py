"""Sign with an OpenPGP key: image signatures through skopeo, DSSE envelopes through gpg.

Why OpenPGP and not a cosign key: Debian's skopeo 1.9 is built with sigstore signing disabled
("Debian-local change: sigstore disabled"), while its simple signing (`--sign-by`) and the
policy.json `signedBy` check are the real, complete code paths podman and CRI-O use. One key signs
both the image and its attestations; the passphrase travels on stdin, never in argv or a file.

`python -m pipeline.container.signing keygen DIR` writes a key pair for one CI run, reading
the passphrase from $IMAGE_SIGNING_PASSPHRASE, and prints the `export` lines that name it.
"""

from __future__ import annotations

import argparse
import base64
import os
import shlex
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.container import oci
from pipeline.core import cmd, project
from pipeline.core.environment import require

KEY_VARIABLES = ["IMAGE_SIGNING_KEY", "IMAGE_SIGNING_PASSPHRASE"]
PUBLIC_KEY_VARIABLE = "IMAGE_VERIFY_KEY"
DSSE_PREFIX = b"DSSEv1"


@dataclass(frozen=True)
class Keyring:
    """A throwaway GNUPGHOME holding one secret key, and how to unlock it."""

    env: dict[str, str]
    fingerprint: str
    passphrase: str = ""

    def gpg(self, *args: str, stdin: str | None = None) -> cmd.Result:
        """Run gpg in batch mode against this keyring only."""
        return cmd.run(["gpg", "--batch", "--quiet", "--no-tty", *args], env=self.env, stdin=stdin)


@contextmanager
def _gnupg_home() -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="gnupg-") as home:
        os.chmod(home, 0o700)
        # A fixed passphrase-hashing count: the agent's own calibration took 12 s per key on a
        # busy 2-core machine, for the same protection (2**20 iterations, gpg-agent(1)).
        Path(home, "gpg-agent.conf").write_text("s2k-count 1048576\n", encoding="utf-8")
        env = {"GNUPGHOME": home}
        try:
            yield env
        finally:  # gpg starts an agent per home; stop ours before its socket directory goes
            cmd.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)


def _fingerprint(env: dict[str, str]) -> str:
    listing = cmd.output(["gpg", "--batch", "--with-colons", "--list-secret-keys"], env=env)
    for line in listing.splitlines():
        if line.startswith("fpr:"):
            return line.split(":")[9]
    raise cmd.CommandFailed(cmd.Result(cmd.Command(("gpg", "--list-secret-keys")), 2, "",
                                       "no secret key in the signing key file"))


@contextmanager
def keyring(secret_key: Path, passphrase: str) -> Iterator[Keyring]:
    """Import an armored OpenPGP secret key into a keyring that lives for this block."""
    with _gnupg_home() as env:
        cmd.run(["gpg", "--batch", "--quiet", "--import", str(secret_key)], env=env)
        yield Keyring(env, _fingerprint(env), passphrase)


@contextmanager
def keyring_from_env() -> Iterator[Keyring]:
    """The keyring of $IMAGE_SIGNING_KEY, unlocked by $IMAGE_SIGNING_PASSPHRASE."""
    settings = require(KEY_VARIABLES)
    with keyring(Path(settings["IMAGE_SIGNING_KEY"]), settings["IMAGE_SIGNING_PASSPHRASE"]) as ring:
        yield ring


def run_identity() -> str:
    """The user id of a key made for one run, named for the service it signs."""
    name = project.name()
    return f"{name} pipeline run key <ci@{name}.invalid>"


def generate(directory: Path, passphrase: str, identity: str | None = None,
             expires: str = "1d") -> tuple[Path, Path]:
    """Write `signing.asc` (secret, passphrase-protected) and `signing.pub.asc`; return both."""
    identity = identity or run_identity()
    directory.mkdir(parents=True, exist_ok=True)
    secret, public = directory / "signing.asc", directory / "signing.pub.asc"
    with _gnupg_home() as env:
        unlock = ["--pinentry-mode", "loopback", "--passphrase-fd", "0"]
        ring = Keyring(env, "")
        ring.gpg(*unlock, "--quick-generate-key", identity, "nistp256", "sign", expires,
                 stdin=passphrase)
        fingerprint = _fingerprint(env)
        public.write_text(ring.gpg("--armor", "--export", fingerprint).stdout)
        secret.write_text(ring.gpg(*unlock, "--armor", "--export-secret-keys", fingerprint,
                                   stdin=passphrase).stdout)
    secret.chmod(0o600)
    return secret, public


def sign_image(ring: Keyring, image: oci.DigestRef, tag: str, registries_d: Path,
               auth: Mapping[str, str] | None = None) -> None:
    """Attach a simple-signing signature to `image`: skopeo re-copies it onto `tag` and signs.

    The copy preserves the digest (blobs already exist, so nothing is uploaded again); the
    signature lands in the lookaside store that `registries_d` names.
    """
    tls = oci.tls_flags(image.repository, "src", "dest")
    oci.skopeo("copy", "--quiet", "--preserve-digests", *tls,
               "--sign-by", ring.fingerprint, "--sign-passphrase-file", "/dev/stdin",
               f"docker://{image}", f"docker://{tag}", stdin=ring.passphrase,
               config=["--registries.d", str(registries_d)],
               env={**ring.env, **(auth or {})})  # gpgme reads GNUPGHOME


def lookaside(directory: Path, store: Path) -> Path:
    """Write a registries.d that keeps simple signatures in `store` (containers-registries.d(5))."""
    directory.mkdir(parents=True, exist_ok=True)
    uri = store.resolve().as_uri()
    (directory / "default.yaml").write_text(
        f"default-docker:\n  lookaside: {uri}\n  lookaside-staging: {uri}\n", encoding="utf-8")
    return directory


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding (secure-systems-lab/dsse `protocol.md`)."""
    kind = payload_type.encode()
    return b" ".join([DSSE_PREFIX, str(len(kind)).encode(), kind, str(len(payload)).encode(),
                      payload])


def sign_dsse(ring: Keyring, payload_type: str, payload: bytes) -> dict[str, Any]:
    """Wrap `payload` in a DSSE envelope signed (detached OpenPGP) by the keyring's key."""
    with tempfile.TemporaryDirectory(prefix="dsse-") as scratch:
        data, signature = Path(scratch) / "pae", Path(scratch) / "pae.sig"
        data.write_bytes(pae(payload_type, payload))
        ring.gpg("--pinentry-mode", "loopback", "--passphrase-fd", "0", "--local-user",
                 ring.fingerprint, "--detach-sign", "--output", str(signature), str(data),
                 stdin=ring.passphrase)
        sig = signature.read_bytes()
    return {
        "payloadType": payload_type,
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": ring.fingerprint, "sig": base64.b64encode(sig).decode()}],
    }


def dsse_signed_by(envelope: Mapping[str, Any], public_key: Path) -> bool:
    """Tell whether any signature on the envelope verifies with `public_key` (gpgv decides)."""
    try:
        payload_type = str(envelope["payloadType"])
        payload = base64.b64decode(str(envelope["payload"]), validate=True)
        signatures = [base64.b64decode(str(entry["sig"]), validate=True)
                      for entry in envelope["signatures"]]
    except (KeyError, TypeError, ValueError):
        return False
    with _gnupg_home() as env, tempfile.TemporaryDirectory(prefix="dsse-") as scratch:
        keyring = Path(scratch) / "trusted.gpg"
        cmd.run(["gpg", "--batch", "--yes", "--output", str(keyring), "--dearmor",
                 str(public_key)], env=env)
        data = Path(scratch) / "pae"
        data.write_bytes(pae(payload_type, payload))
        for index, sig in enumerate(signatures):
            signature = Path(scratch) / f"{index}.sig"
            signature.write_bytes(sig)
            checked = cmd.run(["gpgv", "--keyring", str(keyring), str(signature), str(data)],
                              env=env, check=False)
            if checked.ok:
                return True
    return False


def main(argv: list[str] | None = None) -> int:
    """`keygen DIR`: a key pair for one run, the passphrase from $IMAGE_SIGNING_PASSPHRASE."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.container.signing")
    parser.add_argument("action", choices=["keygen"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--expires", default="1d", help="gpg expiry, for example 1d or 1y")
    args = parser.parse_args(argv)
    passphrase = require(["IMAGE_SIGNING_PASSPHRASE"])["IMAGE_SIGNING_PASSPHRASE"]
    secret, public = generate(args.directory, passphrase, expires=args.expires)
    print(f"export IMAGE_SIGNING_KEY={shlex.quote(str(secret))}\n"
          f"export IMAGE_VERIFY_KEY={shlex.quote(str(public))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
