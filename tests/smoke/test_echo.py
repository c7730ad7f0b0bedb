"""The echo API over real HTTP, on any target: a fresh `python -m serving` or the image.

What holds for every API (the contract, headers, refusals, the edge) is the pipeline's to check:
pipeline/tests/http/. These are the echo example's own; replace them with your API's.
"""

from __future__ import annotations

import json

import pytest

from pipeline.core.httpclient import call

JSON = {"Content-Type": "application/json"}


def test_echo_round_trip(service_url: str) -> None:
    reply = call(service_url, "POST", "/echo/smoke?lang=pt-BR", json.dumps({"n": 1}).encode(),
                 JSON)
    assert reply.status == 200
    assert reply.json()["echo"] == {"item": "smoke", "lang": "pt-BR", "payload": {"n": 1}}


def test_index_links_resolve(service_url: str) -> None:
    links = call(service_url, "GET", "/").json()["_links"]
    for name, link in links.items():
        if not link.get("templated"):
            assert call(service_url, link["method"], link["href"]).status == 200, name


@pytest.mark.parametrize(("method", "path", "status", "body"), [
    ("GET", "/echo", 405, None),
    ("POST", "/echo", 400, b"{not json"),
    ("POST", "/echo?lang=en_GB", 400, None),
    ("POST", "/echo/..", 400, None),
    ("POST", "/echo", 400, b'{"nested": {"a": 1}}'),
])
def test_echo_refusals_are_json(service_url: str, method: str, path: str, status: int,
                                body: bytes | None) -> None:
    reply = call(service_url, method, path, body, JSON if body else {})
    assert reply.status == status
    assert reply.json()["status"] == status
    if status == 405:
        assert reply.headers["allow"] == "POST"
