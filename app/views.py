"""The echo API's views: each declares its models, the stack validates and documents them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from apiflask import APIBlueprint
from flask import Response, jsonify

from app.models import Echo, Index, ItemPath, LangQuery, Payload
from serving.bodies import has_body
from serving.endpoints import HEALTH_PATH, OPENAPI_PATH

api = APIBlueprint("echo", __name__, tag="Echo")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# Relative links, fixed at import: the Host header is client input, so it never shapes a URL
# we hand out, and no request pays for building them.
INDEX_LINKS: dict[str, dict[str, Any]] = {
    "self": {"href": "/", "method": "GET"},
    "echo": {"href": "/echo", "method": "POST"},
    "echo_item": {"href": "/echo/{item}", "method": "POST", "templated": True},
    "health": {"href": HEALTH_PATH, "method": "GET"},
    "openapi": {"href": OPENAPI_PATH, "method": "GET"},
}
ECHO_LINKS = {"index": INDEX_LINKS["self"]}


# The views answer a Response built from plain values: APIFlask then documents the output
# model without validating the answer against it again, which cost more than the rest of the
# request's API work (cProfile: 150 of 600 us). The unit tests' client and `nox -s fuzz` hold
# every answer to the documented model instead.
@api.get("/")
@api.output(Index)
def index() -> Response:
    """List every endpoint so clients discover the API instead of hard-coding it."""
    return jsonify(message="echo service index", timestamp=_now(), _links=INDEX_LINKS)


def _echo(item: str, lang: str | None, payload: Payload) -> Response:
    return jsonify(
        message="echo",
        timestamp=_now(),
        echo={"item": item, "lang": lang or "none",
              "payload": payload.root if has_body() else None},
        _links=ECHO_LINKS,
    )


@api.post("/echo")
@api.input(LangQuery, location="query")
@api.input(Payload, location="json")
@api.output(Echo)
def echo(query_data: LangQuery, json_data: Payload) -> Response:
    """Echo the lang query parameter and the JSON body."""
    return _echo("none", query_data.lang, json_data)


@api.post("/echo/<path:item>")
@api.input(ItemPath, location="path")
@api.input(LangQuery, location="query")
@api.input(Payload, location="json")
@api.output(Echo)
def echo_item(item: str, path_data: ItemPath, query_data: LangQuery,
              json_data: Payload) -> Response:
    """Echo an item, the lang query parameter and the JSON body."""
    del item  # validated as path_data.item
    return _echo(path_data.item, query_data.lang, json_data)
