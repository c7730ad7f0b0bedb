"""The floor: a bare WSGI callable answering the service's body as fixed bytes, no framework."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pipeline.bench.servers import body_file

BODY = body_file().read_bytes()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer every request with the same body."""
    environ.get("wsgi.input")
    start_response("200 OK", HEADERS)
    return [BODY]
