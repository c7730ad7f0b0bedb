"""Container stage: lint bites, push logs in safely, deploy refuses unsigned or forged images."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess  # nosec B404
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.container import attestations, images, oci, publish, signing
from pipeline.core import project
from pipeline.core.paths import FAKES, ROOT, WHEELS_DIR
from pipeline.tests.support.registry import push_tiny_image, registry, signed_image
from pipeline.tests.support.tree import Tree, failed, passed

PASSWORD = "pl4nted-Registry-pw"  # nosec B105  # pragma: allowlist secret
SIGNING_PASSPHRASE = "run-Key-pl4nted-pass"  # nosec B105  # pragma: allowlist secret


def test_unpinned_apt_install_fails_hadolint(tree: Tree) -> None:
    dockerfile = tree.path / "Dockerfile"
    text = dockerfile.read_text()
    dockerfile.write_text(text.replace(
        "COPY --from=build /opt/venv", "RUN apt-get update && apt-get install -y curl\n"
        "COPY --from=build /opt/venv", 1))
    output = failed(tree.nox("-s", "hadolint"))
    assert "DL3008" in output


def test_push_without_registry_names_the_variable(tree: Tree) -> None:
    output = failed(tree.nox("-s", "docker_push", env={"REGISTRY": ""}))
    assert "missing required environment variable(s): REGISTRY" in output
    assert "Traceback" not in output


def test_push_with_half_the_credentials_names_the_other(tree: Tree) -> None:
    output = failed(tree.nox("-s", "docker_push", env={
        "REGISTRY": "127.0.0.1:9", "REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": ""}))
    assert "missing required environment variable(s): REGISTRY_PASSWORD" in output


def test_push_of_a_commit_not_yet_built_says_to_build_it(tree: Tree) -> None:
    name = f"echo-unbuilt-{uuid.uuid4().hex[:8]}"
    env = {"REGISTRY": "127.0.0.1:9", "IMAGE_NAME": name}
    output = failed(tree.nox("-s", "docker_push", env=env))
    assert "in Docker: images are built per commit, so run `nox -s docker_build` first" in output
    assert "No such image" not in output and "Traceback" not in output


@pytest.fixture
def scratch_image() -> Iterator[str]:
    """An image name for one test; every tag it gets is removed afterwards."""
    name = f"echo-gate-{uuid.uuid4().hex[:8]}"
    yield name
    listed = [ref for ref in subprocess.run(  # nosec B603
        [images.docker(), "images", "--format", "{{.Repository}}:{{.Tag}}"],
        capture_output=True, text=True, check=False).stdout.split()
        if ref.split(":")[-2].rsplit("/", 1)[-1] == name]  # also the REGISTRY/name:tag copies
    if listed:
        subprocess.run([images.docker(), "rmi", "--force", *listed],  # nosec B603
                       capture_output=True, check=False)


def _retag_for(tree: Tree, name: str) -> None:
    """Give the copy's commit the tags docker_push expects, from the image CI built."""
    revision = tree.run("git", "rev-parse", "--short=12", "HEAD").stdout.strip()
    for tag in (revision, project.version(), "latest"):
        built = f"{images.image_name()}:latest"
        subprocess.run([images.docker(), "tag", built, f"{name}:{tag}"], check=True)  # nosec B603


@pytest.mark.docker
def test_push_logs_in_with_the_password_on_stdin(tree: Tree, tmp_path: Path,
                                                 scratch_image: str) -> None:
    _retag_for(tree, scratch_image)
    with registry(tmp_path / "registry", {"ci": PASSWORD}) as address:
        refused = tree.nox("-s", "docker_push",
                           env={"REGISTRY": address, "IMAGE_NAME": scratch_image})
        assert "no basic auth credentials" in failed(refused)
        secret, _ = signing.generate(tmp_path / "keys", SIGNING_PASSPHRASE)
        output = passed(tree.nox("-s", "docker_push", env={
            "REGISTRY": address, "IMAGE_NAME": scratch_image,
            "REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": PASSWORD,
            "IMAGE_SIGNING_KEY": str(secret), "IMAGE_SIGNING_PASSPHRASE": SIGNING_PASSPHRASE,
        }))
    assert PASSWORD not in output and SIGNING_PASSPHRASE not in output
    reference = (tree.path / "build" / "image-ref.txt").read_text().strip()
    assert reference.startswith(f"{address}/{scratch_image}@sha256:")
    assert reference in output
    assert f"signed {reference} with key" in output  # skopeo used the same throwaway login


