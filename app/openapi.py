"""The OpenAPI 3.1 contract, derived from the same rules the routes enforce."""

from __future__ import annotations

from typing import Any

from app import validation as rules
from app.access_log import REQUEST_ID_HEADER
from app.security import HARDENING_HEADERS, HSTS

_JSON = "application/json"

_ERRORS = {
    400: "The request broke a documented rule (host, item, lang or body).",
    404: "No such resource.",
    413: "The body is larger than MAX_BODY_BYTES.",
    414: "The URL is longer than MAX_URL_BYTES.",
    415: "A body was sent with a media type other than application/json.",
    431: "The headers are larger than MAX_HEADER_BYTES.",
    500: "The server failed; the body never carries internal details.",
}
_ALWAYS = (400, 414, 431, 500)


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _response_headers() -> dict[str, Any]:
    headers: dict[str, Any] = {
        REQUEST_ID_HEADER: {
            "description": "The caller's X-Request-ID when well-formed, otherwise a new one.",
            "required": True,
            "schema": {"type": "string", "pattern": rules.anchored(rules.REQUEST_ID_PATTERN)},
        }
    }
    for name, value in HARDENING_HEADERS.items():
        headers[name] = {"required": True, "schema": {"type": "string", "const": value}}
    headers["Strict-Transport-Security"] = {
        "description": "Sent in Production only.",
        "required": False,
        "schema": {"type": "string", "const": HSTS},
    }
    return headers


def _response(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {name: _ref("headers", name) for name in _response_headers()},
        "content": {_JSON: {"schema": _ref("schemas", schema)}},
    }


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _ref("responses", f"E{code}") for code in sorted({*_ALWAYS, *codes})}


def _link_schema(templated: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {
        # A templated href is an RFC 6570 template such as /echo/{item}, not a URI yet.
        "href": {"type": "string", "format": "uri-template" if templated else "uri-reference"},
        "method": {"type": "string", "enum": ["GET", "POST"]},
    }
    if templated:
        properties["templated"] = {"const": True}
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _links(*names: str, templated: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [*names, *templated],
        "properties": {
            **{name: _ref("schemas", "Link") for name in names},
            **{name: _ref("schemas", "TemplatedLink") for name in templated},
        },
        "additionalProperties": False,
    }


def _envelope(message: str, **extra: Any) -> dict[str, Any]:
    properties = {
        "message": {"type": "string", "const": message},
        "timestamp": {"type": "string", "format": "date-time"},
        **extra,
    }
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _schemas() -> dict[str, Any]:
    scalar = [
        {"type": "string", "maxLength": rules.PAYLOAD_VALUE_MAX},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
    ]
    payload = {
        "type": "object",
        "maxProperties": rules.PAYLOAD_MAX_FIELDS,
        "propertyNames": {"pattern": rules.anchored(rules.PAYLOAD_KEY_PATTERN)},
        "additionalProperties": {"anyOf": scalar},
    }
    echoed = {
        "type": "object",
        "required": ["item", "lang", "payload"],
        "properties": {
            "item": {"type": "string", "maxLength": rules.ITEM_MAX},
            "lang": {"type": "string", "maxLength": rules.LANG_MAX},
            "payload": {"anyOf": [_ref("schemas", "Payload"), {"type": "null"}]},
        },
        "additionalProperties": False,
    }
    return {
        "Link": _link_schema(),
        "TemplatedLink": _link_schema(templated=True),
        "Payload": payload,
        "Index": _envelope(
            "echo service index",
            _links=_links("self", "echo", "health", "openapi", templated=("echo_item",)),
        ),
        "Echo": _envelope("echo", echo=echoed, _links=_links("index")),
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string", "const": "ok"}},
            "additionalProperties": False,
        },
        "Error": {
            "type": "object",
            "required": ["status", "error", "message"],
            "properties": {
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "error": {"type": "string"},
                "message": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "OpenAPI": {"type": "object", "required": ["openapi", "info", "paths"]},
    }


def _get(summary: str, schema: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": schema.lower(),
            "parameters": [_ref("parameters", "RequestId")],
            "responses": {"200": _response(summary, schema), **_errors()},
        }
    }


def _echo(operation_id: str, summary: str, *parameters: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "operationId": operation_id,
            "parameters": [_ref("parameters", p) for p in ("RequestId", *parameters)],
            "requestBody": {
                "required": False,
                "content": {_JSON: {"schema": _ref("schemas", "Payload")}},
            },
            "responses": {
                "200": _response("The echoed item, lang and payload.", "Echo"),
                **_errors(413, 415),
            },
        }
    }


def _parameters() -> dict[str, Any]:
    return {
        "RequestId": {
            "name": REQUEST_ID_HEADER,
            "in": "header",
            "required": False,
            "description": (
                "Kept when it matches " + rules.anchored(rules.REQUEST_ID_PATTERN)
                + ", replaced otherwise; either way it is echoed back."
            ),
            "schema": {"type": "string"},
        },
        "Item": {
            "name": "item",
            "in": "path",
            "required": True,
            "schema": {
                "type": "string",
                "maxLength": rules.ITEM_MAX,
                "pattern": rules.anchored(rules.ITEM_PATTERN),
            },
        },
        "Lang": {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": "A well-formed BCP 47 language tag; echoed as \"none\" when absent.",
            "schema": {
                "type": "string",
                "maxLength": rules.LANG_MAX,
                "pattern": rules.anchored(rules.LANG_PATTERN),
            },
        },
    }


def build_document(version: str) -> dict[str, Any]:
    """Assemble the whole contract; called once per app, then served as is."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Echo service",
            "version": version,
            "description": "Echoes an item, a language tag and a small JSON object.",
        },
        "paths": {
            "/": _get("The index, with links to every endpoint.", "Index"),
            "/echo": _echo("echo", "Echo the lang parameter and the body.", "Lang"),
            "/echo/{item}": _echo(
                "echoItem", "Echo an item, the lang parameter and the body.", "Item", "Lang"
            ),
            "/healthz": _get("A cheap liveness check.", "Health"),
            "/openapi.json": _get("This document.", "OpenAPI"),
        },
        "components": {
            "schemas": _schemas(),
            "parameters": _parameters(),
            "headers": _response_headers(),
            "responses": {
                f"E{code}": _response(text, "Error") for code, text in _ERRORS.items()
            },
        },
    }
