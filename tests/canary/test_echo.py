"""The echo API on a live deployment: what only this API can check, and nothing that changes it.

The pipeline checks the rest of any live service (pipeline/tests/http, the tests marked `live`).
The POST below is declared live-safe in tests/probes.toml; an undeclared one would be refused.
"""

from __future__ import annotations

import json
import uuid

import pytest

from pipeline.core.httpclient import call

pytestmark = pytest.mark.live


def test_echo_round_trip(service_url: str) -> None:
    body = json.dumps({"canary": True}).encode()
    reply = call(service_url, "POST", "/echo/canary?lang=en-GB", body,
                 {"Content-Type": "application/json"})
    assert reply.status == 200
    assert reply.json()["echo"] == {"item": "canary", "lang": "en-GB", "payload": {"canary": True}}


def test_index_links_that_are_safe_to_follow_answer(service_url: str) -> None:
    links = call(service_url, "GET", "/").json()["_links"]
    safe = {name: link for name, link in links.items()
            if link["method"] in ("GET", "HEAD") and not link.get("templated")}
    assert {"self", "health", "openapi"} <= set(safe)
    for name, link in safe.items():
        assert call(service_url, link["method"], link["href"]).status == 200, name


def test_a_request_id_of_ours_comes_back_from_the_echo(service_url: str) -> None:
    rid = f"canary-{uuid.uuid4().hex}"
    reply = call(service_url, "GET", "/", headers={"X-Request-ID": rid})
    assert reply.headers.get("x-request-id") == rid
