"""The canary target: a live deployment named by $CANARY_URL; nothing here changes it."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def canary_url() -> str:
    """The live deployment; the canary refuses to guess one."""
    url = os.environ.get("CANARY_URL", "").strip().rstrip("/")
    if not url:
        pytest.fail("CANARY_URL is not set; `nox -s canary` explains how to run the canary")
    return url
