"""A small HTTP client for smoke, canary, fuzz and load: stdlib only, raw bytes when needed.

A guard can forbid requests before they leave: the canary installs one so that nothing but
GET, HEAD and the requests tests/probes.toml declares live-safe reaches a live deployment.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# Given (base URL, method, path), the reason the request must not be sent, or None.
Guard = Callable[[str, str, str], str | None]
_GUARDS: list[Guard] = []


class Forbidden(RuntimeError):
    """A guard refused the request; nothing was sent."""


@contextmanager
def guarded(guard: Guard) -> Iterator[None]:
    """Check every request sent in this block against `guard`."""
    _GUARDS.append(guard)
    try:
        yield
    finally:
        _GUARDS.remove(guard)


def _check(base_url: str, method: str, path: str) -> None:
    for guard in _GUARDS:
        reason = guard(base_url.rstrip("/"), method, path)
        if reason:
            raise Forbidden(reason)


@dataclass
class Reply:
    """What came back: status, headers (lower-cased names) and the body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Decode the body, failing loudly if it is not JSON."""
        return json.loads(self.body)


def _connection(base_url: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)


def call(
    base_url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    """Send one request on a fresh connection and read the whole reply."""
    _check(base_url, method, path)
    conn = _connection(base_url, timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


def raw(base_url: str, request: bytes, timeout: float = 10.0) -> bytes:
    """Send bytes no well-behaved client would, and return whatever the server answers."""
    method, _, rest = request.partition(b" ")
    _check(base_url, method.decode("latin-1"), rest.partition(b" ")[0].decode("latin-1"))
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
