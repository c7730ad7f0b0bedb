"""pipeline.core.httpclient: a guard refuses a request before a byte of it is sent."""

from __future__ import annotations

import socket

import pytest

from pipeline.core.httpclient import Forbidden, call, guarded, raw


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
