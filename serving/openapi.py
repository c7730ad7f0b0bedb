"""The served OpenAPI 3.1 document: the API's own paths, completed with what the stack adds.

APIFlask generates the API's operations from its views' models (app/); a legacy API hands its
paths over written out. The stack adds its endpoints
(/healthz, /openapi.json) and, to every operation, what it does to every request: the request
id parameter, the hardening and request id headers on every response, and the errors it can
answer before or around any route (a bad Host, an oversized URL or header block, a failure; a
body too large or not JSON where the operation takes one). So the contract names every answer
the service can give, which is what schemathesis and the pipeline's checks hold it to.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask

from serving.access_log import REQUEST_ID_HEADER, REQUEST_ID_PATTERN
from serving.endpoints import HEALTH_PATH, OPENAPI_PATH
from serving.project import Project
from serving.security import HARDENING_HEADERS, HSTS

JSON = "application/json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# What the stack's own errors mean here; any other status an API answers is described by its
# HTTP reason phrase, unless the API says more.
ERRORS = {
    400: "The request broke a documented rule: its Host, a parameter or the body.",
    404: "No such resource.",
    413: "The body is larger than MAX_BODY_BYTES.",
    414: "The URL is longer than MAX_URL_BYTES.",
    415: "A body was sent with a media type other than application/json.",
    431: "The headers are larger than MAX_HEADER_BYTES.",
    500: "The server failed; the body never carries internal details.",
}
LIBRARY_ERRORS = ("HTTPError", "ValidationError")
# Answers the stack can give on any operation, and on any operation that takes a body.
ALWAYS = (400, 414, 431, 500)
WITH_BODY = (413, 415)


def anchored(pattern: str) -> str:
    """Return the ECMA-262 form for OpenAPI, where patterns are not implicitly anchored."""
    return f"^{pattern}$"


def ref(kind: str, name: str) -> dict[str, str]:
    """A local reference, `#/components/KIND/NAME`."""
    return {"$ref": f"#/components/{kind}/{name}"}


def error(status: int, description: str = "") -> dict[str, Any]:
    """The documented error response for any `status`: the stack's one JSON error shape."""
    text = description or ERRORS.get(status) or HTTPStatus(status).phrase
    return _json_response(text, "Error")


