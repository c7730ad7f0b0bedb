"""The stack's per-request work, written once and run by both entry points.

Every request gets a request id, the Host, URL-size, header-size and JSON-body checks, the
hardening headers and one access line. `Stack` does it as plain code over the WSGI environ and
the response headers: the RSGI edge calls it around the Flask app (`serving.rsgi`, through
`Stack.answer`), and `StackMiddleware` is the same work as one WSGI layer for every other
server (`serving.wsgi`, Flask's test client). It replaced a Flask before_request hook and two
WSGI middlewares, whose hook machinery, context-local lookups and start_response wrappers cost
more than the checks themselves (docs/benchmarks.md has the figures).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from serving import access_log, security
from serving.edge import BODY_READ_TIMEOUT_S, Answer, Edge, WSGIApp, run_wsgi

STACK = "serving.stack"  # where create_app keeps the app's Stack, in app.extensions


class Stack:
    """The request id, the checks, the hardening headers and the access line of one app."""

    def __init__(self, flask_app: Flask) -> None:
        self.flask = flask_app
        self.wsgi_app: WSGIApp = flask_app.wsgi_app  # Flask's own, before anything wraps it
        self._limits = security.Limits.of(flask_app.config)
        self._hardening = security.response_headers(flask_app.config["PRODUCTION"])
        self._proxies = flask_app.config["TRUSTED_PROXY_COUNT"]

    def begin(self, environ: dict[str, Any]) -> WSGIApp | None:
        """Assign the request id and check the request: the app that refuses it, or None."""
        access_log.assign_request_id(environ)
        if self._proxies:
            environ["REMOTE_ADDR"] = client_address(environ, self._proxies)
        try:
            security.check(environ, self._limits)
        except Exception as error:  # pylint: disable=broad-exception-caught  # Flask answers
            return functools.partial(self._refuse, error)
        return None

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

    def complete(self, environ: dict[str, Any], headers: list[tuple[str, str]]) -> None:
        """Add the hardening headers and echo the request id."""
        security.harden(headers, self._hardening)
        headers.append((access_log.REQUEST_ID_HEADER, environ[access_log.REQUEST_ID_KEY]))

    def answer(self, environ: dict[str, Any], app: WSGIApp) -> Answer:
        """Run `app` (or the refusal) with the stack's work around it: the edge's `work`."""
        started = time.perf_counter()
        status = 500  # what the access line says if the app raises
        try:
            status, headers, content = run_wsgi(environ, self.begin(environ) or app)
        finally:
            access_log.record(environ, status, started)
        self.complete(environ, headers)
        return status, headers, content


def client_address(environ: dict[str, Any], proxies: int) -> str:
    """The address the outermost of `proxies` trusted proxies saw, or the peer's own.

    Werkzeug's ProxyFix(x_for=N) rule: each proxy appends the address it saw to X-Forwarded-For,
    so the Nth entry from the right is the client's; those left of it are the client's to write.
    ProxyFix itself is a WSGI layer around the app, which the stack's refusals never reach.
    """
    hops = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = hops[-proxies].strip() if len(hops) >= proxies else ""
    return client or environ.get("REMOTE_ADDR", "")


class StackMiddleware:  # pylint: disable=too-few-public-methods  # a WSGI middleware
    """The stack's work as one WSGI layer, for servers other than the edge (serving.wsgi).

    Outermost layer, so the duration and status cover everything, refusals included.
    """

    def __init__(self, stack: Stack) -> None:
        self._stack = stack

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        stack = self._stack
        app = stack.begin(environ) or stack.wsgi_app
        seen: list[str] = []

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            stack.complete(environ, headers)
            seen.append(status)
            return start_response(status, headers, exc_info)

        try:
            return app(environ, respond)
        finally:
            # PEP 3333: a status starts with its 3 digits.
            access_log.record(environ, int(seen[-1][:3]) if seen else 500, started)


def init_app(app: Flask) -> None:
    """Run the stack's work around every request the app's WSGI entry point answers."""
    stack = Stack(app)
    app.extensions[STACK] = stack
    app.wsgi_app = StackMiddleware(stack)  # type: ignore[method-assign]


def behind_edge(app: Flask, body_timeout: float = BODY_READ_TIMEOUT_S) -> Edge:
    """The app as `python -m serving` serves it: the edge runs the stack's work around Flask.

    The edge calls Flask's own WSGI app, not the middleware: the same work, one layer less.
    """
    stack: Stack = app.extensions[STACK]
    return Edge(stack.wsgi_app, app.config["MAX_CONTENT_LENGTH"], body_timeout, stack.answer)
