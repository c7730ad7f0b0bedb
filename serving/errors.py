"""Every error leaves as a small JSON document: never an HTML page, never a traceback."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify
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


def _unexpected_error(error: Exception) -> Response:
    current_app.logger.error("unhandled %s", type(error).__name__, exc_info=error,
                             extra={"fields": {"request_id": request_id()}})
    generic = InternalServerError()
    return error_response(500, generic.name, "the server could not complete the request")


def init_app(app: Flask) -> None:
    """Route HTTP errors and anything unexpected through the JSON handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
