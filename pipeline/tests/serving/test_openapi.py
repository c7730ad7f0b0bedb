"""The served contract: valid OpenAPI 3.1, every route in it, and the stack's promises on each."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from pipeline.core import project
from serving import create_app
from serving.openapi import ALWAYS, HEADERS, WITH_BODY, document
from serving.project import project as facts
from serving.endpoints import HEALTH_PATH

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def served(client: FlaskClient) -> dict[str, Any]:
    """The contract as the app serves it."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def _operations(contract: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in contract["paths"].items()
            for method, op in item.items()]


def test_the_document_is_valid_openapi_31_named_by_pyproject(served: dict[str, Any]) -> None:
    validate(served)
    assert served["openapi"].startswith("3.1")
    assert (served["info"]["title"], served["info"]["version"], served["info"]["description"]) == (
        project.name(), project.version(), project.description())


def _routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        # Pages, not operations: APIFlask's reference page and its assets (serving/reference.py).
        if rule.endpoint == "static" or rule.endpoint.startswith(("reference.", "openapi.docs")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, m.lower()) for m in rule.methods or () if m.lower() in HTTP_METHODS}
    return routes


def test_every_route_is_documented_and_nothing_else(app: Flask, served: dict[str, Any]) -> None:
    assert _routes(app) == {(path, method) for path, method, _ in _operations(served)}


def test_the_api_in_app_documents_every_route_it_has(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.chdir(tmp_path)
    real = create_app({"MODE_CONFIG": "Testing"})
    contract = real.test_client().get("/openapi.json").get_json()
    validate(contract)
    assert _routes(real) == {(path, method) for path, method, _ in _operations(contract)}


def test_every_operation_documents_what_the_stack_may_answer(served: dict[str, Any]) -> None:
    for path, method, operation in _operations(served):
        codes = set(operation["responses"])
        expected = {str(code) for code in (*ALWAYS, *(WITH_BODY if "requestBody" in operation
                                                      else ()))}
        assert expected <= codes, (path, method)
        assert operation["parameters"][0] == {"$ref": "#/components/parameters/RequestId"}
        for status, answer in operation["responses"].items():
            if "$ref" not in answer:
                assert set(HEADERS) <= set(answer["headers"]), (path, method, status)


def test_the_apis_own_answers_are_kept(served: dict[str, Any]) -> None:
    one = served["paths"]["/things/{name}"]["get"]["responses"]
    assert one["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    assert "201" in served["paths"]["/things"]["post"]["responses"]


@pytest.mark.parametrize("api", [
    {"paths": {HEALTH_PATH: {}}},
    {"paths": {}, "components": {"schemas": {"Error": {"type": "object"}}}},
])
def test_an_api_cannot_replace_what_the_stack_serves(api: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="reuse the stack's"):
        document(api, facts())
