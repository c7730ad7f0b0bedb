"""The smoke target: `$SMOKE_URL` (a container, a deployment) or a fresh `python -m app`."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pipeline.core.service import RunningServer, start_server


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One `python -m app` for the session; it must exit 0 on SIGTERM."""
    server = start_server(tmp_path_factory.mktemp("server") / "server.log")
    yield server
    assert server.stop() == 0, server.log.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str:
    """$SMOKE_URL when set (a container), else the local server."""
    return os.environ.get("SMOKE_URL") or request.getfixturevalue("local_server").url
