"""The front door: a byte relay that keeps a client's half-close from Granian until it is safe.

Granian 2.8 builds its HTTP/1 connections with hyper's `half_close(false)` and cannot be told
otherwise (HTTP1Settings has no such field, up to 2.8.9): when a client shuts down its write
side after a complete request, hyper reads the EOF while the response is pending and drops the
connection with the response unwritten. Three pipelined GETs and a `shutdown(SHUT_WR)` got two
answers; one GET and a half-close got none (docs/serving.md, "Half-closed connections").

So clients connect here, and Granian listens on loopback behind. Bytes pass through unchanged,
both ways. A client's EOF is passed on at once when it cuts a request short (Granian then
answers a cut body with 400, as before) or when every complete request has its response;
otherwise it waits for the responses still due, then goes. The relay needs to know where
requests end, which httptools (llhttp, uvicorn's parser) tells it; where responses end it reads
from Granian's own heads (`ResponseFramer`).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re
import socket
import threading
from collections.abc import Callable
from typing import Any, cast

import httptools

UPSTREAM_HOST = "127.0.0.1"  # where Granian listens behind the relay
_HEAD_END = b"\r\n\r\n"
# A response head from hyper is a few hundred bytes; more without its end means it is not one.
_HEAD_MAX = 65_536
_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3})")
_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


class ResponseFramer:  # pylint: disable=too-few-public-methods  # a counter fed bytes
    """Count the complete responses in Granian's byte stream, given each request's method.

    Written by hand because httptools' response parser cannot be told that a response answers
    a HEAD (its Content-Length then announces a body that never comes). The stream is hyper's
    own output: a status line, headers with Content-Length (the edge sends whole bodies), then
    the body; a response whose end cannot be known that way stops the counting (`lost`).
    """

    def __init__(self, methods: collections.deque[bytes]) -> None:
        self.complete = 0
        self.lost = False
        self._methods = methods  # the method of each request still to be answered, in order
        self._head = bytearray()
        self._body_left = 0

    def feed(self, data: bytes) -> None:
        """Take the next bytes Granian sent."""
        if self._head:  # a head split across reads: look at it whole
            data, self._head = bytes(self._head) + data, bytearray()
        pos, size = 0, len(data)
        while pos < size and not self.lost:
            if self._body_left:
                taken = min(self._body_left, size - pos)
                self._body_left -= taken
                pos += taken
                if not self._body_left:
                    self.complete += 1
                continue
            end = data.find(_HEAD_END, pos)
            if end < 0:
                self._head += data[pos:]
                self.lost = len(self._head) > _HEAD_MAX
                return
            self._start(data[pos:end])
            pos = end + len(_HEAD_END)

    def _start(self, head: bytes) -> None:
        status = _STATUS.match(head)
        if status is None:
            self.lost = True
            return
        code = int(status[1])
        if code < 200:  # an interim answer: the final one is still to come
            return
        method = self._methods.popleft() if self._methods else b""
        length = _LENGTH.search(head)
        if method == b"HEAD" or code in (204, 304):
            self.complete += 1
        elif length is not None:
            self._body_left = int(length[1])
            if not self._body_left:
                self.complete += 1
        else:  # chunked or until close: never from the edge, which sends whole bodies
            self.lost = True


class _Upstream(asyncio.Protocol):
    """The connection to Granian: its bytes go to the client, its responses are counted."""

    def __init__(self, client: _Client) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio's; both are stream transports here.
        self.transport = cast(asyncio.Transport, transport)
        self.client.open.add(self.transport)
        self.client.upstream_ready(self)

    def data_received(self, data: bytes) -> None:
        self.client.answer(data)

    def eof_received(self) -> bool:
        self.client.close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.client.open.discard(self.transport)
        self.client.close()

    def pause_writing(self) -> None:
        self.client.pause_reading()

    def resume_writing(self) -> None:
        self.client.resume_reading()


class _Client(asyncio.Protocol):
    """A client's connection: its bytes go to Granian, its requests and its EOF are watched."""

    def __init__(self, upstream_port: int, open_transports: set[asyncio.Transport]) -> None:
        self._port = upstream_port
        self.open = open_transports  # the relay's, both sides: what its stop must close
        self._transport: asyncio.Transport | None = None
        self._upstream: _Upstream | None = None
        self._early: list[bytes] = []  # what arrived before Granian's connection was up
        self._methods: collections.deque[bytes] = collections.deque()
        self._framer = ResponseFramer(self._methods)
        self._parser: Any = httptools.HttpRequestParser(self)
        self._requests = 0  # complete requests seen
        self._in_request = False
        self._unparsed = False  # llhttp refused the stream: Granian answers and closes
        self._eof = False  # the client half-closed; passed on once it is safe

    # -- the client side -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self.open.add(self._transport)
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        loop = asyncio.get_running_loop()
        loop.create_task(self._connect(loop))

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await loop.create_connection(lambda: _Upstream(self), UPSTREAM_HOST, self._port)
        except OSError:  # Granian is not (or no longer) listening: refuse, as it would
            self.close()

    def upstream_ready(self, upstream: _Upstream) -> None:
        """Granian accepted: send what waited, then relay directly."""
        if upstream.transport is None:
            return
        upstream.transport.get_extra_info("socket").setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._upstream = upstream
        for data in self._early:
            upstream.transport.write(data)
        self._early.clear()
        if self._eof:
            self._pass_eof_when_safe()

    def data_received(self, data: bytes) -> None:
        if not self._unparsed:
            try:
                self._parser.feed_data(data)
            except httptools.HttpParserError:  # hyper will refuse it too, and close
                self._unparsed = True
        upstream = self._upstream
        if upstream is None or upstream.transport is None:
            self._early.append(data)
        else:
            upstream.transport.write(data)

    def eof_received(self) -> bool:
        self._eof = True
        self._pass_eof_when_safe()
        return True  # keep writing to the client: its responses are still to come

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self.open.discard(self._transport)
        upstream = self._upstream
        if upstream is not None and upstream.transport is not None:
            upstream.transport.close()

    # -- httptools callbacks ---------------------------------------------------------------
    def on_message_begin(self) -> None:
        """A request starts."""
        self._in_request = True

    def on_headers_complete(self) -> None:
        """Its method decides whether its response has a body."""
        self._methods.append(self._parser.get_method())

    def on_message_complete(self) -> None:
        """A request is complete: it is owed a response."""
        self._in_request = False
        self._requests += 1

    # -- what Granian sends ----------------------------------------------------------------
    def answer(self, data: bytes) -> None:
        """Relay Granian's bytes; pass a waiting EOF on once the last response is out."""
        if self._transport is not None:
            self._transport.write(data)
        self._framer.feed(data)
        if self._eof:
            self._pass_eof_when_safe()

    def _pass_eof_when_safe(self) -> None:
        upstream = self._upstream
        if upstream is None or upstream.transport is None or upstream.transport.is_closing():
            return
        answered = self._framer.complete >= self._requests
        if self._in_request or self._unparsed or answered:
            if upstream.transport.can_write_eof():
                upstream.transport.write_eof()
        # A response whose end the framer lost arrives all the same; Granian closes the idle
        # connection after its keep-alive timeout, and the client with it.

    def pause_reading(self) -> None:
        """Granian's side is full: stop reading the client."""
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        """Granian's side drained."""
        if self._transport is not None:
            self._transport.resume_reading()

    def close(self) -> None:
        """Granian closed: close the client once what is buffered for it is written."""
        if self._transport is not None:
            self._transport.close()

    def pause_writing(self) -> None:
        upstream = self._upstream
        if upstream is not None and upstream.transport is not None:
            upstream.transport.pause_reading()

    def resume_writing(self) -> None:
        upstream = self._upstream
        if upstream is not None and upstream.transport is not None:
            upstream.transport.resume_reading()


