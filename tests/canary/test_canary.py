"""Non-destructive checks of a live deployment: the smoke suite's polite checks, plus latency.

The checks themselves are tests/support/checks.py, shared with tests/smoke/test_http.py; only
the latency budget is the canary's own.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid

from pipeline.core.httpclient import call
from tests.support import checks

LATENCY_BUDGET_MS = float(os.environ.get("CANARY_LATENCY_BUDGET_MS", "500"))
SAMPLES = 20


def test_health(canary_url: str) -> None:
    checks.health(canary_url)


def test_index_links_all_answer(canary_url: str) -> None:
    checks.index_links(canary_url)


def test_echo_round_trip(canary_url: str) -> None:
    checks.echo_round_trip(canary_url, f"canary-{uuid.uuid4().hex[:12]}", "en-GB",
                           {"canary": True})


def test_hardening_headers(canary_url: str) -> None:
    checks.hardening_headers(canary_url)


def test_request_id_round_trip(canary_url: str) -> None:
    checks.request_id_round_trip(canary_url, f"canary-{uuid.uuid4().hex}")


def test_latency_budget(canary_url: str) -> None:
    timings = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        assert call(canary_url, "GET", "/healthz").status == 200
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1]
    assert p95 <= LATENCY_BUDGET_MS, f"p95 {p95:.0f} ms over the {LATENCY_BUDGET_MS:.0f} ms budget"
