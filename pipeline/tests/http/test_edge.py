"""The HTTP edge against the raw bytes that broke it: each case fails on Granian WSGI.

They run against any target (local process or container), except the log checks, which need
the local server's output. Bodies go to the work request's path (tests/probes.toml): the edge
answers every one of these before a route runs, so the API's own rules never come into it.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import subprocess
import threading
import time
from urllib.parse import urlsplit

import pytest

from pipeline.core.httpclient import call, raw
from pipeline.core.probes import Probes
from pipeline.core.service import RunningServer
from pipeline.testing import require_tools
from serving.edge import BODY_READ_TIMEOUT_S
from serving.security import HARDENING_HEADERS
from serving.endpoints import HEALTH_PATH

HOST = b"Host: 127.0.0.1\r\n"


@pytest.fixture(scope="module")
def body_head(probes: Probes) -> bytes:
    """The start of a request with a JSON body, to the work request's path."""
    return (f"POST {probes.work.route} HTTP/1.1\r\n".encode() + HOST
            + b"Content-Type: application/json\r\n")


def _connect(base_url: str, timeout: float) -> socket.socket:
    parts = urlsplit(base_url)
    return socket.create_connection((parts.hostname, parts.port), timeout=timeout)


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0


def _json_error(answer: bytes, status: int) -> dict[str, object]:
    """Assert one JSON error reply with the hardening headers; return its body."""
    head, _, body = answer.partition(b"\r\n\r\n")
    headers = {line.split(b":", 1)[0].strip().lower().decode()
               for line in head.split(b"\r\n")[1:]}
    assert _status(answer) == status, answer[:200]
    assert {name.lower() for name in HARDENING_HEADERS} <= headers, headers
    document: dict[str, object] = json.loads(body)
    assert document["status"] == status and document["message"]
    return document


def _stall(base_url: str, stalled: bytes, answers: list[tuple[float, bytes]]) -> None:
    with _connect(base_url, BODY_READ_TIMEOUT_S + 10) as sock:
        sock.sendall(stalled)
        started = time.monotonic()
        answer = _read_all(sock)
        answers.append((time.monotonic() - started, answer))


def test_stalled_bodies_are_cut_off_while_the_service_answers(
        service_url: str, body_head: bytes, probes: Probes) -> None:
    """Item 1: clients that stall inside a body held every worker thread, without end."""
    answers: list[tuple[float, bytes]] = []
    stalled = body_head + b"Content-Length: 100\r\n\r\n{"
    stalls = [threading.Thread(target=_stall, args=(service_url, stalled, answers))
              for _ in range(16)]
    for thread in stalls:
        thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert call(service_url, "GET", HEALTH_PATH, timeout=5).status == 200
    work = probes.work
    assert call(service_url, work.method, work.path, work.body, dict(work.headers),
                timeout=5).status < 500
    assert time.monotonic() - started < 1.0
    for thread in stalls:
        thread.join()
    assert len(answers) == len(stalls)
    for seconds, answer in answers:
        assert seconds < BODY_READ_TIMEOUT_S + 2
        _json_error(answer, 408)


@pytest.mark.parametrize("body", [
    # 20,000 bytes whose first 16 kB are valid JSON: a body cut at the limit still parses.
    pytest.param(b"4e20\r\n" + b'{"a": 1}' + b" " * 19_992 + b"\r\n0\r\n\r\n", id="over-limit"),
    pytest.param(b"-2\r\nab\r\n0\r\n\r\n", id="negative-size"),
    pytest.param(b"zz\r\nab\r\n0\r\n\r\n", id="hex-garbage"),
    pytest.param(b"10000000000000002\r\nab\r\n0\r\n\r\n", id="over-64-bits"),
    pytest.param(b"2\r\n{}\r\nzz\r\nab\r\n0\r\n\r\n", id="bad-after-good"),
])
def test_chunked_bodies_are_refused_unread(service_url: str, body_head: bytes,
                                           body: bytes) -> None:
    """Items 2 and 3: chunked bodies were cut at the limit or mis-framed, then served as 200."""
    chunked = body_head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    _json_error(raw(service_url, chunked + body, timeout=5), 411)


def test_a_body_cut_short_by_fin_is_not_processed(service_url: str, body_head: bytes) -> None:
    """Item 3: a Content-Length body ended by the client's FIN was echoed as complete."""
    with _connect(service_url, 5) as sock:
        sock.sendall(body_head + b"Content-Length: 40\r\n\r\n{\"a\": 1}")
        sock.shutdown(socket.SHUT_WR)
        _json_error(_read_all(sock), 400)


@pytest.mark.process
def test_a_body_cut_by_a_reset_is_logged_as_refused(
        local_server: RunningServer, body_head: bytes) -> None:
    """Item 3: a body cut by a connection reset was logged as status 200."""
    with _connect(local_server.url, 5) as sock:
        sock.sendall(body_head + b"X-Request-ID: edge-reset-0001\r\nContent-Length: 40\r\n\r\n"
                     b'{"a": 1}')  # valid JSON so far: only the framing says it is cut short
        time.sleep(0.2)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        mine = [json.loads(line) for line in local_server.log.read_text().splitlines()
                if "edge-reset-0001" in line]
        if mine:
            break
        time.sleep(0.1)
    assert [entry["status"] for entry in mine] == [400]


