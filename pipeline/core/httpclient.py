"""A small HTTP client for smoke, canary, fuzz and load: stdlib only, raw bytes when needed.

A guard can forbid requests before they leave: the canary installs one so that nothing but
GET, HEAD and the requests tests/probes.toml declares live-safe reaches a live deployment.
A target can also carry headers of its own, sent with every `call` to it: the deploy stage
addresses one Cloud Foundry instance that way (`X-Cf-Process-Instance`, from CANARY_HEADERS).
Headers never change what a guard sees, and `raw` sends its bytes exactly as given.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# Given (base URL, method, path), the reason the request must not be sent, or None.
Guard = Callable[[str, str, str], str | None]
_GUARDS: list[Guard] = []
_TARGET_HEADERS: dict[str, dict[str, str]] = {}
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 section 5.1: a token
# Headers a target may not carry: framing and routing belong to the client, and a method
# override would let a GET the live guard allowed act as a POST it would have refused.
NOT_TARGET_HEADERS = frozenset({
    "host", "content-length", "transfer-encoding", "connection", "te", "upgrade",
    "x-http-method-override", "x-http-method", "x-method-override"})


class Forbidden(RuntimeError):
    """A guard refused the request; nothing was sent."""


class HeaderError(ValueError):
    """A target's headers are malformed or name one a target may not carry."""


@contextmanager
def guarded(guard: Guard) -> Iterator[None]:
    """Check every request sent in this block against `guard`."""
    _GUARDS.append(guard)
    try:
        yield
    finally:
        _GUARDS.remove(guard)


def parse_headers(text: str, source: str = "CANARY_HEADERS") -> dict[str, str]:
    """Read `Name: value` lines (blank lines ignored) into headers, refusing what cannot go."""
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not _HEADER_NAME.match(name) or not value or "\r" in value:
            raise HeaderError(f"{source} must hold `Name: value` lines, got {line[:80]!r}")
        if name.lower() in NOT_TARGET_HEADERS:
            raise HeaderError(f"{source} may not set {name}: the client owns it")
        headers[name] = value
    return headers


def format_headers(headers: Mapping[str, str]) -> str:
    """Write headers as the `Name: value` lines parse_headers reads."""
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


@contextmanager
def target_headers(base_url: str, headers: Mapping[str, str]) -> Iterator[None]:
    """Send `headers` with every call to `base_url` in this block; a caller's own header wins."""
    key = base_url.rstrip("/")
    previous = _TARGET_HEADERS.get(key)
    _TARGET_HEADERS[key] = parse_headers(format_headers(headers), "target headers")
    try:
        yield
    finally:
        if previous is None:
            _TARGET_HEADERS.pop(key, None)
        else:
            _TARGET_HEADERS[key] = previous


def _with_target_headers(base_url: str, headers: Mapping[str, str] | None) -> dict[str, str]:
    given = dict(headers or {})
    names = {name.lower() for name in given}
    defaults = _TARGET_HEADERS.get(base_url.rstrip("/"), {})
    return {**{k: v for k, v in defaults.items() if k.lower() not in names}, **given}


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
        conn.request(method, path, body=body, headers=_with_target_headers(base_url, headers))
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
