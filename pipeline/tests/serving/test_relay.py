"""The relay in process: it passes bytes through and a half-close on only once it is safe.

The upstream double behaves as hyper does without half_close: it answers each request after a
delay, and an EOF read while an answer is due drops the connection with the answer unsent.
"""

from __future__ import annotations

import collections
import gc
import socket
import sys
import threading
import warnings
from collections.abc import Iterator

import pytest

from pipeline.core.service import free_port
from serving import relay

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def _framed(chunks: list[bytes], methods: list[bytes]) -> relay.ResponseFramer:
    framer = relay.ResponseFramer(collections.deque(methods))
    for chunk in chunks:
        framer.feed(chunk)
    return framer


@pytest.mark.parametrize(("chunks", "methods", "complete"), [
    pytest.param([OK * 3], [b"GET"] * 3, 3, id="whole"),
    pytest.param([OK[:7], OK[7:30], OK[30:] + OK], [b"GET"] * 2, 2, id="split-head-and-body"),
    pytest.param([b"HTTP/1.1 200 OK\r\ncontent-length: 16\r\n\r\n" + OK], [b"HEAD", b"GET"], 2,
                 id="head-has-no-body"),
    pytest.param([b"HTTP/1.1 100 Continue\r\n\r\n" + OK], [b"POST"], 1, id="interim"),
    pytest.param([b"HTTP/1.1 204 No Content\r\n\r\n"], [b"DELETE"], 1, id="no-content"),
    pytest.param([b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"], [b"GET"], 1, id="empty"),
])
def test_the_framer_counts_whole_responses(chunks: list[bytes], methods: list[bytes],
                                           complete: int) -> None:
    framer = _framed(chunks, methods)
    assert (framer.complete, framer.lost) == (complete, False)


@pytest.mark.parametrize("stream", [
    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", b"garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"x" * 70_000])
def test_the_framer_says_when_it_lost_count(stream: bytes) -> None:
    assert _framed([stream], [b"GET"]).lost


class Hyper(threading.Thread):
    """hyper with half_close(false), in miniature: an EOF while an answer is due drops it."""

    def __init__(self, port: int, delay: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", port))
        self.delay = delay
        self.eofs: list[bool] = []  # per connection: was the EOF read with no answer due?

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn: socket.socket) -> None:
        """Read requests as they come; answer each after the delay, in order, from a writer."""
        owed: list[int] = []  # answers not yet written
        dropped = threading.Event()

        def write() -> None:
            while not dropped.wait(self.delay):
                if owed:
                    owed.pop()  # before the write: the relay sees the answer only after it
                    conn.sendall(OK)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
            while GET in data:
                data = data.replace(GET, b"", 1)
                owed.append(1)
        self.eofs.append(not owed and not data)
        if data and not owed:  # a request cut short: hyper answers 400 and closes
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
        dropped.set()  # an EOF with answers owed: hyper drops them, as Granian 2.8 does
        writer.join()
        conn.close()


@pytest.fixture
def front() -> Iterator[tuple[int, Hyper]]:
    """A relay in front of the Hyper double, both on free loopback ports."""
    upstream = free_port()
    hyper = Hyper(upstream)
    hyper.start()
    listener = relay.listen("127.0.0.1", free_port(), 16)
    running = relay.Relay(listener, upstream)
    running.start()
    yield listener.getsockname()[1], hyper
    running.stop()
    listener.close()
    hyper.listener.close()


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize("count", [1, 3])
def test_the_eof_waits_for_every_answer(front: tuple[int, Hyper], count: int) -> None:
    port, hyper = front
    assert _exchange(port, GET * count) == OK * count
    assert hyper.eofs == [True]  # the EOF reached it only once nothing was due


def test_an_eof_inside_a_request_is_passed_on_at_once(front: tuple[int, Hyper]) -> None:
    port, hyper = front  # a body cut short by a FIN must still get its 400 (docs/serving.md)
    assert _exchange(port, b"GET / HTT").startswith(b"HTTP/1.1 400 ")
    assert hyper.eofs == [False]


def test_a_stream_that_is_not_http_still_reaches_the_server(front: tuple[int, Hyper]) -> None:
    port, hyper = front
    assert _exchange(port, b"\x16\x03\x01 not http\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    assert hyper.eofs == [False]


def test_a_client_is_closed_when_nothing_listens_behind() -> None:
    listener = relay.listen("127.0.0.1", free_port(), 16)
    running = relay.Relay(listener, free_port())
    running.start()
    try:
        with socket.create_connection(listener.getsockname(), timeout=5) as sock:
            try:  # the relay may close before or after these bytes arrive
                sock.sendall(GET)
                answer = sock.recv(65536)
            except ConnectionResetError:
                answer = b""
        assert answer == b""  # closed with no answer, as a refused connection is
    finally:
        running.stop()
        listener.close()


def test_a_connection_open_at_the_stop_is_closed_with_the_loop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Seen on Python 3.13 under SIGTERM: a transport left open outlived its closed loop, and
    # its __del__ printed "Exception ignored in: ..._SelectorTransport.__del__", not JSON.
    unraisable: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda hook: unraisable.append(repr(hook)))
    hyper = Hyper(free_port(), delay=0.01)
    hyper.start()
    listener = relay.listen("127.0.0.1", free_port(), 16)
    running = relay.Relay(listener, hyper.listener.getsockname()[1])
    running.start()
    try:
        with socket.create_connection(listener.getsockname(), timeout=5) as sock:
            sock.sendall(GET)
            assert sock.recv(65536) == OK  # both sides of the relay are open, kept alive
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                running.stop()
                gc.collect()
            assert sock.recv(65536) == b""  # the relay closed the client
    finally:
        listener.close()
        hyper.listener.close()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    assert not unraisable, unraisable
