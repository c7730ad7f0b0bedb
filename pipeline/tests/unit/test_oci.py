"""pipeline.container.oci: digest references, TLS only off on loopback, artifact layouts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pipeline.container import oci
from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder

DIGEST = "sha256:" + "0f" * 32


def test_a_digest_reference_splits_and_names_its_companions() -> None:
    image = oci.DigestRef.parse(f" 127.0.0.1:5000/team/echo@{DIGEST}\n")
    assert (image.repository, image.digest, str(image)) == (
        "127.0.0.1:5000/team/echo", DIGEST, f"127.0.0.1:5000/team/echo@{DIGEST}")
    assert image.companion("att") == f"127.0.0.1:5000/team/echo:sha256-{'0f' * 32}.att"


@pytest.mark.parametrize("reference", [
    "ghcr.io/acme/echo:latest", "ghcr.io/acme/echo@sha256:abc", f"echo@{DIGEST}:tag",
    f"ghcr.io/acme/echo@sha512:{'0f' * 64}", ""])
def test_anything_but_a_sha256_digest_is_refused(reference: str) -> None:
    with pytest.raises(oci.NotADigest, match="not a digest reference"):
        oci.DigestRef.parse(reference)


@pytest.mark.parametrize(("repository", "verify"), [
    ("127.0.0.1:5000/echo", "false"), ("localhost/echo", "false"), ("ghcr.io/acme/echo", "true"),
    ("127.0.0.1.nip.io:5000/echo", "true"), ("registry.example:5000/echo", "true")])
def test_tls_is_verified_except_on_loopback(repository: str, verify: str) -> None:
    assert oci.tls_flags(repository, "src", "dest") == [
        f"--src-tls-verify={verify}", f"--dest-tls-verify={verify}"]
    assert oci.tls_flags(repository) == [f"--tls-verify={verify}"]


def test_an_artifact_is_a_valid_oci_layout_copied_with_digests_kept() -> None:
    seen: dict[str, object] = {}

    def answer(command: cmd.Command) -> tuple[int, str, str]:
        layout = Path(command.argv[-2].removeprefix("oci:").removesuffix(":artifact"))
        index = json.loads((layout / "index.json").read_text())
        (entry,) = index["manifests"]
        blob = (layout / "blobs" / "sha256" / entry["digest"].split(":")[1]).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == entry["digest"].split(":")[1]
        seen["manifest"] = json.loads(blob)
        return 0, "", ""

    recorder = Recorder(answer)
    with cmd.using(recorder):
        oci.push_artifact("127.0.0.1:5000/echo", "127.0.0.1:5000/echo:x.att",
                          [("application/x-test", b"payload", {"k": "v"})])
    assert recorder.argvs()[0][:4] == ["skopeo", "copy", "--quiet", "--preserve-digests"]
    assert recorder.argvs()[0][-1] == "docker://127.0.0.1:5000/echo:x.att"
    manifest = seen["manifest"]
    assert isinstance(manifest, dict)
    assert manifest["config"]["mediaType"] == oci.OCI_EMPTY
    (layer,) = manifest["layers"]
    assert layer["mediaType"] == "application/x-test" and layer["annotations"] == {"k": "v"}
    assert layer["digest"] == "sha256:" + hashlib.sha256(b"payload").hexdigest()


def test_artifact_layers_are_read_back_by_digest(tmp_path: Path) -> None:
    data = b"envelope"
    digest = hashlib.sha256(data).hexdigest()
    (tmp_path / digest).write_bytes(data)
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"layers": [{"mediaType": "m", "digest": f"sha256:{digest}"}]}))
    assert oci.artifact_layers(tmp_path) == [({"mediaType": "m", "digest": f"sha256:{digest}"},
                                              data)]
