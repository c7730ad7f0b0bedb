"""The RSGI edge in process: what it refuses, and that refusals leave as the app's JSON errors.

The app is served as serving/rsgi.py serves it (serving.stack.behind_edge): the edge runs the
stack's WSGI layer (checks, request id, hardening headers, access line) around Flask.

The scope and protocol doubles follow Granian's RSGI types (granian/_granian.pyi, granian/rsgi.py):
`await protocol()` returns the whole body or raises RSGIProtocolClosed when hyper saw it cut short.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from granian.rsgi import ProtocolClosed  # type: ignore[attr-defined]

from serving.access_log import REQUEST_ID_HEADER, flush
from serving.edge import REFUSAL_KEY, Edge
from serving.security import HARDENING_HEADERS, HSTS
from serving.stack import behind_edge
from serving.endpoints import HEALTH_PATH


class Headers:  # pylint: disable=too-few-public-methods  # RSGIHeaders' items() only
    """RSGIHeaders: lower-case names, repeats kept, in arrival order."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair."""
        return self._items


@dataclass
class Scope:
    """An RSGI HTTP scope as Granian builds it from a hyper request."""

    headers: Headers
    method: str = "POST"
    path: str = "/things"
    query_string: str = ""
    authority: str | None = None
    http_version: str = "1.1"
    scheme: str = "http"
    server: str = "127.0.0.1:8080"
    client: str = "127.0.0.1:50000"
    proto: str = "http"
    rsgi_version: str = "1.5"


@dataclass
class Protocol:
    """RSGIHTTPProtocol: the body on await, the one response it was given."""

    body: bytes | BaseException | None = b""
    response: tuple[int, list[tuple[str, str]], bytes] | None = None
    reads: list[int] = field(default_factory=list)

    async def __call__(self) -> bytes:
        self.reads.append(1)
        if self.body is None:
            await asyncio.sleep(3600)  # a client that never sends the rest
        if isinstance(self.body, BaseException):
            raise self.body
        assert isinstance(self.body, bytes)
        return self.body

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """Record the response; Granian sends only the first."""
        assert self.response is None
        self.response = (status, headers, body)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The stack's test API with a 64-byte body limit."""
    return make_app(MAX_BODY_BYTES="64")


def _serve(app: Flask, scope: Scope, protocol: Protocol, timeout: float = 0.2) -> dict[str, Any]:
    asyncio.run(behind_edge(app, timeout).__rsgi__(scope, protocol))  # type: ignore[arg-type]
    flush()  # the access line waits for others under a loop (serving/access_log.py)
    assert protocol.response is not None
    status, headers, body = protocol.response
    return {"status": status, "headers": dict(headers), "json": json.loads(body)}


def _head(*extra: tuple[str, str]) -> Headers:
    return Headers([("host", "localhost"), ("content-type", "application/json"), *extra])


def test_a_whole_body_reaches_the_route(app: Flask) -> None:
    protocol = Protocol(b'{"n": 1}')
    reply = _serve(app, Scope(_head(("content-length", "8"))), protocol)
    assert reply["status"] == 201
    assert reply["json"]["added"] == {"n": 1}
    assert "Connection" not in reply["headers"]


def test_no_body_is_never_awaited(app: Flask) -> None:
    protocol = Protocol(None)
    assert _serve(app, Scope(_head()), protocol)["status"] == 201
    assert not protocol.reads


@pytest.mark.parametrize(("headers", "body", "status"), [
    ((("content-length", "50"),), None, 408),
    ((("content-length", "65"),), b"x" * 65, 413),
    ((("transfer-encoding", "chunked"),), b"{}", 411),
    ((("content-length", "8"),), ProtocolClosed("RSGI transport is closed"), 400),
    ((("content-length", "+8"),), b'{"n": 1}', 400),
])
def test_bodies_that_must_not_be_processed_are_refused_with_a_close(
    app: Flask, headers: tuple[tuple[str, str], ...], body: bytes | None | BaseException,
    status: int,
) -> None:
    reply = _serve(app, Scope(_head(*headers)), Protocol(body))
    assert reply["status"] == status == reply["json"]["status"]
    assert reply["headers"]["Connection"] == "close"
    assert reply["headers"]["X-Content-Type-Options"] == "nosniff"


def test_an_over_limit_length_is_refused_before_reading(app: Flask) -> None:
    protocol = Protocol(None)
    assert _serve(app, Scope(_head(("content-length", "65"))), protocol)["status"] == 413
    assert not protocol.reads


