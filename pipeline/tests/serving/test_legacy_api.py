"""An app/ from before models (`blueprint` and `contract`) is still served, with one warning."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from openapi_spec_validator import validate

from serving import create_app


def test_an_old_style_api_is_served_with_a_one_line_warning(
        make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="serving"):
        app = make_app()  # conftest's `api`: Flask routes and a hand-written contract
    warnings = [r.getMessage() for r in caplog.records if r.name == "serving"]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "deprecated" in warnings[0] and "CHANGELOG.md" in warnings[0]
    client = app.test_client()
    assert client.get("/things").get_json() == {"things": ["known"]}
    assert client.post("/things", json={"a": 1}).status_code == 201
    document = client.get("/openapi.json").get_json()
    validate(document)
    assert document["paths"]["/things/{name}"]["get"]["operationId"] == "oneThing"


def test_the_api_in_app_starts_without_the_warning(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    with caplog.at_level(logging.WARNING, logger="serving"):
        create_app({"MODE_CONFIG": "Testing"})
    assert not [r for r in caplog.records if r.name == "serving"]
