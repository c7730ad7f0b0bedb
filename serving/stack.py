"""The stack's per-request work as one WSGI layer, the outermost, on every server.

Every request gets a request id, its client address, the Host, URL-size, header-size and
JSON-body checks, the hardening headers and one access line. `Stack` does it as plain code over
the WSGI environ and the response headers: the RSGI edge (`serving.rsgi`) and any WSGI server
(`serving.wsgi`, Flask's test client) call it alike. It replaced a Flask before_request hook and
two WSGI middlewares, whose hook machinery, context-local lookups and start_response wrappers
cost more than the checks themselves (docs/benchmarks.md has the figures).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from serving import access_log, security
from serving.edge import BODY_READ_TIMEOUT_S, Edge, WSGIApp


def client_address(environ: dict[str, Any], proxies: int) -> str:
    """The address the outermost of `proxies` trusted proxies saw, or the peer's own.

    Werkzeug's ProxyFix(x_for=N) rule: each proxy appends the address it saw to X-Forwarded-For,
    so the Nth entry from the right is the client's; those left of it are the client's to write.
    ProxyFix itself is a WSGI layer around the app, which the stack's refusals never reach.
    """
    hops = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = hops[-proxies].strip() if len(hops) >= proxies else ""
    return client or environ.get("REMOTE_ADDR", "")


class Stack:  # pylint: disable=too-few-public-methods  # a WSGI middleware
    """The request id, the client address, the checks, the hardening headers and the access line."""

    def __init__(self, flask_app: Flask) -> None:
        self.flask = flask_app
        self.wsgi_app: WSGIApp = flask_app.wsgi_app  # Flask's own, before this wraps it
        self._limits = security.Limits.of(flask_app.config)
        self._hardening = security.response_headers(flask_app.config["PRODUCTION"])
        self._proxies = flask_app.config["TRUSTED_PROXY_COUNT"]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        rid = access_log.assign_request_id(environ)
        if self._proxies:
            environ["REMOTE_ADDR"] = client_address(environ, self._proxies)
        app = self.wsgi_app
        try:
            security.check(environ, self._limits)
        except Exception as error:  # pylint: disable=broad-exception-caught  # Flask answers
            app = functools.partial(self._refuse, error)
        seen: list[str] = []

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            security.harden(headers, self._hardening)
            headers.append((access_log.REQUEST_ID_HEADER, rid))
            seen.append(status)
            return start_response(status, headers, exc_info)

        try:
            return app(environ, respond)
        finally:
            # PEP 3333: a status starts with its 3 digits.
            access_log.record(environ, int(seen[-1][:3]) if seen else 500, started)

    def _refuse(self, error: Exception, environ: dict[str, Any],
                start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer a refused request as Flask answers an error its view raised.

        This is the except branch of Flask.full_dispatch_request, through its public methods:
        the app's error handlers build the JSON error (serving/errors.py), no route runs.
        """
        app = self.flask
        with app.request_context(environ):
            response = app.finalize_request(app.handle_user_exception(error))
            return response(environ, start_response)


def init_app(app: Flask) -> None:
    """Run the stack's work around every request the app's WSGI entry point answers."""
    app.wsgi_app = Stack(app)  # type: ignore[method-assign]


def behind_edge(app: Flask, body_timeout: float = BODY_READ_TIMEOUT_S) -> Edge:
    """The app as `python -m serving` serves it: behind the edge, which buffers its body."""
    return Edge(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"], body_timeout)
