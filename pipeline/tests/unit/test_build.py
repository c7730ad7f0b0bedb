"""pipeline.container.build: the builder choice and the buildah steps."""

from __future__ import annotations

import shutil

import pytest

from pipeline.container import build
from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder


@pytest.mark.parametrize(("env", "found", "chosen"), [
    ({"IMAGE_BUILDER": "docker"}, "/usr/bin/buildah", "docker"),
    ({}, "/usr/bin/buildah", "buildah"),
    ({}, None, "docker"),
])
def test_builder_is_chosen_by_env_then_by_what_is_installed(
        monkeypatch: pytest.MonkeyPatch, env: dict[str, str], found: str | None,
        chosen: str) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: found)
    assert build.builder(env) == chosen


def test_an_unknown_builder_is_named() -> None:
    with pytest.raises(ValueError, match="IMAGE_BUILDER must be one of buildah, docker"):
        build.builder({"IMAGE_BUILDER": "kaniko"})


def test_buildah_builds_with_the_commit_time_and_hands_over_to_docker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("BASE_IMAGE", "local/python:3.11-bookworm")
    monkeypatch.setenv("IMAGE_NAME", "echo")

    def answer(command: cmd.Command) -> tuple[int, str, str]:
        if command.argv[0] == "git":
            return 0, "c0ffee\n", ""
        if command.argv[:2] == ("buildah", "inspect"):
            return 0, "60572331812c\n", ""  # buildah's copy of the base is current
        return 0, "sha256:60572331812c\n", ""

    with cmd.using(Recorder(answer)):
        steps = build.buildah_commands()
    names = [step[0].rsplit("/", 1)[-1] for step in steps]
    assert names[0] == "buildah" and steps[0][1] == "build"  # no pull: the base is in sync
    assert ["--timestamp", "1700000000"] == steps[0][steps[0].index("--timestamp"):][:2]
    assert ["--format", "docker"] == steps[0][steps[0].index("--format"):][:2]
    assert "--layers" in steps[0] and "--no-cache" not in steps[0]
    assert "--label" not in steps[0]  # buildah makes each one a layer commit
    assert steps[0][steps[0].index("--build-arg") + 1] == "BASE_IMAGE=local/python:3.11-bookworm"
    assert steps[1][3:6] == ["to-docker", str(build.IID_FILE), "echo:latest"]
    assert "org.opencontainers.image.revision=c0ffee" in steps[1]  # set as the config is written
    assert [step[-3:] for step in steps[2:]] == [
        ["tag", "echo:latest", "echo:c0ffee"], ["tag", "echo:latest", "echo:1.0.0"]]


def test_a_stale_base_is_copied_from_docker_first() -> None:
    def answer(command: cmd.Command) -> tuple[int, str, str]:
        if command.argv[:2] == ("buildah", "inspect"):
            return 125, "", "image not known"
        return 0, "sha256:60572331812c\n", ""

    with cmd.using(Recorder(answer)):
        assert build.base_sync_command("local/python:3.11-bookworm") == [
            "buildah", "pull", "--quiet", "docker-daemon:local/python:3.11-bookworm"]


def test_no_cache_builds_from_nothing_with_either_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASE_IMAGE", "local/python:3.11-bookworm")
    with cmd.using(Recorder(lambda _command: (0, "sha256:60572331812c\n", ""))):
        buildah = build.commands({"IMAGE_BUILDER": "buildah"}, fresh=True)
        docker = build.commands({"IMAGE_BUILDER": "docker"}, fresh=True)
    assert "--no-cache" in next(step for step in buildah if step[:2] == ["buildah", "build"])
    assert "--no-cache" in docker[0]
