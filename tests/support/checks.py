"""The polite, non-destructive checks of a live service, shared by the smoke and canary suites.

Each takes the base URL of the target and asserts; nothing here changes state on the target.
"""

from __future__ import annotations

import json
from typing import Any

from app.security import HARDENING_HEADERS
from pipeline.core.httpclient import Reply, call


def health(url: str) -> Reply:
    """GET /healthz answers 200 {"status": "ok"}."""
    reply = call(url, "GET", "/healthz")
    assert reply.status == 200
    assert reply.json() == {"status": "ok"}
    return reply


def index_links(url: str) -> None:
    """Every non-templated link the index advertises answers 200."""
    reply = call(url, "GET", "/")
    assert reply.status == 200
    for name, link in reply.json()["_links"].items():
        if not link.get("templated"):
            assert call(url, link["method"], link["href"]).status == 200, name


def echo_round_trip(url: str, item: str, lang: str, payload: dict[str, Any]) -> None:
    """POST /echo/ITEM?lang=LANG with a JSON body comes back echoed field for field."""
    body = json.dumps(payload).encode()
    reply = call(url, "POST", f"/echo/{item}?lang={lang}", body,
                 {"Content-Type": "application/json"})
    assert reply.status == 200
    assert reply.json()["echo"] == {"item": item, "lang": lang, "payload": payload}


def hardening_headers(url: str) -> Reply:
    """Every hardening header with its exact value, plus HSTS (targets run in Production)."""
    reply = call(url, "GET", "/healthz")
    for name, value in HARDENING_HEADERS.items():
        assert reply.headers.get(name.lower()) == value, name
    assert "strict-transport-security" in reply.headers
    return reply


def request_id_round_trip(url: str, request_id: str) -> None:
    """A caller's X-Request-ID comes back unchanged."""
    reply = call(url, "GET", "/healthz", headers={"X-Request-ID": request_id})
    assert reply.headers.get("x-request-id") == request_id