def _headers() -> dict[str, Any]:
    headers: dict[str, Any] = {
        REQUEST_ID_HEADER: {
            "description": "The caller's X-Request-ID when well-formed, otherwise a new one.",
            "required": True,
            "schema": {"type": "string", "pattern": anchored(REQUEST_ID_PATTERN)},
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


HEADERS = _headers()


def _with_headers(response: dict[str, Any]) -> dict[str, Any]:
    """Every response the stack sends carries its headers, whatever else it declares."""
    if "$ref" in response:
        return response
    stack = {name: ref("headers", name) for name in HEADERS}
    return {**response, "headers": {**stack, **response.get("headers", {})}}


def _json_response(description: str, schema: str) -> dict[str, Any]:
    return _with_headers({"description": description,
                          "content": {JSON: {"schema": ref("schemas", schema)}}})


def _answer(status: str, answer: Mapping[str, Any]) -> dict[str, Any]:
    """An answer of the API's, any error in it the stack's shape, whatever schema it named."""
    if status.isdigit() and int(status) >= 400:
        return error(int(status), str(answer.get("description", "")))
    return _with_headers(dict(answer))


def _complete(operation: Mapping[str, Any]) -> dict[str, Any]:
    """An operation of the API, with the stack's parameter, headers and refusals added."""
    done = copy.deepcopy(dict(operation))
    done["parameters"] = [ref("parameters", "RequestId"), *done.get("parameters", [])]
    codes = (*ALWAYS, *(WITH_BODY if "requestBody" in done else ()))
    responses = {str(status): _answer(str(status), answer)
                 for status, answer in done.get("responses", {}).items()}
    for code in codes:
        responses.setdefault(str(code), error(code))
    done["responses"] = dict(sorted(responses.items()))
    return done


def _require_body(operation: Any, schemas: Mapping[str, Any]) -> None:
    """A body whose model requires a field is required: an absent one is refused like `{}`."""
    body = operation.get("requestBody") if isinstance(operation, dict) else None
    if not body:
        return
    schema = body.get("content", {}).get(JSON, {}).get("schema", {})
    if schemas.get(schema.get("$ref", "").rpartition("/")[2], schema).get("required"):
        body["required"] = True


def _stack_get(operation_id: str, summary: str, schema: str) -> dict[str, Any]:
    return {"get": _complete({
        "summary": summary, "operationId": operation_id,
        "responses": {"200": _json_response(summary, schema)},
    })}


def _stack_schemas() -> dict[str, Any]:
    return {
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


def document(api: Mapping[str, Any], facts: Project) -> dict[str, Any]:
    """The whole contract, built once per app and served as is.

    `api` holds the API's `paths` and `components`; a name it shares with the stack's own
    components is refused, so neither can silently replace the other.
    """
    components: dict[str, dict[str, Any]] = {
        "schemas": _stack_schemas(),
        "parameters": {"RequestId": {
            "name": REQUEST_ID_HEADER, "in": "header", "required": False,
            "description": (f"Kept when it matches {anchored(REQUEST_ID_PATTERN)}, replaced"
                            " otherwise; either way it is echoed back."),
            "schema": {"type": "string"},
        }},
        "headers": HEADERS,
    }
    for kind, entries in api.get("components", {}).items():
        if kind == "schemas":  # APIFlask's own error shapes: the stack's Error replaces them
            entries = {k: v for k, v in entries.items() if k not in LIBRARY_ERRORS}
        clash = set(entries) & set(components.get(kind, {}))
        if clash:
            raise ValueError(f"the API's components/{kind} reuse the stack's {sorted(clash)}")
        components[kind] = {**components.get(kind, {}), **copy.deepcopy(dict(entries))}
    paths: dict[str, Any] = {
        path: {method: _complete(operation) if method in METHODS else copy.deepcopy(operation)
               for method, operation in item.items()}
        for path, item in api["paths"].items()
    }
    for item in paths.values():
        for operation in item.values():
            _require_body(operation, components["schemas"])
    clash = {HEALTH_PATH, OPENAPI_PATH} & set(paths)
    if clash:
        raise ValueError(f"the API's paths reuse the stack's {sorted(clash)}")
    paths[HEALTH_PATH] = _stack_get("health", "A cheap liveness check.", "Health")
    paths[OPENAPI_PATH] = _stack_get("openapi", "This document.", "OpenAPI")
    return {
        "openapi": "3.1.0",
        "info": {"title": facts.name, "version": facts.version,
                 "description": facts.description},
        **({"tags": api["tags"]} if api.get("tags") else {}),
        "paths": paths,
        "components": components,
    }


def init_app(app: Flask, facts: Project, contract: Mapping[str, Any] | None = None) -> None:
    """Have APIFlask serve the whole contract, generated once at start-up.

    A legacy API's hand-written `contract` stands in for the generated paths. Building it here
    means a declaration APIFlask cannot document fails the start, not the first reader.
    """
    app.config.update(
        AUTO_OPERATION_ID=True, AUTO_SERVERS=False,
        VALIDATION_ERROR_STATUS_CODE=400,  # a request that breaks a model: the stack's 400
        AUTO_VALIDATION_ERROR_RESPONSE=False,  # the stack documents its 400 on every operation
        HTTP_ERROR_SCHEMA=_stack_schemas()["Error"],
    )
    app.spec_processor(  # type: ignore[attr-defined]
        lambda spec: document(spec if contract is None else contract, facts))
    with app.app_context():
        app.spec  # type: ignore[attr-defined]  # pylint: disable=pointless-statement
