"""One JSON line per request on stdout, the format log routers and `cf logs` parse."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from flask import Flask, Response, g, request

ACCESS_LOGGER = "app.access"
_PATH_LOG_MAX = 256


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object; a dozen lines do not justify another dependency."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True)


class _StdoutHandler(logging.StreamHandler):
    """Write to whatever sys.stdout is when a record is emitted, so captures see it."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        """Resolve sys.stdout late: pytest and servers may swap it after start-up."""
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        """Ignore the stream StreamHandler.__init__ assigns."""


def configure_logging(level: str) -> None:
    """Send every app logger to stdout as JSON lines, once per process."""
    root = logging.getLogger("app")
    if not any(isinstance(h, _StdoutHandler) for h in root.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def _start_clock() -> None:
    g.started = time.perf_counter()


def _log_request(response: Response) -> Response:
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    fields = {
        "method": request.method[:16],
        # The query string is left out: clients put tokens in it more often than they should.
        "path": request.path[:_PATH_LOG_MAX],
        "status": response.status_code,
        "duration_ms": round(elapsed_ms, 3),
        "request_id": g.get("request_id"),
    }
    logging.getLogger(ACCESS_LOGGER).info("request", extra={"fields": fields})
    return response


def init_app(app: Flask) -> None:
    """Time every request and log it after the response is final."""
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_start_clock)
    # after_request hooks run in reverse order: registered first, this one runs last.
    app.after_request(_log_request)
