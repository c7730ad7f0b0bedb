"""The container stage: Dockerfile lint bites, push refuses without a registry, logs in safely."""

from __future__ import annotations

import shutil
import subprocess  # nosec B404
import uuid
from collections.abc import Iterator

import pytest

from pipeline.container import images
from pipeline.core import project
from pipeline.core.paths import WHEELS_DIR
from tests.support.tree import Tree, failed, passed
from tests.support.registry import registry

PASSWORD = "pl4nted-Registry-pw"  # nosec B105  # pragma: allowlist secret


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
        subprocess.run([images.docker(), "tag", "echo:latest", f"{name}:{tag}"],  # nosec B603
                       check=True)


@pytest.mark.docker
def test_push_logs_in_with_the_password_on_stdin(tree: Tree, tmp_path, scratch_image) -> None:
    _retag_for(tree, scratch_image)
    with registry(tmp_path / "registry", {"ci": PASSWORD}) as address:
        refused = tree.nox("-s", "docker_push",
                           env={"REGISTRY": address, "IMAGE_NAME": scratch_image})
        assert "no basic auth credentials" in failed(refused)
        output = passed(tree.nox("-s", "docker_push", env={
            "REGISTRY": address, "IMAGE_NAME": scratch_image,
            "REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": PASSWORD,
        }))
    assert PASSWORD not in output
    reference = (tree.path / "build" / "image-ref.txt").read_text().strip()
    assert reference.startswith(f"{address}/{scratch_image}@sha256:")
    assert reference in output


@pytest.mark.docker
def test_image_running_as_root_fails_docker_smoke(tree: Tree, scratch_image) -> None:
    dockerfile = tree.path / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("USER 10001:10001\n", ""))
    shutil.copytree(WHEELS_DIR, tree.path / "build" / "wheels")
    env = {"IMAGE_NAME": scratch_image}
    passed(tree.nox("-s", "docker_build", env=env))
    output = failed(tree.nox("-s", "docker_smoke", "--", f"{scratch_image}:latest", env=env))
    assert "the server runs as root" in output
