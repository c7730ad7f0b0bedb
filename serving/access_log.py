"""Request ids and one JSON line per request on stdout, the format log routers parse."""

from __future__ import annotations

import asyncio
import functools
import json
import json.encoder
import logging
import multiprocessing.util
import os
import re
import select
import sys
import time
from typing import Any, NamedTuple

from flask import Flask, request

ACCESS_LOGGER = "serving.access"
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_KEY = "serving.request_id"  # where the id waits in the WSGI environ
# A client's id is kept only when it is this safe to log and echo back.
REQUEST_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}"
_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)
_PATH_LOG_MAX = 256


@functools.lru_cache(maxsize=1)  # local time to the second, formatted once a second
def _local_time(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(second))


def _clock(created: float) -> str:
    return _local_time(int(created))


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object; a dozen lines do not justify another dependency."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _clock(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True)


class _StdoutHandler(logging.StreamHandler[Any]):
    """Write to whatever sys.stdout is when a record is emitted, so captures see it."""

    @property
    def stream(self) -> Any:
        """Resolve sys.stdout late: pytest and servers may swap it after start-up."""
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        """Ignore the stream StreamHandler.__init__ assigns."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the access lines still waiting first, so stdout keeps the order of events."""
        _BATCH.flush()  # handle() holds the (reentrant) lock the batch takes
        super().emit(record)


# A pipe takes one write of at most PIPE_BUF bytes (4096 on Linux) whole, so the lines of the
# workers that share stdout never interleave: a batch is written before it would grow past it.
_ATOMIC_WRITE = select.PIPE_BUF
# How long a line may wait for others under an event loop. Granian hands each request to the
# loop in a turn of its own (strace: one stdout write per request with a per-turn flush), so
# the batch waits a little longer; a log router sees a line within this delay.
BATCH_DELAY_S = 0.05


class _Batch:
    """Access lines that leave stdout in one write once the event loop has run what was ready.

    A write and flush per line cost 21 us of the 213 us of server CPU a request took (2 workers,
    wrk, access lines on against off, same run). Under an event loop (Granian's RSGI workers,
    uvicorn's) a line waits up to BATCH_DELAY_S for the lines after it, so one write carries
    many; with no running loop (threads, the Flask test client) each line is written at once,
    as before. Lines still waiting when the process ends
    are written by a multiprocessing finalizer, which runs at interpreter exit and when a
    multiprocessing child (a Granian worker) returns or dies of an exception; atexit does not
    run there, as the child leaves by os._exit. A SIGKILL loses what waits: the lines of at most
    the last BATCH_DELAY_S, never more than _ATOMIC_WRITE bytes (about 16 lines).
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._size = 0
        self._loop: asyncio.AbstractEventLoop | None = None  # where a flush is scheduled
        self._exit_hook_pid = 0  # the process whose exit flushes (finalizers die with a fork)

    def add(self, line: str) -> None:
        """Queue one line (ASCII, so its length is its size), or write it now with no loop."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with _HANDLER.lock:  # type: ignore[union-attr]  # createLock() made it in __init__
            if self._size + len(line) > _ATOMIC_WRITE or (self._loop and self._loop is not loop):
                self.flush()
            self._lines.append(line)
            self._size += len(line)
            if loop is None:
                self.flush()
            elif self._loop is None:
                self._loop = loop
                loop.call_later(BATCH_DELAY_S, self.flush)
                if self._exit_hook_pid != os.getpid():
                    self._exit_hook_pid = os.getpid()
                    multiprocessing.util.Finalize(None, self.flush, exitpriority=0)

    def flush(self) -> None:
        """Write every waiting line in one write, under the stdout handler's lock."""
        with _HANDLER.lock:  # type: ignore[union-attr]
            self._loop = None
            if not self._lines:
                return
            text = "".join(self._lines)
            self._lines.clear()
            self._size = 0
            stream = _HANDLER.stream
            stream.write(text)
            stream.flush()


# One handler per process, so the access lines below can take the same lock.
_HANDLER = _StdoutHandler()
_HANDLER.setFormatter(JsonFormatter())
_BATCH = _Batch()