@pytest.mark.docker
def test_image_running_as_root_fails_docker_smoke(tree: Tree, scratch_image: str) -> None:
    dockerfile = tree.path / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("USER 10001:10001\n", ""))
    if WHEELS_DIR.is_dir():  # a head start: docker_build downloads whatever is not there yet
        shutil.copytree(WHEELS_DIR, tree.path / "build" / "wheels")
    env = {"IMAGE_NAME": scratch_image}
    passed(tree.nox("-s", "docker_build", env=env))
    output = failed(tree.nox("-s", "docker_smoke", "--", f"{scratch_image}:latest", env=env))
    assert "the server runs as root" in output


# --- Supply chain: deploy refuses what this pipeline did not sign and attest -----------------

@dataclass
class Trust:
    """A real registry, our key pair, someone else's, and where signatures are kept."""

    registry: str
    ours: tuple[Path, Path]
    theirs: tuple[Path, Path]
    store: Path

    def sign(self, image: oci.DigestRef, key: tuple[Path, Path] | None = None,
             predicates: dict[str, Any] | None = None) -> None:
        """Sign and attest as docker_push does, by default with our key and both predicates."""
        secret, _ = key or self.ours
        with signing.keyring(secret, SIGNING_PASSPHRASE) as ring:
            publish.sign_and_attest(ring, image, f"{image.repository}:latest",
                                    PREDICATES if predicates is None else predicates, self.store)

    def deploy(self, tree: Tree, image: oci.DigestRef,
               cf_log: Path) -> subprocess.CompletedProcess[str]:
        """`nox -s deploy` in docker mode against the fake cf, trusting our public key."""
        return tree.nox("-s", "deploy", env={
            **DEPLOY_ENV, "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
            "FAKE_CF_LOG": str(cf_log), "IMAGE_REF": str(image),
            "IMAGE_VERIFY_KEY": str(self.ours[1]), "IMAGE_SIGNATURE_STORE": str(self.store),
        })


PREDICATES: dict[str, Any] = {attestations.PROVENANCE: {"buildDefinition": {}},
                              attestations.SBOM: {"bomFormat": "CycloneDX"}}
DEPLOY_ENV = {
    "CF_API": "https://api.cf.example.test", "CF_USERNAME": "deployer",
    "CF_PASSWORD": "cf-Pl4nted-pw",  # nosec B105  # pragma: allowlist secret
    "CF_ORG": "acme", "CF_SPACE": "production",
    "CF_VARS_FILE": str(ROOT / "deploy" / "vars.example.yml"), "DEPLOY_MODE": "docker",
    "CF_DOCKER_USERNAME": "puller",
    "CF_DOCKER_PASSWORD": "registry-Pl4nted-pw",  # nosec B105  # pragma: allowlist secret
    "CANARY_URL": "", "GITHUB_ACTIONS": "",
}


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trust]:
    """One registry and two key pairs for the refusal tests (keys take a second each)."""
    workdir = tmp_path_factory.mktemp("trust")
    with registry(workdir / "registry") as address:
        yield Trust(address, signing.generate(workdir / "ours", SIGNING_PASSPHRASE),
                    signing.generate(workdir / "theirs", SIGNING_PASSPHRASE), workdir / "store")


def _cf_calls(cf_log: Path) -> int:
    return len(cf_log.read_text().splitlines()) if cf_log.exists() else 0


def _refused(result: subprocess.CompletedProcess[str], cf_log: Path) -> str:
    """The one refusal line; no cf call was made and no traceback printed."""
    output = failed(result)
    assert "Traceback" not in output
    assert _cf_calls(cf_log) == 0, "deploy called cf before verifying the image"
    lines = [line for line in output.splitlines() if "refusing to deploy" in line]
    assert len(lines) == 1, output[-2000:]
    return lines[0]


