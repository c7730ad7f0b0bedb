"""Non-destructive checks of a live deployment: links, echo, health, headers and latency."""

from __future__ import annotations

import os
import statistics
import time
import uuid

from app.security import HARDENING_HEADERS
from pipeline.core.httpclient import call

LATENCY_BUDGET_MS = float(os.environ.get("CANARY_LATENCY_BUDGET_MS", "500"))
SAMPLES = 20


def test_health(canary_url: str) -> None:
    reply = call(canary_url, "GET", "/healthz")
    assert reply.status == 200
    assert reply.json() == {"status": "ok"}


def test_index_links_all_answer(canary_url: str) -> None:
    reply = call(canary_url, "GET", "/")
    assert reply.status == 200
    for name, link in reply.json()["_links"].items():
        if not link.get("templated"):
            assert call(canary_url, link["method"], link["href"]).status == 200, name


def test_echo_round_trip(canary_url: str) -> None:
    item = f"canary-{uuid.uuid4().hex[:12]}"
    reply = call(canary_url, "POST", f"/echo/{item}?lang=en-GB", b'{"canary": true}',
                 {"Content-Type": "application/json"})
    assert reply.status == 200
    assert reply.json()["echo"] == {"item": item, "lang": "en-GB", "payload": {"canary": True}}


def test_hardening_headers(canary_url: str) -> None:
    reply = call(canary_url, "GET", "/healthz")
    for name, value in HARDENING_HEADERS.items():
        assert reply.headers.get(name.lower()) == value, name
    assert "strict-transport-security" in reply.headers


def test_request_id_round_trip(canary_url: str) -> None:
    request_id = f"canary-{uuid.uuid4().hex}"
    reply = call(canary_url, "GET", "/healthz", headers={"X-Request-ID": request_id})
    assert reply.headers.get("x-request-id") == request_id


def test_latency_budget(canary_url: str) -> None:
    timings = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        assert call(canary_url, "GET", "/healthz").status == 200
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1]
    assert p95 <= LATENCY_BUDGET_MS, f"p95 {p95:.0f} ms over the {LATENCY_BUDGET_MS:.0f} ms budget"
