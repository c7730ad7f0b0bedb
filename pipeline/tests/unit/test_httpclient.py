"""httpclient: a guard refuses a request before a byte of it is sent; a target's own headers go
out with every call, and the live guard still refuses.

A stdlib server on loopback echoes back the headers it received, so each test sees what was sent.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pipeline.core.httpclient import (
    Forbidden, HeaderError, call, format_headers, guarded, parse_headers, raw, target_headers)
from pipeline.core.probes import Probes, Request


class _Mirror(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _answer(self) -> None:
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@pytest.fixture(name="url")
def fixture_url() -> Iterator[str]:
    """A loopback server answering with the request's headers as JSON."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Mirror)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_target_s_headers_go_with_every_call_to_it_and_only_to_it(url: str) -> None:
    with target_headers(url + "/", {"X-Cf-Process-Instance": "abc:0"}):
        sent = call(url, "GET", "/").json()
        assert sent["X-Cf-Process-Instance"] == "abc:0"
        own = call(url, "GET", "/", headers={"x-cf-process-instance": "abc:1"}).json()
        assert own["x-cf-process-instance"] == "abc:1" and "X-Cf-Process-Instance" not in own
    assert "X-Cf-Process-Instance" not in call(url, "GET", "/").json()


def test_the_live_guard_refuses_with_target_headers_as_without(url: str) -> None:
    declared = Probes(work=Request("POST", "/work"), live=(Request("POST", "/declared"),))
    with guarded(declared.live_guard(url)), target_headers(url, {"X-Cf-Process-Instance": "a"}):
        assert call(url, "POST", "/declared").status == 200
        with pytest.raises(Forbidden, match="refusing POST /undeclared against the live"):
            call(url, "POST", "/undeclared")


@pytest.mark.parametrize(("text", "message"), [
    ("X-HTTP-Method-Override: POST", "may not set X-HTTP-Method-Override"),
    ("Host: elsewhere.example", "may not set Host"),
    ("no colon here", "must hold `Name: value` lines"),
    ("Bad Name: x", "must hold `Name: value` lines"),
    ("X-Empty:", "must hold `Name: value` lines"),
])
def test_headers_that_could_change_what_is_sent_are_refused(text: str, message: str) -> None:
    with pytest.raises(HeaderError, match=message):
        parse_headers(text)


def test_headers_read_back_as_they_were_written() -> None:
    headers = {"X-Cf-Process-Instance": "0c000000-0000-4000-8000-000000000002:1", "X-A": "b c"}
    assert parse_headers(format_headers(headers) + "\n\n") == headers


@pytest.fixture
def listener() -> socket.socket:
    """A port that accepts connections and never answers: anything sent would reach it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def _url(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_refused_request_never_connects(listener: socket.socket) -> None:
    url = _url(listener)
    with guarded(lambda base, method, path: f"no {method} {path}" if method != "GET" else None):
        with pytest.raises(Forbidden, match="no POST /x"):
            call(url, "POST", "/x", b"{}")
        with pytest.raises(Forbidden, match="no DELETE /y"):
            raw(url, b"DELETE /y HTTP/1.1\r\nHost: a\r\n\r\n")
    listener.settimeout(0.2)
    with pytest.raises(TimeoutError):
        listener.accept()  # neither request opened a connection
    listener.close()


def test_the_guard_ends_with_its_block(listener: socket.socket) -> None:
    url = _url(listener)
    with guarded(lambda base, method, path: "never"):
        pass
    with pytest.raises(TimeoutError):
        call(url, "POST", "/x", timeout=0.2)  # sent, and the silent port times it out
    listener.close()
