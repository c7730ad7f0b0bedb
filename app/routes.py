"""The echo API's routes: the index and the echo itself."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response, jsonify, request

from app.validation import valid_item, valid_lang, valid_payload
from serving.bodies import json_body
from serving.endpoints import HEALTH_PATH, OPENAPI_PATH

blueprint = Blueprint("echo", __name__)


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


@blueprint.get(INDEX_LINKS["self"]["href"])
def index() -> Response:
    """List every endpoint so clients discover the API instead of hard-coding it."""
    return jsonify(message="echo service index", timestamp=_now(), _links=INDEX_LINKS)


@blueprint.post(INDEX_LINKS["echo"]["href"])
@blueprint.post(INDEX_LINKS["echo"]["href"] + "/<path:item>")
def echo(item: str | None = None) -> Response:
    """Echo the item, the lang query parameter and the JSON body, once each is validated."""
    lang = request.args.get("lang")
    body = json_body(null=False)  # the contract's body is an object: null is no payload
    return jsonify(
        message="echo",
        timestamp=_now(),
        echo={
            "item": "none" if item is None else valid_item(item),
            "lang": "none" if lang is None else valid_lang(lang),
            "payload": None if body is None else valid_payload(body),
        },
        _links=ECHO_LINKS,
    )
