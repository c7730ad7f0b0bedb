"""The floor: a bare WSGI callable with a fixed JSON answer, no framework at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

BODY = b'{"message":"echo","echo":{"item":"hello","lang":"en-GB","payload":null}}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer every request with the same body."""
    environ.get("wsgi.input")
    start_response("200 OK", HEADERS)
    return [BODY]
