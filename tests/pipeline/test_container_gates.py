"""The container stage: Dockerfile lint bites, push refuses without a registry, logs in safely."""

from __future__ import annotations

import subprocess  # nosec B404

import pytest

from pipeline import images
from tests.pipeline.conftest import Tree, failed, passed
from tests.pipeline.registry import registry

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


def _retag_for(tree: Tree, name: str) -> None:
    """Give the copy's commit the tags docker_push expects, from the image CI built."""
    revision = tree.run("git", "rev-parse", "--short=12", "HEAD").stdout.strip()
    for tag in (revision, images.project.version(), "latest"):
        subprocess.run([images.docker(), "tag", "echo:latest", f"{name}:{tag}"],  # nosec B603
                       check=True)


@pytest.mark.docker
def test_push_logs_in_with_the_password_on_stdin(tree: Tree, tmp_path) -> None:
    _retag_for(tree, "authtest")
    with registry(tmp_path / "registry", {"ci": PASSWORD}) as address:
        refused = tree.nox("-s", "docker_push", env={"REGISTRY": address, "IMAGE_NAME": "authtest"})
        assert "no basic auth credentials" in failed(refused)
        output = passed(tree.nox("-s", "docker_push", env={
            "REGISTRY": address, "IMAGE_NAME": "authtest",
            "REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": PASSWORD,
        }))
    assert PASSWORD not in output
    reference = (tree.path / "build" / "image-ref.txt").read_text().strip()
    assert reference.startswith(f"{address}/authtest@sha256:")
    assert reference in output
