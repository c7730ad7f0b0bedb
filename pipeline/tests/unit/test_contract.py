"""pipeline.core.contract: which answers an operation documents, and what is safe to send live."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.core.contract import Contract, ContractError

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "svc"},
    "paths": {
        "/items": {
            "get": {"parameters": [{"name": "limit", "in": "query"}],
                    "responses": {"200": {}, "400": {}}},
            "post": {"requestBody": {}, "responses": {"201": {}, "4XX": {}, "500": {}}},
        },
        "/items/{id}": {"get": {"parameters": [{"$ref": "#/components/parameters/Id"}],
                                "responses": {"200": {}, "404": {}}}},
        "/items/new": {"get": {"responses": {"default": {}}}},
        "/search": {"get": {"parameters": [{"name": "q", "in": "query", "required": True}],
                            "responses": {"200": {}}}},
    },
    "components": {"parameters": {"Id": {"name": "id", "in": "path", "required": True}}},
}


@pytest.fixture
def contract() -> Contract:
    """The document above, parsed."""
    return Contract.parse(DOCUMENT)


def test_a_request_finds_its_operation_concrete_paths_first(contract: Contract) -> None:
    assert str(contract.operation("GET", "/items/7?x=1")) == "GET /items/{id}"
    assert str(contract.operation("GET", "/items/new")) == "GET /items/new"
    assert str(contract.operation("HEAD", "/items")) == "GET /items"  # HEAD is GET, bodiless
    assert contract.operation("GET", "/items/7/parts") is None
    assert contract.operation("DELETE", "/items") is None
    assert contract.title == "svc"


def test_success_is_a_documented_answer_that_is_not_a_server_error(contract: Contract) -> None:
    assert contract.succeeds("GET", "/items/7", 404)  # documented, so it is an answer
    assert not contract.succeeds("GET", "/items/7", 400)  # not documented
    assert contract.succeeds("POST", "/items", 409)  # 4XX covers it
    assert not contract.succeeds("POST", "/items", 500)  # documented, yet a failure
    assert contract.succeeds("GET", "/items/new", 418)  # default covers everything
    assert not contract.succeeds("GET", "/nowhere", 200)


def test_safe_requests_are_get_and_head_of_operations_needing_nothing(contract: Contract) -> None:
    assert sorted(contract.safe_requests()) == [
        ("GET", "/items"), ("GET", "/items/new"), ("HEAD", "/items"), ("HEAD", "/items/new")]


def test_templated_operations_name_their_parameters(contract: Contract) -> None:
    assert [(str(op), name) for op, name in contract.templated()] == [("GET /items/{id}", "id")]
    operation = contract.operation("POST", "/items")
    assert operation is not None and operation.takes_body


@pytest.mark.parametrize("document", [
    None, {"swagger": "2.0"}, {"openapi": "3.1.0", "paths": {"/x": {"get": {}}}},
    {"openapi": "3.1.0", "paths": {"/x": {"get": {
        "parameters": [{"$ref": "#/components/parameters/Nope"}], "responses": {}}}}},
])
def test_what_is_not_a_readable_document_is_refused(document: Any) -> None:
    with pytest.raises(ContractError):
        Contract.parse(document)


def test_routes_and_declared_path_parameters_agree(contract: Contract) -> None:
    assert not contract.mismatches()
    renamed = {**DOCUMENT, "paths": {"/items/{item_id}": DOCUMENT["paths"]["/items/{id}"]}}
    assert Contract.parse(renamed).mismatches() == [
        "GET /items/{item_id}: the route's variables ['item_id'] are not the declared path"
        " parameters ['id']: name the path model's fields after the route's <variables> (or"
        " the route's after the fields)"]


@pytest.mark.parametrize(("status", "content_type", "body", "named"), [
    (201, None, b"{}", "GET /items/{id} answered 201, which its contract does not document"),
    (204, None, b"", "GET /items/{id} answered 204, which its contract does not document"),
])
def test_an_undocumented_status_is_a_problem(contract: Contract, status: int,
                                             content_type: str | None, body: bytes,
                                             named: str) -> None:
    operation = contract.operation("GET", "/items/7")
    assert operation is not None
    problem = operation.answer_problem(status, content_type, body)
    assert problem is not None and problem.startswith(named)
    assert operation.answer_problem(404, "application/json", b"{}") is None


@pytest.mark.parametrize(("content_type", "body"), [
    ("text/html; charset=utf-8", b""), (None, b"{}"), ("application/json", b"{}")])
def test_a_204_or_304_carries_neither_body_nor_type(content_type: str | None,
                                                    body: bytes) -> None:
    operation = Contract.parse(
        {"openapi": "3.1.0", "paths": {"/x": {"delete": {"responses": {"204": {}, "304": {}}}}}}
    ).operation("DELETE", "/x")
    assert operation is not None
    for status in (204, 304):
        problem = operation.answer_problem(status, content_type, body)
        assert problem is not None and f"return ('', {status})" in problem
        assert operation.answer_problem(status, None, b"") is None
