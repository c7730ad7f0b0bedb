"""A small API of the stack's own, so its tests never depend on the API in app/."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import NotFound

from serving import Api
from serving.bodies import json_body
from serving.openapi import JSON, error, ref

things = Blueprint("things", __name__)


@things.get("/things")
def list_things() -> Response:
    """Every thing."""
    return jsonify(things=["known"])


@things.post("/things")
def add_thing() -> tuple[Response, int]:
    """Take a JSON body, any JSON."""
    return jsonify(added=json_body()), 201


@things.get("/things/<name>")
def one_thing(name: str) -> Response:
    """One thing, or a 404."""
    if name != "known":
        raise NotFound("no such thing")
    return jsonify(thing=name)


def _answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": ref("schemas", "Thing")}}}


CONTRACT: dict[str, Any] = {
    "paths": {
        "/things": {
            "get": {"operationId": "listThings", "responses": {"200": _answer("Every thing.")}},
            "post": {"operationId": "addThing",
                     "requestBody": {"content": {JSON: {"schema": {}}}},
                     "responses": {"201": _answer("Added.")}},
        },
        "/things/{name}": {"get": {
            "operationId": "oneThing",
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": _answer("The thing."), "404": error(404)},
        }},
    },
    "components": {"schemas": {"Thing": {"type": "object"}}},
}
THINGS: Api = SimpleNamespace(blueprint=things, contract=CONTRACT)


@pytest.fixture
def api() -> Api:
    """The stack's tests serve their own small API (pipeline.testing's `make_app` uses it)."""
    return THINGS
