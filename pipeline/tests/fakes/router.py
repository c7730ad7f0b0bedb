"""A loopback stand-in for Cloud Foundry's gorouter, in front of real servers, routed as cf says.

`running(TABLE)` serves it from a thread. The cf double (pipeline/tests/fakes/cf, with
FAKE_CF_ROUTER_TABLE) writes TABLE after every change: the route's host and one endpoint per
running instance (process guid, index, the URL of the real server its droplet runs on). The
router reads it on every request, so a canary's instances join the route when Cloud Controller
starts them and leave it when a cancel destroys them.

Written from cloudfoundry/gorouter main (the process-instance header arrived in PR #467, in
routing-release 0.332.0): handlers/lookup.go, registry/registry.go LookupWithProcessInstance,
route/roundrobin.go, errorwriter/error_writer.go, proxy/round_tripper/error_handler.go,
handlers/request_id.go. Not modelled: X-CF-APP-INSTANCE (the pipeline never sends it), route
services, TLS, sticky sessions. Standard library only.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
PROCESS_INSTANCE = "X-Cf-Process-Instance"  # common/http/headers.go CfProcessInstance
# handlers/lookup.go pReg: a lower-case process GUID, optionally `:` and an instance index
PROCESS_INSTANCE_VALUE = re.compile(
    r"^(?P<id>[\da-f]{8}-([\da-f]{4}-){3}[\da-f]{12})(:(?P<idx>\d+))?$")
# RFC 9110 section 7.6.1: connection-specific headers are not forwarded (handlers/hop_by_hop.go)
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-authenticate",
                        "proxy-authorization"})


class Refusal(Exception):
    """An answer the router gives itself: status, X-Cf-RouterError and the message."""

    def __init__(self, status: int, router_error: str, message: str,
                 no_cache: bool = True) -> None:
        super().__init__(message)
        self.status, self.router_error, self.message = status, router_error, message
        self.no_cache = no_cache  # lookup.go addNoCacheControlHeader, for what the lookup refuses


class Table:
    """The route and its endpoints, read from the file the cf double writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._turns: dict[tuple[str, str], Iterator[int]] = {}
        self._lock = threading.Lock()

    def read(self) -> dict[str, Any]:
        """The table as the double last wrote it; none yet is a route with no endpoint."""
        try:
            table: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):  # not written yet, or caught mid-write
            return {"route": "", "endpoints": []}
        return table

    def pick(self, host: str, process_instance: str) -> str:
        """The URL of the endpoint to send to (handlers/lookup.go, then route/roundrobin.go)."""
        if not host:
            raise Refusal(400, "empty_host", "Request had empty Host header", no_cache=False)
        table = self.read()
        pool = table["endpoints"] if host.split(":", 1)[0] == table["route"] else []
        key = ("", "")
        if process_instance:
            found = PROCESS_INSTANCE_VALUE.match(process_instance)
            if not found:
                raise Refusal(400, "invalid_cf_process_instance_header",
                              "Invalid X-CF-Process-Instance Header")
            key = (found["id"], found["idx"] or "")
            pool = [e for e in pool if e["process_guid"] == key[0]
                    and (not key[1] or str(e["index"]) == key[1])]
        if not pool:
            raise Refusal(*_missing(host, *key))
        with self._lock:  # each pool keeps its own turn, as route/pool.go's round robin does
            turn = next(self._turns.setdefault(key, itertools.count()))
        return str(pool[turn % len(pool)]["url"])


def _missing(host: str, guid: str, index: str) -> tuple[int, str, str]:
    """handlers/lookup.go handleMissingRoute: 404 for the route, 400 naming the process."""
    if not guid:
        return 404, "unknown_route", f"Requested route ('{host}') does not exist."
    if index:
        return 400, "unknown_route", (f"Requested instance ('{index}') with process guid "
                                      f"('{guid}') does not exist for route ('{host}')")
    return 400, "unknown_route", (f"Requested instance with process guid ('{guid}') does not "
                                  f"exist for route ('{host}')")


class Handler(BaseHTTPRequestHandler):
    """Every method: look the endpoint up, then proxy the request to it."""

    server: RouterServer
    server_version = "gorouter-stand-in"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the servers behind write their own access lines."""

    def _route(self) -> None:
        try:
            url = self.server.table.pick(self.headers.get("Host", ""),
                                         self.headers.get(PROCESS_INSTANCE, ""))
        except Refusal as refusal:
            self._refuse(refusal)
            return
        length = int(self.headers.get("Content-Length") or "0")
        body = self.rfile.read(length) if length else None
        try:
            status, headers, payload = _forward(url, self.command, self.path, self._headers(), body)
        except OSError as error:  # proxy/round_tripper/error_handler.go: the endpoint failed
            self._refuse(Refusal(502, f"endpoint_failure ({error})",
                                 "Registered endpoint failed to handle the request.",
                                 no_cache=False))
            return
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _headers(self) -> dict[str, str]:
        """What goes on: the request's end-to-end headers (X-Cf-Process-Instance too, which
        gorouter does not strip), plus X-Vcap-Request-Id (handlers/request_id.go)."""
        forwarded = {name: value for name, value in self.headers.items()
                     if name.lower() not in HOP_BY_HOP and name.lower() != "content-length"}
        forwarded["X-Vcap-Request-Id"] = str(uuid.uuid4())
        return forwarded

    def _refuse(self, refusal: Refusal) -> None:
        """errorwriter/error_writer.go plaintext: `<code> <text>: <message>` and a newline."""
        reason = http.client.responses.get(refusal.status, "")
        body = f"{refusal.status} {reason}: {refusal.message}\n".encode()
        self.send_response(refusal.status)
        self.send_header("X-Cf-RouterError", refusal.router_error)
        if refusal.no_cache:
            self.send_header("Cache-Control", "no-cache, no-store")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route


def _forward(url: str, method: str, path: str, headers: dict[str, str],
             body: bytes | None) -> tuple[int, list[tuple[str, str]], bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or LOOPBACK, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        kept = [(name, value) for name, value in response.getheaders()
                if name.lower() not in HOP_BY_HOP]
        return response.status, kept, payload
    finally:
        connection.close()


class RouterServer(ThreadingHTTPServer):
    """The router's listener: one thread per connection, the table shared."""

    daemon_threads = True

    def __init__(self, table: Table, port: int = 0) -> None:
        super().__init__((LOOPBACK, port), Handler)
        self.table = table

    @property
    def url(self) -> str:
        """Where clients reach the route."""
        return f"http://{LOOPBACK}:{self.server_address[1]}"


@contextmanager
def running(table_file: Path) -> Iterator[RouterServer]:
    """Serve the router from a thread for the duration of a `with` block."""
    server = RouterServer(Table(table_file))
    # A short poll, so that leaving the block (shutdown) takes milliseconds, not half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="router",
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
