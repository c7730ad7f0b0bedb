"""pipeline.container.images: the pinned base, build arguments fixed by the commit, tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.container import images
from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder


def test_the_pinned_base_is_read_from_the_dockerfile() -> None:
    name, digest = images.pinned_base().split("@")
    assert name == "python:3.13-slim-trixie"
    assert digest.startswith("sha256:") and len(digest) == 71


def test_a_dockerfile_without_the_pinned_stage_is_named(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11-slim-bookworm AS official-base\n")
    with pytest.raises(RuntimeError, match="no `FROM name@sha256:... AS official-base`"):
        images.pinned_base(dockerfile)


def _answer(command: cmd.Command) -> tuple[int, str, str]:
    answers = {"inspect": "sha256:" + "ee" * 32, "rev-parse": "f" * 40, "log": "1700000000",
               "remote": "https://example.invalid/echo.git"}
    return 0, next(v for k, v in answers.items() if k in command.argv) + "\n", ""


def test_build_args_are_fixed_by_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("IMAGE_SOURCE", raising=False)
    monkeypatch.setenv("BASE_IMAGE", "local/python:3.11-bookworm")
    with cmd.using(Recorder(_answer)):
        args = images.build_args()
    assert args["CREATED"] == "2023-11-14T22:13:20Z"  # the commit's time, not now
    assert args["REVISION"] == "f" * 40
    assert (args["BASE_IMAGE"], args["BASE_NAME"], args["BASE_DIGEST"]) == (
        "local/python:3.11-bookworm", "local/python:3.11-bookworm", "sha256:" + "ee" * 32)


def test_without_base_image_the_pin_is_the_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BASE_IMAGE", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    with cmd.using(Recorder(_answer)):
        args = images.build_args()
    assert args["BASE_IMAGE"] == args["BASE_NAME"] == images.pinned_base()
    assert args["BASE_DIGEST"] == images.pinned_base().split("@")[1]
    assert args["CREATED"] == "1970-01-01T00:00:00Z"