@pytest.mark.parametrize(("scope", "status"), [
    (Scope(_head(), method="get", path=HEALTH_PATH), 501),
    (Scope(_head(), method="Post"), 501),
    (Scope(Headers([]), method="GET", path=HEALTH_PATH), 400),
    (Scope(_head(("host", "localhost")), method="GET", path=HEALTH_PATH), 400),
])
def test_request_lines_and_hosts_rfc_9110_and_9112_forbid(
    app: Flask, scope: Scope, status: int
) -> None:
    assert _serve(app, scope, Protocol())["status"] == status


def test_http10_needs_no_host(app: Flask) -> None:
    scope = Scope(Headers([]), method="GET", path=HEALTH_PATH, http_version="1")
    assert _serve(app, scope, Protocol())["status"] == 200


def test_an_absolute_form_host_replaces_host(make_app: Callable[..., Flask]) -> None:
    app = make_app(TRUSTED_HOSTS="localhost")
    scope = Scope(_head(), authority="evil.example")
    assert _serve(app, scope, Protocol())["status"] == 400
    assert _serve(app, Scope(_head(), authority="localhost"), Protocol())["status"] == 201


def test_headers_reach_wsgi_as_pep_3333_names() -> None:
    seen: dict[str, Any] = {}

    def spy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.update(environ)
        start_response("204 No Content", [])
        return []

    edge = Edge(spy, max_body_bytes=64, body_timeout=1)
    scope = Scope(_head(("x-a", "1"), ("x-a", "2")), path="/caf\u00e9", query_string="q=1")
    asyncio.run(edge.__rsgi__(scope, Protocol()))  # type: ignore[arg-type]
    assert seen["HTTP_X_A"] == "1,2"
    assert seen["CONTENT_TYPE"] == "application/json"
    assert seen["PATH_INFO"] == "/caf\u00c3\u00a9"  # UTF-8 bytes as latin-1
    assert (seen["QUERY_STRING"], seen["SERVER_PORT"], seen["REMOTE_ADDR"]) == (
        "q=1", "8080", "127.0.0.1")
    assert REFUSAL_KEY not in seen
    assert seen["wsgi.input"].read() == b""


@pytest.mark.parametrize(("scope", "body", "status"), [
    (Scope(_head(), method="GET", query_string="q=" + "a" * 3000), b"", 414),
    (Scope(_head(("x-filler", "a" * 9000)), method="GET"), b"", 431),
    (Scope(Headers([("host", "evil.example")]), method="GET"), b"", 400),
    (Scope(Headers([("host", "localhost"), ("content-type", "text/plain"),
                    ("content-length", "2")])), b"hi", 415),
])
def test_the_stacks_refusals_leave_as_json_errors_with_headers_and_a_line(
    make_app: Callable[..., Flask], capsys: pytest.CaptureFixture[str], scope: Scope,
    body: bytes, status: int,
) -> None:
    app = make_app(MODE_CONFIG="Production", TRUSTED_HOSTS="localhost")
    flush()
    capsys.readouterr()
    reply = _serve(app, scope, Protocol(body))
    assert reply["status"] == status == reply["json"]["status"]
    for name, value in {**HARDENING_HEADERS, "Strict-Transport-Security": HSTS}.items():
        assert reply["headers"][name] == value
    line = json.loads(capsys.readouterr().out)
    assert (line["status"], line["request_id"]) == (status, reply["headers"][REQUEST_ID_HEADER])


@pytest.mark.parametrize(("sent", "kept"), [("req-0000001", True), ("short", False)])
def test_a_served_request_gets_an_id_the_hardening_headers_and_one_line(
    app: Flask, capsys: pytest.CaptureFixture[str], sent: str, kept: bool
) -> None:
    flush()
    capsys.readouterr()
    scope = Scope(_head(("x-request-id", sent)), method="GET", path="/things/known",
                  query_string="token=s3cr3t")
    reply = _serve(app, scope, Protocol())
    assert reply["status"] == 200
    rid = reply["headers"][REQUEST_ID_HEADER]
    assert (rid == sent) is kept
    assert len(rid) == 32 or kept
    for name, value in HARDENING_HEADERS.items():
        assert reply["headers"][name] == value
    assert "Strict-Transport-Security" not in reply["headers"]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "s3cr3t" not in lines[0]
    entry = json.loads(lines[0])
    assert (entry["method"], entry["path"], entry["status"], entry["request_id"]) == (
        "GET", "/things/known", 200, rid)


def test_an_app_that_raises_is_logged_as_a_500(app: Flask,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    def broken(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise RuntimeError("broken")

    app.wsgi_app.wsgi_app = broken  # type: ignore[attr-defined]  # Flask's own, under the stack
    edge = behind_edge(app, 1)
    flush()
    capsys.readouterr()
    with pytest.raises(RuntimeError):
        asyncio.run(edge.__rsgi__(Scope(_head()), Protocol()))  # type: ignore[arg-type]
    flush()
    assert json.loads(capsys.readouterr().out)["status"] == 500
