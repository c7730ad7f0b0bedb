"""Request limits and response hardening applied to every request, whatever the route."""

from __future__ import annotations

import uuid

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import BadRequest, RequestHeaderFieldsTooLarge, RequestURITooLarge
from werkzeug.sansio.utils import host_is_trusted

from app.validation import valid_request_id

REQUEST_ID_HEADER = "X-Request-ID"

HARDENING_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "interest-cohort=()",
}
HSTS = "max-age=63072000; includeSubDomains"


HEALTH_PATH = "/healthz"


def _check_host() -> None:
    """Refuse Host headers outside TRUSTED_HOSTS, except on the health check.

    Cloud Foundry's and Docker's health probes address the container by IP, so /healthz answers
    whatever the Host; it returns a constant, so nothing there can be steered by one.
    """
    allowed = current_app.config["ALLOWED_HOSTS"]
    if not allowed or request.path == HEALTH_PATH:
        return
    if not host_is_trusted(request.host.lower(), allowed):
        raise BadRequest("the Host header names a host this service does not serve")


def _enforce_limits() -> None:
    """Refuse oversized requests before any route code sees them."""
    environ = request.environ
    # WSGI hands PATH_INFO over as latin-1, so its length is its length in bytes.
    url_bytes = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
    if url_bytes > current_app.config["MAX_URL_BYTES"]:
        raise RequestURITooLarge(
            f"the URL must be at most {current_app.config['MAX_URL_BYTES']} bytes"
        )
    header_bytes = sum(len(name) + len(value) + 4 for name, value in request.headers.items())
    if header_bytes > current_app.config["MAX_HEADER_BYTES"]:
        raise RequestHeaderFieldsTooLarge(
            f"the headers must be at most {current_app.config['MAX_HEADER_BYTES']} bytes"
        )


def _assign_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER)
    g.request_id = incoming if valid_request_id(incoming) else uuid.uuid4().hex


def _harden(response: Response) -> Response:
    response.headers.update(HARDENING_HEADERS)
    if current_app.config["MODE_CONFIG"] == "Production":
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
    response.headers.pop("Server", None)
    return response


def init_app(app: Flask) -> None:
    """Register the hooks; the request id comes first so even refusals carry one."""
    app.before_request(_assign_request_id)
    app.before_request(_enforce_limits)
    app.before_request(_check_host)
    app.after_request(_harden)
