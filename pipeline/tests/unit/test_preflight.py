"""pipeline.container.preflight: a missing tool or engine is named in one line, with the fix."""

from __future__ import annotations

import shutil

import pytest

from pipeline.container import preflight
from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder


def test_each_missing_tool_is_named_with_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None if name != "buildah" else "/x")
    line = preflight.missing_tools(["buildah", "skopeo", "mmdebstrap"])
    assert line == ("`skopeo` is not installed: install skopeo (Debian: apt-get install skopeo); "
                    "`mmdebstrap` is not installed: install mmdebstrap (Debian: apt-get install "
                    "mmdebstrap)")
    assert preflight.missing_tools(["buildah"]) is None


def test_no_docker_client_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER", "/opt/nowhere/docker")
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert preflight.docker_problem() == (
        "no docker client `/opt/nowhere/docker`: install Docker (Debian: apt-get install "
        "docker.io) or set DOCKER to a client")


def test_a_stopped_engine_is_named_with_how_to_start_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    refused = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."
    with cmd.using(Recorder(lambda _command: (1, "", f"Client: 20.10\n{refused}\n"))):
        line = preflight.docker_problem()
    assert line == (f"the Docker engine is not reachable ({refused}): start it (`dockerd`, or "
                    "Docker Desktop) or point DOCKER_HOST at one")
    with cmd.using(Recorder(lambda _command: (0, "20.10.24\n", ""))):
        assert preflight.docker_problem() is None


def test_images_docker_lacks_are_listed() -> None:
    def answer(command: cmd.Command) -> tuple[int, str, str]:
        if command.argv[-1] == "echo:c0ffee":
            return 1, "", "Error: No such image: echo:c0ffee"
        return 0, "sha256:1\n", ""

    with cmd.using(Recorder(answer)):
        assert preflight.missing_images(["echo:c0ffee", "echo:latest"]) == ["echo:c0ffee"]
