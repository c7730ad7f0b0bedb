"""Smoke tests over real HTTP: they run against any target, local process or container.

The polite checks live in tests/support/checks.py, which the canary runs against a deployment.
"""

from __future__ import annotations

import re

import pytest

from pipeline.core.httpclient import Reply, call, raw
from tests.support import checks

HOSTILE_PATHS = [
    "/%00", "/echo/%ff", "/echo/..%2f..%2fetc%2fpasswd", "/%zz", "/echo/a%0d%0aSet-Cookie:x=1",
    "/echo?lang=%ff%fe", "/echo?lang=en%00", "/echo/%E2%80%AE", "/echo?" + "&".join(["a=1"] * 300),
    "/echo/" + "%41" * 40, "//healthz", "/healthz/", "/echo/x?lang=" + "a" * 40,
]


def _is_json_error(reply: Reply, status: int) -> bool:
    body = reply.json()
    return reply.status == status and body["status"] == status and "message" in body


def test_health(base_url: str) -> None:
    checks.health(base_url)


def test_index_links_resolve(base_url: str) -> None:
    checks.index_links(base_url)


def test_echo_round_trip(base_url: str) -> None:
    checks.echo_round_trip(base_url, "smoke", "pt-BR", {"n": 1})


def test_hardening_headers_and_no_versions(base_url: str) -> None:
    reply = checks.hardening_headers(base_url)
    assert not re.search(r"\d", reply.headers.get("server", ""))


def test_request_id_is_echoed(base_url: str) -> None:
    checks.request_id_round_trip(base_url, "smoke-test-0001")


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_never_reach_5xx(base_url: str, path: str) -> None:
    reply = call(base_url, "POST", path)
    assert reply.status < 500
    assert reply.headers["content-type"] == "application/json"
    reply.json()


@pytest.mark.parametrize(("method", "path", "status", "body", "headers"), [
    ("GET", "/echo", 405, None, {}),
    ("GET", "/nowhere", 404, None, {}),
    ("POST", "/echo", 415, b"<xml/>", {"Content-Type": "application/xml"}),
    ("POST", "/echo", 400, b"{not json", {"Content-Type": "application/json"}),
    ("POST", "/echo", 413, b'{"a": "' + b"x" * 70000 + b'"}', {"Content-Type": "application/json"}),
    ("GET", "/?" + "q" * 4000, 414, None, {}),
    ("GET", "/", 431, None, {"X-Filler": "f" * 10000}),
    ("GET", "/", 400, None, {"Host": "attacker.example"}),
])
def test_refusals_are_json(base_url: str, method: str, path: str, status: int,
                           body: bytes | None, headers: dict[str, str]) -> None:
    reply = call(base_url, method, path, body, headers)
    assert _is_json_error(reply, status)
    if status == 405:
        assert reply.headers["allow"] == "POST"


def test_malformed_http_is_refused_without_5xx(base_url: str) -> None:
    for request in (
        b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\n\r\nzz\r\n",
        b"BREW /coffee HTTP/1.1\r\n\r\n",
        b"GET /\x00 HTTP/1.1\r\n\r\n",
    ):
        head, _, rest = request.partition(b"\r\n")
        request = head + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + rest
        answer = raw(base_url, request, timeout=5)
        status_line = answer.split(b"\r\n", 1)[0]
        assert not re.match(rb"HTTP/1\.[01] 5", status_line), (request, status_line)
