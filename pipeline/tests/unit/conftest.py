"""The deploy stage's tests run against whatever API app/ holds: its own secrets are left out."""

from __future__ import annotations

import pytest

from pipeline.deploy import app_secrets


@pytest.fixture(autouse=True)
def no_api_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """An API with no secrets, so a service's required one never stops these tests; the
    secrets path has its own tests (test_app_secrets.py, gates/test_deploy_secrets.py)."""
    monkeypatch.setattr(app_secrets, "declared", lambda: ([], []))
