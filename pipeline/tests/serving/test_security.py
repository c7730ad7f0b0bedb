"""Hardening headers, request ids and what the access log records."""

from __future__ import annotations

from collections.abc import Callable
import json

import flask
import pytest
from flask import Flask
from flask.testing import FlaskClient

from serving.security import HARDENING_HEADERS, HSTS
from serving.endpoints import HEALTH_PATH


@pytest.mark.parametrize("path", ["/things", HEALTH_PATH, "/nowhere", "/openapi.json"])
def test_every_response_is_hardened(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    for name, value in HARDENING_HEADERS.items():
        assert response.headers[name] == value
    assert "Server" not in response.headers
    assert "Strict-Transport-Security" not in response.headers


def test_production_adds_hsts(make_app: Callable[..., Flask]) -> None:
    client = make_app(MODE_CONFIG="Production", TRUSTED_HOSTS="localhost").test_client()
    assert client.get(HEALTH_PATH).headers["Strict-Transport-Security"] == HSTS


def test_well_formed_request_id_is_kept(client: FlaskClient) -> None:
    response = client.get(HEALTH_PATH, headers={"X-Request-ID": "abc-123.DEF_456"})
    assert response.headers["X-Request-ID"] == "abc-123.DEF_456"


@pytest.mark.parametrize(
    "bad", ["short", "has space here", "x" * 200, "inject\u2028this", "../../etc"]
)
def test_malformed_request_id_is_replaced(client: FlaskClient, bad: str) -> None:
    response = client.get(HEALTH_PATH, headers={"X-Request-ID": bad})
    replaced = response.headers["X-Request-ID"]
    assert replaced != bad
    assert len(replaced) == 32 and replaced.isalnum()


def test_one_json_log_line_per_request(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.get("/things/known?q=en&token=s3cr3t", headers={"X-Request-ID": "req-0000001"})
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["method"] == "GET"
    assert entry["path"] == "/things/known"
    assert entry["status"] == 200
    assert entry["request_id"] == "req-0000001"
    assert entry["duration_ms"] >= 0
    assert "s3cr3t" not in lines[0]


def test_refused_requests_are_logged_too(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.get("/things", headers={"X-Filler": "a" * 9000})
    entry = json.loads(capsys.readouterr().out)
    assert entry["status"] == 431


@pytest.mark.parametrize(("proxies", "forwarded", "client"), [
    (0, "203.0.113.9", "192.0.2.1"),  # no trusted proxy: the header is the client's to write
    (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # the rightmost, never the leftmost
    (2, "203.0.113.9, 198.51.100.7, 10.0.0.3", "198.51.100.7"),  # past N - 1 entries
    (2, "198.51.100.7", "192.0.2.1"),  # fewer entries than proxies: the peer
    (1, None, "192.0.2.1"),
])
def test_the_client_address_walks_x_forwarded_for_from_the_right(
        make_app: Callable[..., Flask], proxies: int, forwarded: str | None, client: str) -> None:
    app = make_app(TRUSTED_PROXY_COUNT=str(proxies))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    # The stack rewrites REMOTE_ADDR before the app runs, so Flask's request sees it too.
    seen: list[str] = []

    @app.before_request
    def record() -> None:
        seen.append(flask.request.remote_addr or "")

    app.test_client().get("/healthz", headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert seen == [client]
