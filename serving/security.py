"""Request limits, the Host check and response hardening applied to every request."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import (
    BadRequest, RequestHeaderFieldsTooLarge, RequestURITooLarge, UnsupportedMediaType, abort,
)
from werkzeug.sansio.utils import host_is_trusted

from serving.bodies import JSON
from serving.context import current_flask, current_request
from serving.edge import REFUSAL_KEY
from serving.endpoints import HEALTH_PATH

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


class HardeningHeaders:  # pylint: disable=too-few-public-methods  # a WSGI middleware
    """Add the fixed security headers at the WSGI layer, to every response, errors included.

    Doing it here rather than in an after_request hook also covers responses Flask builds
    outside its hooks, and costs one list extend instead of a Headers update per header.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], production: bool) -> None:
        self._app = wsgi_app
        self._headers = list(HARDENING_HEADERS.items())
        if production:
            self._headers.append(("Strict-Transport-Security", HSTS))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def hardened(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers[:] = [(k, v) for k, v in headers if k.lower() != "server"]
            headers.extend(self._headers)
            return start_response(status, headers, exc_info)

        return self._app(environ, hardened)


# request.path is "/" plus PATH_INFO without its leading slashes; PATH_INFO is latin-1 for the
# UTF-8 bytes, so an ASCII path matches only itself.
_HEALTH = HEALTH_PATH.lstrip("/")


def check_request() -> None:
    """Refuse oversized requests, foreign Host headers and non-JSON bodies before any route runs.

    Each attribute read through `request` or `current_app` resolves the context-local again
    (0.7 us each, measured), so each is resolved once and the checks read the WSGI environ,
    with the same rules (pipeline/tests/serving holds them to it).
    """
    req = current_request()
    environ = req.environ
    refusal = environ.get(REFUSAL_KEY)
    if refusal is not None:  # the edge refused the request line, headers or body
        abort(*refusal)
    config = current_flask().config
    # WSGI hands PATH_INFO over as latin-1, so its length is its length in bytes.
    limit = config["MAX_URL_BYTES"]
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > limit:
        raise RequestURITooLarge(f"the URL must be at most {limit} bytes")
    # Each HTTP_* key is "HTTP_" plus the header name: the same length as "name: " plus CRLF.
    limit = config["MAX_HEADER_BYTES"]
    if sum(len(k) + len(v) for k, v in environ.items() if k[:5] == "HTTP_") > limit:
        raise RequestHeaderFieldsTooLarge(f"the headers must be at most {limit} bytes")
    # Cloud Foundry's and Docker's health probes address the container by IP, so /healthz
    # answers whatever the Host; it returns a constant that no Host header can steer.
    allowed = config["ALLOWED_HOSTS"]
    if (allowed and environ.get("PATH_INFO", "").lstrip("/") != _HEALTH
            and not _host_allowed(req.host, allowed)):
        raise BadRequest("the Host header names a host this service does not serve")
    # A JSON API: a body of any other media type is refused on every route, so no route can
    # forget to (the contract documents 415 wherever an operation takes a body).
    if environ.get("CONTENT_LENGTH", "0") not in ("", "0") and req.mimetype != JSON:
        raise UnsupportedMediaType(f"a request body must be {JSON}")


@functools.lru_cache(maxsize=256)  # bounded: the Host header is attacker-controlled
def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return host_is_trusted(host.lower(), allowed)


def init_app(app: Flask) -> None:
    """Check every request first; harden every response last."""
    app.before_request(check_request)
    app.wsgi_app = HardeningHeaders(  # type: ignore[method-assign]
        app.wsgi_app, production=app.config["PRODUCTION"]
    )