def _log_failure(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A failed connection is one JSON line, like every other line on stdout."""
    logging.getLogger("serving.relay").warning(
        "relay: %s", context.get("message", "failure"), exc_info=context.get("exception"))


def _new_loop() -> asyncio.AbstractEventLoop:
    try:  # the loop Granian's workers run on when it is installed (Granian's loop=auto)
        import uvloop  # pylint: disable=import-outside-toplevel

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


class Relay:
    """The relay's listener and event loop, in a thread of the process that starts Granian."""

    def __init__(self, listener: socket.socket, upstream_port: int) -> None:
        self._listener = listener
        self._port = upstream_port
        self._loop = _new_loop()
        self._server: asyncio.AbstractServer | None = None
        self._open: set[asyncio.Transport] = set()
        self._thread = threading.Thread(target=self._run, name="relay", daemon=True)
        self._listening = threading.Event()

    def start(self) -> None:
        """Accept clients from now on; return once the listener is in the loop.

        A stop() that came before the loop had its server stopped the loop under
        run_until_complete ("Event loop stopped before Future completed", seen in the tests).
        """
        self._thread.start()
        self._listening.wait(5)

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(_log_failure)
        factory: Callable[[], asyncio.Protocol] = (  # noqa: E731
            lambda: _Client(self._port, self._open))
        try:
            try:
                self._server = loop.run_until_complete(
                    loop.create_server(factory, sock=self._listener))
            finally:
                self._listening.set()
            loop.run_forever()
        finally:
            # A client accepted as the loop stopped may still wait for its upstream connection:
            # end that task here, or asyncio prints "coroutine ... was never awaited" to stderr,
            # a line that is not JSON (seen under SIGTERM with requests in flight).
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            # Granian has stopped by now: what is still open is idle or already ended on its
            # side. Each transport closes with the loop that owns it; one left to the garbage
            # collector warns, and on Python 3.13 printed "Exception ignored in ...__del__".
            for transport in list(self._open):
                transport.abort()
            loop.run_until_complete(asyncio.sleep(0))  # their connection_lost callbacks
            loop.close()

    def stop(self) -> None:
        """Stop accepting; connections still open end when Granian ends them."""
        def close() -> None:
            if self._server is not None:
                self._server.close()
            self._loop.stop()

        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(close)
            self._thread.join(5)


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """The public listener, bound before anything else so a busy port fails at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(backlog)
    listener.setblocking(False)
    return listener


def loopback_port() -> int:
    """A free loopback port for Granian behind the relay (it binds the port itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((UPSTREAM_HOST, 0))
        return int(probe.getsockname()[1])
