"""Mistakes owners make against their contract, each planted and named by the test client."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from apiflask import APIBlueprint
from flask import Flask, Response, jsonify
from pydantic import BaseModel

from pipeline.testing import ContractClient
from serving import create_app


class Name(BaseModel):
    """A path model whose field is `name`."""

    name: str


def _client(planted: APIBlueprint) -> ContractClient:
    app: Flask = create_app({"MODE_CONFIG": "Testing", "TRUSTED_HOSTS": ""},
                            api=SimpleNamespace(api=planted))
    app.test_client_class = ContractClient
    client: ContractClient = app.test_client()  # type: ignore[assignment]
    return client


def _named(planted: APIBlueprint, path: str, *fragments: str) -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        _client(planted).get(path)
    for fragment in fragments:
        assert fragment in str(failed.value), str(failed.value)


def test_an_undocumented_status_is_named_with_its_fix() -> None:
    planted = APIBlueprint("planted", __name__)

    @planted.get("/teapot")
    def teapot() -> tuple[Response, int]:
        return jsonify(status="brewing"), 418

    _named(planted, "/teapot", "GET /teapot answered 418", "@api.doc(responses=[418])")


def test_a_documented_status_passes() -> None:
    planted = APIBlueprint("planted", __name__)

    @planted.get("/teapot")
    @planted.doc(responses=[418])
    def teapot() -> tuple[Response, int]:
        return jsonify(status=418, error="I'm a teapot", message="short and stout"), 418

    assert _client(planted).get("/teapot").status_code == 418


@pytest.mark.parametrize("answer", [
    lambda: (jsonify(gone=True), 204),
    lambda: ("", 204, {"Content-Type": "text/html"}),
])
def test_a_204_with_a_body_or_a_type_is_named_with_its_fix(answer: Any) -> None:
    planted = APIBlueprint("planted", __name__)

    @planted.get("/nothing")
    @planted.doc(responses=[204])
    def nothing() -> Any:
        return answer()

    _named(planted, "/nothing", "GET /nothing answered 204 with a body or a Content-Type",
           "return ('', 204)")


def test_a_bare_204_goes_out_without_a_type() -> None:
    planted = APIBlueprint("planted", __name__)

    @planted.delete("/nothing")
    @planted.doc(responses=[204])
    def nothing() -> tuple[str, int]:
        return "", 204

    answer = _client(planted).delete("/nothing")
    assert answer.status_code == 204
    assert "Content-Type" not in answer.headers and answer.get_data() == b""


def test_a_route_whose_variables_are_not_its_parameters_is_named_with_its_fix() -> None:
    planted = APIBlueprint("planted", __name__)

    @planted.get("/things/<thing_id>")
    @planted.input(Name, location="path")
    def thing(thing_id: str, path_data: Name) -> Response:
        return jsonify(thing=thing_id, name=path_data.name)

    _named(planted, "/things/1", "GET /things/{thing_id}", "['thing_id']", "['name']",
           "name the path model's fields after the route's <variables>")
