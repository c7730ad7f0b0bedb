"""The served contract is valid OpenAPI 3.1 and matches the routes and rules exactly."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from app import __version__, validation

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    """The contract as the app serves it."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def test_document_is_valid_openapi_31(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["info"]["version"] == __version__


def test_every_route_is_documented_and_nothing_else(app: Flask, document: dict[str, Any]) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, m.lower()) for m in rule.methods or () if m.lower() in HTTP_METHODS}
    documented = {(path, m) for path, ops in document["paths"].items() for m in ops}
    assert routes == documented


def test_patterns_are_the_enforced_rules(document: dict[str, Any]) -> None:
    parameters = document["components"]["parameters"]
    assert parameters["Item"]["schema"]["pattern"] == f"^{validation.ITEM_PATTERN}$"
    assert parameters["Lang"]["schema"]["pattern"] == f"^{validation.LANG_PATTERN}$"
    assert parameters["Lang"]["schema"]["maxLength"] == validation.LANG_MAX


def test_every_operation_documents_its_errors(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"200", "400", "414", "431", "500"} <= codes, (path, method)
            if method == "post":
                assert {"413", "415"} <= codes


def test_app_package_version_matches_pyproject() -> None:
    import tomllib  # pylint: disable=import-outside-toplevel
    from pathlib import Path  # pylint: disable=import-outside-toplevel

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"] == __version__