def test_a_gigabyte_streamed_at_full_speed_gets_413_before_the_upload_ends(
        service_url: str, body_head: bytes) -> None:
    """The 413 comes while the client is still sending, and cuts the upload short."""
    total = 1 << 30
    sent = 0
    with _connect(service_url, 10) as sock:
        sock.sendall(body_head + f"Content-Length: {total}\r\n\r\n".encode())
        sock.setblocking(False)
        chunk = b" " * 65536
        answer = b""
        deadline = time.monotonic() + 20
        while b"\r\n\r\n" not in answer and sent < total and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                try:
                    received = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not received:
                    break
                answer += received
            elif writable:
                try:
                    sent += sock.send(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    break
        sock.setblocking(True)
        sock.settimeout(5)
        answer += _read_all(sock)
    assert sent < total // 10, sent  # answered early, not once the gigabyte was in
    _json_error(answer, 413)


# Upgrade requests, as curl --http2 (h2c), a browser's WebSocket and anything else send them.
_UPGRADE = {
    "h2c": b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
           b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n",
    "other": b"Connection: Upgrade\r\nUpgrade: foo/2\r\n",
    "no-connection-header": b"Upgrade: h2c\r\n",
}


@pytest.mark.parametrize("upgrade", _UPGRADE.values(), ids=_UPGRADE.keys())
def test_an_upgrade_request_is_answered_as_http11(service_url: str, upgrade: bytes) -> None:
    """HTTP/1.1 only: the Upgrade header is ignored (RFC 9110 section 7.8 lets a server)."""
    request = b"GET /healthz HTTP/1.1\r\n" + HOST + upgrade + b"\r\n"
    with _connect(service_url, 5) as sock:
        sock.sendall(request)
        answer = sock.recv(65536)
        sock.sendall(request)  # still HTTP/1.1 afterwards: nothing was switched
        again = sock.recv(65536)
    assert (_status(answer), _status(again)) == (200, 200), answer[:200]
    assert b"\r\nupgrade:" not in answer.lower()


def test_a_websocket_handshake_is_refused_with_the_json_error(service_url: str) -> None:
    """No route takes a WebSocket: Werkzeug's router refuses it (WebsocketMismatch, a 400)."""
    request = (b"GET /healthz HTTP/1.1\r\n" + HOST + b"Connection: Upgrade\r\n"
               b"Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               b"Sec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n")
    _json_error(raw(service_url, request, timeout=5), 400)


@pytest.mark.parametrize("target", [b"127.0.0.1:443", b"example.com:443"])
def test_connect_is_refused_with_the_json_error(service_url: str, target: bytes) -> None:
    """No tunnel: CONNECT's authority-form target matches no route."""
    request = b"CONNECT " + target + b" HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"
    answer = raw(service_url, request, timeout=5)
    assert 400 <= _status(answer) < 500, answer[:200]
    _json_error(answer, _status(answer))


def test_curl_http2_gets_200_over_http11(service_url: str) -> None:
    """curl --http2 on http:// asks for h2c; the answer comes over HTTP/1.1."""
    require_tools("curl", install="apt-get install curl")
    result = subprocess.run(  # nosec B603 B607 - an argv list, curl from PATH
        ["curl", "-sS", "--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
         "-H", "Host: 127.0.0.1", "--max-time", "5", f"{service_url}/healthz"],
        capture_output=True, text=True, timeout=10, check=False)
    assert result.stdout == "200 1.1", result.stderr


def test_over_limit_content_length_is_refused_unread(service_url: str, body_head: bytes) -> None:
    """The limit holds before a byte of the body is read, so no body needs sending."""
    _json_error(raw(service_url, body_head + b"Content-Length: 1000000\r\n\r\n", timeout=5),
                413)


def test_an_absolute_form_target_cannot_bypass_the_host_allow_list(
        service_url: str, probes: Probes) -> None:
    """Item 4: RFC 9112 section 3.2.2: the target's host replaces Host."""
    request = (f"GET http://evil.example{probes.work.route} HTTP/1.1\r\n".encode() + HOST
               + b"Connection: close\r\n\r\n")
    _json_error(raw(service_url, request, timeout=5), 400)


@pytest.mark.parametrize("method", [b"get", b"Get", b"post"])
def test_methods_are_case_sensitive(service_url: str, method: bytes) -> None:
    """Item 5: RFC 9110 section 9.1; `get /healthz` was served as GET."""
    request = method + b" /healthz HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"
    _json_error(raw(service_url, request, timeout=5), 501)


@pytest.mark.parametrize("hosts", [b"", HOST + HOST], ids=["none", "two"])
def test_http11_needs_exactly_one_host_even_for_health(service_url: str, hosts: bytes) -> None:
    """Item 6: RFC 9112 section 3.2: a server MUST answer 400; /healthz answered 200."""
    request = b"GET /healthz HTTP/1.1\r\n" + hosts + b"Connection: close\r\n\r\n"
    _json_error(raw(service_url, request, timeout=5), 400)


def test_http10_without_host_is_still_served(service_url: str) -> None:
    """HTTP/1.0 has no Host requirement: the 400 must not catch it."""
    assert _status(raw(service_url, b"GET /healthz HTTP/1.0\r\n\r\n", timeout=5)) == 200


@pytest.mark.process
def test_every_output_line_is_one_json_object(local_server: RunningServer) -> None:
    """Item 8: Granian's own `[INFO] Starting granian` lines shared stdout with the JSON log."""
    lines = local_server.log.read_text(encoding="utf-8").splitlines()
    assert any('"_granian' in line for line in lines)  # the server's own lines are there
    for line in lines:
        assert isinstance(json.loads(line), dict), line
