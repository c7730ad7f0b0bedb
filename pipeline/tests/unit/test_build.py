"""pipeline.container.build: the builder choice, the buildah steps, the config normalisation."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.container import build
from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder

CONFIG: dict[str, Any] = {
    "architecture": "amd64", "container": "build-container-1",
    "created": "2026-01-01T00:00:00Z",
    "config": {"Hostname": "build-host-1", "Domainname": "x", "User": "10001:10001",
               "Healthcheck": {"Test": ["CMD", "true"]}},
    "container_config": {"Hostname": "build-host-1", "User": "10001:10001"},
}


def test_build_container_identity_is_blanked_and_nothing_else() -> None:
    normal = build.normalise_config(CONFIG)
    assert normal["container"] == ""
    assert normal["config"] == {**CONFIG["config"], "Hostname": "sandbox", "Domainname": ""}
    assert normal["container_config"]["Hostname"] == "sandbox"
    assert normal["config"]["Healthcheck"] == {"Test": ["CMD", "true"]}
    assert CONFIG["container"] == "build-container-1"  # the input is left alone


def test_two_builds_differing_only_in_build_container_get_one_digest(tmp_path: Path) -> None:
    digests = []
    for run, (container, host) in enumerate([("aaa", "h1"), ("bbb", "h2")]):
        layout = tmp_path / str(run)
        layout.mkdir()
        config = {**CONFIG, "container": container,
                  "config": {**CONFIG["config"], "Hostname": host}}
        data = json.dumps(config).encode()
        name = hashlib.sha256(data).hexdigest()
        (layout / name).write_bytes(data)
        (layout / "manifest.json").write_text(json.dumps(
            {"config": {"mediaType": "m", "digest": f"sha256:{name}", "size": len(data)},
             "layers": []}))
        digest = build.rewrite_config(layout)
        manifest = json.loads((layout / "manifest.json").read_text())
        stored = (layout / digest.split(":")[1]).read_bytes()
        assert manifest["config"] == {"mediaType": "m", "digest": digest, "size": len(stored)}
        assert hashlib.sha256(stored).hexdigest() == digest.split(":")[1]
        assert not (layout / name).exists()
        digests.append(digest)
    assert digests[0] == digests[1]


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
    assert steps[1][-3:] == ["to-docker", str(build.IID_FILE), "echo:latest"]
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
