"""The echo API's views: each declares its models, the stack validates and documents them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from apiflask import APIBlueprint

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


@api.get("/")
@api.output(Index)
def index() -> dict[str, Any]:
    """List every endpoint so clients discover the API instead of hard-coding it."""
    return {"message": "echo service index", "timestamp": _now(), "_links": INDEX_LINKS}


def _echo(item: str, lang: str | None, payload: Payload) -> dict[str, Any]:
    return {
        "message": "echo",
        "timestamp": _now(),
        "echo": {"item": item, "lang": lang or "none",
                 "payload": payload.root if has_body() else None},
        "_links": ECHO_LINKS,
    }


@api.post("/echo")
@api.input(LangQuery, location="query")
@api.input(Payload, location="json")
@api.output(Echo)
def echo(query_data: LangQuery, json_data: Payload) -> dict[str, Any]:
    """Echo the lang query parameter and the JSON body."""
    return _echo("none", query_data.lang, json_data)


@api.post("/echo/<path:item>")
@api.input(ItemPath, location="path")
@api.input(LangQuery, location="query")
@api.input(Payload, location="json")
@api.output(Echo)
def echo_item(item: str, path_data: ItemPath, query_data: LangQuery,
              json_data: Payload) -> dict[str, Any]:
    """Echo an item, the lang query parameter and the JSON body."""
    del item  # validated as path_data.item
    return _echo(path_data.item, query_data.lang, json_data)
