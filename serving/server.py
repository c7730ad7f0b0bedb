"""The production server: Granian RSGI behind the edge, chosen by measurement (docs/serving.md)."""

from __future__ import annotations

import gc
import importlib
import socket
import sys

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.server import MPServer, MTServer, Server

from serving.config import ConfigError, Settings, load_settings, read_environment
from serving.project import API_PACKAGE
from serving.settings import declared

# Slow-header clients (slowloris) are cut off after this long; CF's router and Docker's
# health check send their headers in one packet, so real clients never come near it.
HEADER_READ_TIMEOUT_MS = 5_000
# Granian's own lines (start-up, worker respawns) as JSON on stdout, like the access log: log
# routers parse stdout line by line. Granian merges this over its defaults (granian/log.py).
GRANIAN_LOGGING = {
    "formatters": {"json": {"()": "serving.access_log.JsonFormatter"}},
    "handlers": {
        "json": {
            "class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "_granian": {"handlers": ["json"], "level": "INFO", "propagate": False},
        "granian.access": {"handlers": ["json"], "level": "INFO", "propagate": False},
    },
}


APP = "serving.rsgi:app"  # what Granian serves: the Flask app behind the edge


def build_server(settings: Settings, target: str = APP) -> MPServer | MTServer:
    """Translate validated settings into a Granian server on HOST:PORT, not started yet."""
    return Server(
        target,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.RSGI,
        workers=settings.web_concurrency,
        backlog=settings.web_backlog,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_READ_TIMEOUT_MS,
            # Granian refuses header blocks beyond this buffer before the app sees them.
            max_buffer_size=max(settings.max_header_bytes * 2, 65_536),
        ),
        log_enabled=True,
        log_level=settings.log_level.lower(),  # type: ignore[arg-type]
        log_dictconfig=GRANIAN_LOGGING,
        log_access=False,  # the app writes its own JSON access line
        workers_kill_timeout=settings.graceful_timeout,
        respawn_failed_workers=True,
    )


def main() -> int:
    """Validate the configuration, then serve until SIGTERM drains the workers."""
    variables = read_environment()
    try:
        settings = load_settings(variables)
        # The API's own settings too, before any worker starts.
        declared(importlib.import_module(API_PACKAGE)).from_variables(variables,
                                                                      settings.production)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except ImportError as error:  # the API package (app/) or a module it imports
        print(f"cannot load the API: {error}", file=sys.stderr)
        return 2
    try:
        check_port_free(settings.host, settings.port)
    except OSError as error:
        print(f"cannot listen on {settings.host}:{settings.port}: {error.strerror}; free it or set"
              " HOST and PORT", file=sys.stderr)
        return 2
    preload()
    serve(settings)
    return 0


def check_port_free(host: str, port: int) -> None:
    """Raise OSError when HOST:PORT is taken, which Granian would not report in one line.

    Granian binds with SO_REUSEPORT (src/net.rs, `as_socket`), so a second Granian on the same
    port starts and shares its connections; a port held otherwise ends on a Rust backtrace.
    A plain bind, without SO_REUSEPORT, fails in both cases.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As Granian does: a connection of the last run in TIME_WAIT does not hold the port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def serve(settings: Settings, target: str = APP) -> None:
    """Serve `target` on HOST:PORT until SIGTERM has drained the workers."""
    build_server(settings, target).serve()


def preload() -> None:
    """Build the app once, before Granian forks its workers, which then share it.

    Each worker imported Flask and built the app itself after the fork: with the app built
    first, a forked worker finds `serving.rsgi` imported (Granian's loader imports it by name),
    starts without that work and shares those pages with its siblings. gc.freeze() keeps the
    collector off those objects for good, so no collection touches (and copies) their pages.
    Where Granian spawns instead of forking (Python 3.14's default start method), each worker
    imports the app as before.
    """
    importlib.import_module(APP.partition(":")[0])
    gc.freeze()
