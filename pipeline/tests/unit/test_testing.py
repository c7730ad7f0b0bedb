"""pipeline.testing and pipeline.core.service agree with the stack they test."""

from __future__ import annotations

import os

import pytest

from pipeline.core.service import HEALTH_PROBE
from serving.config import VARIABLES
from serving.endpoints import HEALTH_PATH


def test_no_setting_in_the_shell_reaches_an_app_under_test(
        monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    for name in VARIABLES:
        monkeypatch.setenv(name, "planted in the shell")
    app = request.getfixturevalue("app")
    assert not set(VARIABLES) & set(os.environ)
    assert app.config["MAX_URL_BYTES"] != "planted in the shell"


def test_the_pipeline_probes_the_health_path_the_stack_serves() -> None:
    assert HEALTH_PROBE.path == HEALTH_PATH