@pytest.mark.docker
def test_deploy_refuses_an_unsigned_digest(tree: Tree, trust: Trust, tmp_path: Path) -> None:
    image = push_tiny_image(f"{trust.registry}/echo", "unsigned")
    line = _refused(trust.deploy(tree, image, tmp_path / "cf.jsonl"), tmp_path / "cf.jsonl")
    assert "A signature was required, but no signature exists" in line
    assert str(image) in line


@pytest.mark.docker
def test_deploy_refuses_a_digest_signed_by_another_key(tree: Tree, trust: Trust,
                                                       tmp_path: Path) -> None:
    image = push_tiny_image(f"{trust.registry}/echo", "theirs")
    trust.sign(image, key=trust.theirs)
    line = _refused(trust.deploy(tree, image, tmp_path / "cf.jsonl"), tmp_path / "cf.jsonl")
    assert "Invalid GPG signature" in line


@pytest.mark.docker
def test_deploy_refuses_a_tampered_attestation(tree: Tree, trust: Trust, tmp_path: Path) -> None:
    image = push_tiny_image(f"{trust.registry}/echo", "tampered")
    trust.sign(image)
    envelopes = attestations.fetch(image, tmp_path)
    statement = json.loads(base64.b64decode(envelopes[0]["payload"]))
    statement["predicate"] = {"buildDefinition": {"externalParameters": {"planted": True}}}
    envelopes[0]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    oci.push_artifact(image.repository, image.companion(attestations.ATTACHMENT), [
        (attestations.ENVELOPE_MEDIA_TYPE, json.dumps(envelope).encode(), {})
        for envelope in envelopes])
    line = _refused(trust.deploy(tree, image, tmp_path / "cf.jsonl"), tmp_path / "cf.jsonl")
    assert "attestation is not signed by the trusted key" in line


@pytest.mark.docker
def test_deploy_refuses_an_attestation_of_another_digest(tree: Tree, trust: Trust,
                                                         tmp_path: Path) -> None:
    ours, other = (push_tiny_image(f"{trust.registry}/echo", text) for text in ("a", "b"))
    trust.sign(ours)
    trust.sign(other)
    moved = attestations.fetch(other, tmp_path)  # validly signed, but about `other`
    oci.push_artifact(ours.repository, ours.companion(attestations.ATTACHMENT), [
        (attestations.ENVELOPE_MEDIA_TYPE, json.dumps(envelope).encode(), {})
        for envelope in moved])
    line = _refused(trust.deploy(tree, ours, tmp_path / "cf.jsonl"), tmp_path / "cf.jsonl")
    assert f"is about another digest, not {ours.digest}" in line


@pytest.mark.docker
def test_deploy_refuses_a_signed_image_without_its_sbom(tree: Tree, trust: Trust,
                                                        tmp_path: Path) -> None:
    image = push_tiny_image(f"{trust.registry}/echo", "no-sbom")
    trust.sign(image, predicates={attestations.PROVENANCE: {}})
    line = _refused(trust.deploy(tree, image, tmp_path / "cf.jsonl"), tmp_path / "cf.jsonl")
    assert "no SBOM attestation" in line


@pytest.mark.docker
def test_deploy_accepts_an_image_we_signed_and_attested(tree: Tree, tmp_path: Path) -> None:
    with signed_image(tmp_path / "trusted") as (reference, trust_env):
        output = tree.nox("-s", "deploy", env={
            **DEPLOY_ENV, "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
            "FAKE_CF_LOG": str(tmp_path / "cf.jsonl"), "IMAGE_REF": reference, **trust_env})
    text = output.stdout + output.stderr
    assert f"verified {reference}: signed by signing.pub.asc, provenance and SBOM attested" in text
    assert "refusing" not in text
    assert _cf_calls(tmp_path / "cf.jsonl") > 0, text[-2000:]
