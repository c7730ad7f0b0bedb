"""The router stand-in answers as gorouter does: by process and instance, in turn, or refusing.

Backends are stdlib servers that say which one they are; the table is what the cf double writes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.httpclient import call, raw
from pipeline.core.service import free_port
from pipeline.tests.fakes import router

OLD = "0c000000-0000-4000-8000-000000000001"
NEW = "0c000000-0000-4000-8000-000000000002"


class _Named(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:  # pylint: disable=invalid-name  # http.server's naming
        """Say which backend answered and what it was sent."""
        payload = json.dumps({"backend": self.server.server_port,  # type: ignore[attr-defined]
                              "headers": dict(self.headers.items())}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture(name="backends")
def fixture_backends() -> Iterator[list[str]]:
    """Two loopback servers standing for two releases."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Named) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield [f"http://127.0.0.1:{server.server_address[1]}" for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def _table(path: Path, *endpoints: tuple[str, int, str]) -> Path:
    path.write_text(json.dumps({"route": "127.0.0.1", "endpoints": [
        {"process_guid": guid, "index": index, "url": url} for guid, index, url in endpoints]}))
    return path


def _port(reply: Any) -> int:
    return int(reply.json()["backend"])


def test_requests_go_round_robin_or_to_the_process_and_instance_asked_for(
        tmp_path: Path, backends: list[str]) -> None:
    old, new = backends
    table = _table(tmp_path / "t.json", (OLD, 0, old), (OLD, 1, old), (NEW, 0, new))
    with router.running(table) as route:
        spread = {_port(call(route.url, "GET", "/")) for _ in range(3)}
        assert spread == {int(old.rsplit(":", 1)[1]), int(new.rsplit(":", 1)[1])}
        aimed = call(route.url, "GET", "/", headers={"X-Cf-Process-Instance": f"{NEW}:0"})
        assert _port(aimed) == int(new.rsplit(":", 1)[1])
        # gorouter forwards the header (proxy/proxy.go strips only X-CF-APP-INSTANCE)
        assert aimed.json()["headers"]["X-Cf-Process-Instance"] == f"{NEW}:0"
        assert {_port(call(route.url, "GET", "/", headers={"X-Cf-Process-Instance": OLD}))
                for _ in range(4)} == {int(old.rsplit(":", 1)[1])}


@pytest.mark.parametrize(("header", "status", "error", "message"), [
    (f"{NEW}:", 400, "invalid_cf_process_instance_header", "Invalid X-CF-Process-Instance Header"),
    (NEW.upper(), 400, "invalid_cf_process_instance_header",
     "Invalid X-CF-Process-Instance Header"),
    (f"{NEW}:1:x", 400, "invalid_cf_process_instance_header",
     "Invalid X-CF-Process-Instance Header"),
    (f"{NEW}:7", 400, "unknown_route", f"Requested instance ('7') with process guid ('{NEW}') "
                                       "does not exist for route ('127.0.0.1:{port}')"),
    ("0c000000-0000-4000-8000-0000000000ff", 400, "unknown_route",
     "Requested instance with process guid ('0c000000-0000-4000-8000-0000000000ff') does not "
     "exist for route ('127.0.0.1:{port}')"),
])
def test_what_gorouter_refuses_it_refuses_with_gorouter_s_words(
        tmp_path: Path, backends: list[str], header: str, status: int, error: str,
        message: str) -> None:
    with router.running(_table(tmp_path / "t.json", (NEW, 0, backends[1]))) as route:
        reply = call(route.url, "GET", "/", headers={"X-Cf-Process-Instance": header})
    port = route.url.rsplit(":", 1)[1]
    assert (reply.status, reply.headers["x-cf-routererror"]) == (status, error)
    assert reply.body.decode() == (f"{status} Bad Request: {message.format(port=port)}\n")
    assert reply.headers["cache-control"] == "no-cache, no-store"
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"


def test_an_unknown_route_an_empty_host_and_a_dead_endpoint(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    table = _table(tmp_path / "t.json", (NEW, 0, dead))
    with router.running(table) as route:
        other = call(route.url, "GET", "/", headers={"Host": "other.example"})
        empty = raw(route.url, b"GET / HTTP/1.0\r\n\r\n")
        failed = call(route.url, "GET", "/")
    assert (other.status, other.body) == (404, b"404 Not Found: Requested route "
                                               b"('other.example') does not exist.\n")
    assert empty.startswith(b"HTTP/1.0 400") and b"Request had empty Host header" in empty
    assert failed.status == 502 and failed.headers["x-cf-routererror"].startswith(
        "endpoint_failure")
    assert failed.body == b"502 Bad Gateway: Registered endpoint failed to handle the request.\n"
