"""The JSON API: index, echo, health and the OpenAPI contract."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from app.security import HEALTH_PATH
from app.validation import parse_payload, valid_item, valid_lang

bp = Blueprint("api", __name__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# Relative links, fixed at import: the Host header is client input, so it never shapes a URL
# we hand out, and no request pays for building them.
INDEX_LINKS: dict[str, dict[str, Any]] = {
    "self": {"href": "/", "method": "GET"},
    "echo": {"href": "/echo", "method": "POST"},
    "echo_item": {"href": "/echo/{item}", "method": "POST", "templated": True},
    "health": {"href": HEALTH_PATH, "method": "GET"},
    "openapi": {"href": "/openapi.json", "method": "GET"},
}
ECHO_LINKS = {"index": INDEX_LINKS["self"]}


def _payload() -> dict[str, Any] | None:
    """Return the optional JSON body, refusing any other media type."""
    environ = request.environ
    # RFC 9112 section 6.3: with neither Content-Length nor Transfer-Encoding there is no body.
    # Most echo calls send none, so they skip building a body stream.
    if "HTTP_TRANSFER_ENCODING" not in environ and not environ.get("CONTENT_LENGTH"):
        return None
    raw = request.get_data(cache=False)  # enforces MAX_CONTENT_LENGTH with a 413
    if not raw:
        return None
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("a request body must be application/json")
    return parse_payload(raw)


@bp.get(INDEX_LINKS["self"]["href"])
def index() -> Response:
    """List every endpoint so clients discover the API instead of hard-coding it."""
    return jsonify(message="echo service index", timestamp=_now(), _links=INDEX_LINKS)


@bp.post(INDEX_LINKS["echo"]["href"])
@bp.post(INDEX_LINKS["echo"]["href"] + "/<path:item>")
def echo(item: str | None = None) -> Response:
    """Echo the item, the lang query parameter and the JSON body, once each is validated."""
    lang = request.args.get("lang")
    payload = _payload()
    return jsonify(
        message="echo",
        timestamp=_now(),
        echo={
            "item": "none" if item is None else valid_item(item),
            "lang": "none" if lang is None else valid_lang(lang),
            "payload": payload,
        },
        _links=ECHO_LINKS,
    )


@bp.get(HEALTH_PATH)
def healthz() -> Response:
    """Answer liveness probes without touching anything that could be slow."""
    return jsonify(status="ok")


@bp.get(INDEX_LINKS["openapi"]["href"])
def openapi() -> Response:
    """Serve the contract that fuzzing checks the service against."""
    return jsonify(current_app.extensions["openapi"])
