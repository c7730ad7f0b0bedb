"""The JSON API: index, echo, health and the OpenAPI contract."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import UnsupportedMediaType

from app.validation import parse_payload, valid_item, valid_lang

bp = Blueprint("api", __name__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _link(endpoint: str, method: str = "GET", **values: Any) -> dict[str, str]:
    # Relative links: the Host header is client input, so it never shapes a URL we hand out.
    return {"href": url_for(endpoint, **values), "method": method}


def _payload() -> dict[str, Any] | None:
    """Return the optional JSON body, refusing any other media type."""
    raw = request.get_data(cache=False)  # enforces MAX_CONTENT_LENGTH with a 413
    if not raw:
        return None
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("a request body must be application/json")
    return parse_payload(raw)


@bp.get("/")
def index() -> Response:
    """List every endpoint so clients discover the API instead of hard-coding it."""
    return jsonify(
        message="echo service index",
        timestamp=_now(),
        _links={
            "self": _link("api.index"),
            "echo": _link("api.echo", "POST"),
            "echo_item": {"href": "/echo/{item}", "method": "POST", "templated": True},
            "health": _link("api.healthz"),
            "openapi": _link("api.openapi"),
        },
    )


@bp.post("/echo")
@bp.post("/echo/<path:item>")
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
        _links={"index": _link("api.index")},
    )


@bp.get("/healthz")
def healthz() -> Response:
    """Answer liveness probes without touching anything that could be slow."""
    return jsonify(status="ok")


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the contract that fuzzing checks the service against."""
    return jsonify(current_app.extensions["openapi"])
