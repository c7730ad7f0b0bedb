"""The pipeline's own helpers: parsing, masking, policy and reporting."""

from __future__ import annotations

import pytest

from pipeline.bench import servers

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8097/echo/hello?lang=en-GB
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.62ms    2.01ms  41.20ms   91.20%
  Latency Distribution
     50%    3.20ms
     75%    4.01ms
     90%    5.02ms
     99%  950.00us
  50000 requests in 5.00s, 20.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  10000.50
Transfer/sec:      4.00MB
"""


def test_wrk_output_is_parsed_with_units_and_errors() -> None:
    assert servers.parse_wrk(WRK_OUTPUT) == {
        "requests_per_s": 10000.5, "p50_ms": 3.2, "p99_ms": pytest.approx(0.95), "errors": 7}
