"""Fixtures in the Flask tutorial's shape: `app` from the factory, `client` from the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app

TESTING = {"MODE_CONFIG": "Testing", "TRUSTED_HOSTS": ""}


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Flask]:
    """Build apps from explicit variables only: no stray .env or shell variable leaks in."""
    monkeypatch.chdir(tmp_path)
    for name in ("MODE_CONFIG", "TRUSTED_HOSTS", "LOG_LEVEL", "MAX_BODY_BYTES"):
        monkeypatch.delenv(name, raising=False)

    def factory(**variables: str) -> Flask:
        return create_app({**TESTING, **variables})

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """An app in Testing mode, with no Host allow-list."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client for `app`."""
    return app.test_client()
