"""The echo API's OpenAPI 3.1 paths and components, derived from the rules the routes enforce.

The serving stack (serving/openapi.py) completes it: its own endpoints, the request id, the
hardening headers and the errors it answers on every operation.
"""

from __future__ import annotations

from typing import Any

from app import validation as rules
from serving.openapi import JSON, anchored, ref


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
            **{name: ref("schemas", "Link") for name in names},
            **{name: ref("schemas", "TemplatedLink") for name in templated},
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
        "propertyNames": {"pattern": anchored(rules.PAYLOAD_KEY_PATTERN)},
        "additionalProperties": {"anyOf": scalar},
    }
    echoed = {
        "type": "object",
        "required": ["item", "lang", "payload"],
        "properties": {
            "item": {"type": "string", "maxLength": rules.ITEM_MAX},
            "lang": {"type": "string", "maxLength": rules.LANG_MAX},
            "payload": {"anyOf": [ref("schemas", "Payload"), {"type": "null"}]},
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
    }


def _parameters() -> dict[str, Any]:
    return {
        "Item": {
            "name": "item",
            "in": "path",
            "required": True,
            "schema": {
                "type": "string",
                "maxLength": rules.ITEM_MAX,
                "pattern": anchored(rules.ITEM_PATTERN),
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
                "pattern": anchored(rules.LANG_PATTERN),
            },
        },
    }


def _answer(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": ref("schemas", schema)}}}


def _echo(operation_id: str, summary: str, *parameters: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "operationId": operation_id,
            "parameters": [ref("parameters", p) for p in parameters],
            "requestBody": {
                "required": False,
                "content": {JSON: {"schema": ref("schemas", "Payload")}},
            },
            "responses": {"200": _answer("The echoed item, lang and payload.", "Echo")},
        }
    }


contract: dict[str, Any] = {
    "paths": {
        "/": {"get": {
            "summary": "The index, with links to every endpoint.",
            "operationId": "index",
            "responses": {"200": _answer("The index, with links to every endpoint.", "Index")},
        }},
        "/echo": _echo("echo", "Echo the lang parameter and the body.", "Lang"),
        "/echo/{item}": _echo(
            "echoItem", "Echo an item, the lang parameter and the body.", "Item", "Lang"
        ),
    },
    "components": {"schemas": _schemas(), "parameters": _parameters()},
}