def flush() -> None:
    """Write the access lines still waiting now, for a reader that must see stdout complete."""
    _BATCH.flush()


def configure_logging(level: str, api_logger: str = "app") -> None:
    """Send the stack's and the API's loggers to stdout as JSON lines, once per process.

    `api_logger` is the API package's name, which is also Flask's `app.logger`.
    """
    # The JSON lines carry no thread or process names, so skip collecting them for every
    # record (the logging docs' own optimisation advice).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    for name in ("serving", api_logger):
        root = logging.getLogger(name)
        if _HANDLER not in root.handlers:
            root.addHandler(_HANDLER)
        root.setLevel(level)
        root.propagate = False


# The stdlib's own string escaper, the one json.dumps uses with ensure_ascii=True.
_string = json.encoder.encode_basestring_ascii


class Access(NamedTuple):
    """What one access line records about a request (a tuple: built once per request, cheaply)."""

    method: str
    path: str
    status: int
    duration_ms: float
    request_id: str
    client: str = ""  # the peer's address, or the client's through trusted proxies

    def line(self, created: float) -> str:
        """Render exactly json.dumps(entry) for the JsonFormatter's entry, plus a newline.

        json.dumps builds a new encoder per call, which was 3.4 us of the ~6 us this line
        cost; the entry's shape is fixed, so only its strings need encoding, and they go
        through the same C escaper (a test compares the two on hostile input).
        """
        return (
            f'{{"time": {_string(_clock(created))}, "level": "INFO", '
            f'"logger": "{ACCESS_LOGGER}", "message": "request", '
            f'"method": {_string(self.method)}, "path": {_string(self.path)}, '
            f'"status": {self.status:d}, "duration_ms": {self.duration_ms!r}, '
            f'"request_id": {_string(self.request_id)}, "client": {_string(self.client)}}}\n'
        )

    def write(self) -> None:
        """Write the line to the stdout handler's stream, without a LogRecord per request.

        Building a LogRecord and dispatching it through filters and handlers cost 10 us of
        the ~100 us a request took (pyinstrument, 20,000 requests). The line goes out under
        the handler's lock, so it never interleaves with another record, batched with the
        lines of the same event-loop turn (_Batch).
        """
        _BATCH.add(self.line(time.time()))


def valid_request_id(value: str | None) -> bool:
    """Tell whether a client's X-Request-ID is safe to log and echo back."""
    return value is not None and _REQUEST_ID.fullmatch(value) is not None


def request_id() -> str:
    """The current request's id, as the access log records it."""
    return str(request.environ.get(REQUEST_ID_KEY, ""))


def assign_request_id(environ: dict[str, Any]) -> str:
    """Keep the client's X-Request-ID when it is safe, else make one; the environ holds it.

    A new id is 128 random bits in hex: as unique as uuid4().hex, without building a UUID.
    """
    incoming = environ.get("HTTP_X_REQUEST_ID")
    rid = incoming if incoming and valid_request_id(incoming) else os.urandom(16).hex()
    environ[REQUEST_ID_KEY] = rid
    return rid


_ACCESS = logging.getLogger(ACCESS_LOGGER)


def record(environ: dict[str, Any], status: int, started: float) -> None:
    """Write the request's access line: its status and its duration since `started`."""
    if not _ACCESS.isEnabledFor(logging.INFO):
        return
    path = environ.get("PATH_INFO", "")
    if not path.isascii():  # latin-1 for UTF-8 bytes (PEP 3333): ASCII needs no round trip
        path = path.encode("latin-1", "replace").decode("utf-8", "replace")
    Access(
        environ.get("REQUEST_METHOD", "")[:16],
        # The query string is left out: clients put tokens in it more often than they should.
        path[:_PATH_LOG_MAX],
        status,
        round((time.perf_counter() - started) * 1000, 3),
        environ.get(REQUEST_ID_KEY, ""),
        environ.get("REMOTE_ADDR", ""),
    ).write()


def init_app(app: Flask) -> None:
    """Log as JSON: the stack's lines, the API's logger (Flask's app.logger) and access lines."""
    configure_logging(app.config["LOG_LEVEL"], app.name)
