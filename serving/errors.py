"""Every error leaves as a small JSON document: never an HTML page, never a traceback."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apiflask import HTTPError
from flask import Flask, Response, current_app, jsonify
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from serving.access_log import request_id


def error_response(status: int, title: str, message: str) -> Response:
    """Build the one error body shape the OpenAPI contract documents."""
    response = jsonify({"status": status, "error": title, "message": message})
    response.status_code = status
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(status, error.name, error.description or error.name)
    # Keep protocol headers such as Allow on 405; drop the HTML content type they come with.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _where(location: str, loc: tuple[Any, ...]) -> str:
    """The part of the request at fault, by the model's names only: a body's keys are input."""
    if location == "json" or not loc:
        return "body"
    return str(loc[0])


def _invalid(error: HTTPError) -> Response:
    """A request the API's models refused (or an HTTPError a view raised), as the stack's JSON.

    The message names the field and the rule, from Pydantic's errors without their input, so
    no part of the request is reflected back.
    """
    status = error.status_code
    message = error.message or HTTPStatus(status).phrase
    cause = error.__cause__
    if isinstance(cause, ValidationError) and isinstance(error.detail, dict):
        location = next(iter(error.detail), "json")
        message = "; ".join(f"{_where(location, e['loc'])}: {e['msg']}"
                            for e in cause.errors(include_input=False, include_url=False))
    response = error_response(status, HTTPStatus(status).phrase, message)
    response.headers.update(error.headers or {})
    return response


def _unexpected_error(error: Exception) -> Response:
    current_app.logger.error("unhandled %s", type(error).__name__, exc_info=error,
                             extra={"fields": {"request_id": request_id()}})
    generic = InternalServerError()
    return error_response(500, generic.name, "the server could not complete the request")


def init_app(app: Flask) -> None:
    """Route HTTP errors and anything unexpected through the JSON handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    # APIFlask's error_processor would also take over every HTTPException, with only its name.
    app.register_error_handler(HTTPError, _invalid)
