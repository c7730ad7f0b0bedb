"""The HTTP edge: read the whole body under a deadline, then run the WSGI app on it.

Granian's WSGI interface hands a request to a Python thread as soon as its headers arrive and
lets the app block on a body read that never times out, so a few stalled bodies took every
thread. Its RSGI interface instead lets an asyncio task await the body: the edge
buffers at most MAX_BODY_BYTES under a deadline, refuses what RFC 9110/9112 say must not be
processed, and only then calls the Flask app, which never waits on a socket again.
"""

from __future__ import annotations

import asyncio
import functools
import io
import sys
from collections.abc import Callable, Iterable
from typing import Any

from granian.rsgi import Scope
# granian.rsgi re-exports these under new names, which mypy --strict does not count as public.
from granian.rsgi import HTTPProtocol, ProtocolClosed, ProtocolError  # type: ignore[attr-defined]

# Where a refusal waits in the WSGI environ; serving/security.py raises it as the JSON error, so
# the edge's refusals get the same body, headers, request id and access line as the app's.
REFUSAL_KEY = "serving.edge_refusal"
EMPTY = b""
# A body must arrive whole this long after its headers, or the client gets 408 and a close.
# Real clients send a 16 kB body in one burst; CF's router and Docker's probe send none.
BODY_READ_TIMEOUT_S = 5.0
_CLOSE = ("Connection", "close")
_WSGI_VERSION = (1, 0)
_PROTOCOLS = {"1": "HTTP/1.0", "1.1": "HTTP/1.1", "2": "HTTP/2"}
# Headers that WSGI names without the HTTP_ prefix (PEP 3333).
_UNPREFIXED = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Refused(Exception):
    """A request the edge answers with an error instead of the app's route."""

    def __init__(self, status: int, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.close = close


@functools.lru_cache(maxsize=512)  # bounded: header names are client input
def _wsgi_key(name: str) -> str:
    return _UNPREFIXED.get(name) or "HTTP_" + name.upper().replace("-", "_")


def _environ_from(scope: Scope, headers: list[tuple[str, str]]) -> dict[str, Any]:
    server_host, _, server_port = scope.server.rpartition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        # RSGI decodes the path as UTF-8 (bytes that are not UTF-8 become U+FFFD, which no
        # route accepts); WSGI wants the UTF-8 bytes as latin-1 (PEP 3333).
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_host,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": _PROTOCOLS.get(scope.http_version, "HTTP/1.1"),
        "REMOTE_ADDR": scope.client.rpartition(":")[0],
        "wsgi.version": _WSGI_VERSION,
        "wsgi.url_scheme": scope.scheme,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
    }
    for name, value in headers:
        key = _wsgi_key(name)
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def check_head(scope: Scope, headers: list[tuple[str, str]]) -> None:
    """Refuse what RFC 9110/9112 forbid in a request line and headers that hyper lets through."""
    if not scope.method.isupper():
        # RFC 9110 section 9.1: methods are case-sensitive, so "get" is an unknown method.
        raise Refused(501, "methods are case-sensitive and this one is not implemented")
    hosts = sum(1 for name, _ in headers if name == "host")
    if hosts > 1 or (hosts == 0 and scope.http_version == "1.1"):
        # RFC 9112 section 3.2: a server MUST answer 400 to HTTP/1.1 without exactly one Host.
        raise Refused(400, "an HTTP/1.1 request must carry exactly one Host header")


def body_length(environ: dict[str, Any], limit: int) -> int:
    """The body's announced length, refusing one over `limit` or of unknown length."""
    if "HTTP_TRANSFER_ENCODING" in environ:
        # RFC 9112 section 6.3 lets a server refuse a body without Content-Length. Granian's
        # RSGI body stream turns a malformed chunk into an empty chunk, and its whole-body read
        # has no size cap, so a chunked body can be neither validated nor bounded here.
        raise Refused(411, "a request body must be sent with a Content-Length", close=True)
    length = environ.get("CONTENT_LENGTH", "0")
    if not length.isdigit():
        raise Refused(400, "Content-Length must be one decimal number", close=True)
    if int(length) > limit:
        raise Refused(413, f"the body must be at most {limit} bytes", close=True)
    return int(length)


async def read_body(protocol: HTTPProtocol) -> bytes:
    """The whole body, which hyper stops at Content-Length; refuse one that is cut short."""
    try:
        return bytes(await protocol())
    except (ProtocolClosed, ProtocolError):  # cut short by a FIN or a reset
        raise Refused(400, "the request body was incomplete", close=True) from None


# What answers a request once its body is in: its status, headers and whole body.
Answer = tuple[int, list[tuple[str, str]], bytes]


def run_wsgi(environ: dict[str, Any], app: WSGIApp) -> Answer:
    """Call a WSGI app and gather its whole answer (its body is bytes already: buffered)."""
    head: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> Any:
        head[:] = (int(status[:3]), headers)

    result = app(environ, start_response)
    try:
        content = EMPTY.join(result)
    finally:
        closer = getattr(result, "close", None)
        if closer is not None:
            closer()
    return head[0], head[1], content


class Edge:  # pylint: disable=too-few-public-methods  # an RSGI application
    """Granian's RSGI interface in front of a WSGI app (RSGI spec: granian/docs/spec/RSGI.md)."""

    def __init__(self, wsgi_app: WSGIApp, max_body_bytes: int, body_timeout: float) -> None:
        self._app = wsgi_app
        self._limit = max_body_bytes
        self._timeout = body_timeout

    async def __rsgi__(self, scope: Scope, protocol: HTTPProtocol) -> None:
        headers = scope.headers.items()
        environ = _environ_from(scope, headers)
        if scope.authority is not None:
            # RFC 9112 section 3.2.2: an absolute-form target's host replaces Host.
            environ["HTTP_HOST"] = scope.authority
        body = EMPTY
        close = False
        try:
            check_head(scope, headers)
            if body_length(environ, self._limit):
                async with asyncio.timeout(self._timeout):
                    body = await read_body(protocol)
        except Refused as refused:
            environ[REFUSAL_KEY] = (refused.status, refused.message)
            close = refused.close
        except TimeoutError:
            environ[REFUSAL_KEY] = (408, f"the request body took longer than {self._timeout:g} s")
            close = True
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        # The app only computes once its body is buffered, so it runs right here: a thread hop
        # would add a context switch and buy nothing under the GIL.
        status, response_headers, content = run_wsgi(environ, self._app)
        if close:  # the unread rest of the body makes the connection unusable
            response_headers.append(_CLOSE)
        protocol.response_bytes(status, response_headers, content)
