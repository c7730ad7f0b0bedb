"""Any service over HTTP, held to its own contract and to what the serving stack promises.

Nothing here knows the API: requests come from the served OpenAPI document and tests/probes.toml.
They run against a fresh `python -m serving` (smoke), the image (`docker_smoke`) and, those
marked `live`, a live deployment (`canary`), which they leave as they found it.
"""

from __future__ import annotations

import os
import re
import statistics
import time
import uuid

import pytest
from openapi_spec_validator import validate

from pipeline.core import project
from pipeline.core.contract import Contract, Operation
from pipeline.core.httpclient import Reply, call, raw
from pipeline.core.probes import Probes, Request
from serving.security import HARDENING_HEADERS
from serving.endpoints import HEALTH_PATH

LATENCY_BUDGET_MS = float(os.environ.get("CANARY_LATENCY_BUDGET_MS") or "500")  # blank: the default
LATENCY_SAMPLES = 20
# Path parameter values no API should take, each of which once reached a 404 or a 500 somewhere:
# control characters, line breaks, bytes that are not UTF-8, bidi overrides, dot segments.
HOSTILE_VALUES = ["%00", "%0A", "a%0Ab", "ab%0A", "a%0D%0Ab", "%09", "%7F", "%FF", "%C3%A9",
                  "%E2%80%AE", "..", "%2e%2e", "a%2Fb", "%20", "%25", "x" * 300]


def _send(url: str, probe: Request) -> Reply:
    return call(url, probe.method, probe.path, probe.body, dict(probe.headers))


def _answered_as_documented(contract: Contract, method: str, path: str, reply: Reply) -> None:
    operation = contract.operation(method, path)
    assert operation is not None, f"the contract has no operation for {method} {path}"
    assert operation.succeeds(reply.status), (
        f"{method} {path} answered {reply.status}, which {operation} does not document: "
        f"{reply.body[:200]!r}")


def _hardened(reply: Reply, what: str) -> None:
    for name, value in HARDENING_HEADERS.items():
        assert reply.headers.get(name.lower()) == value, f"{what}: {name}"
    assert re.fullmatch(r"[0-9a-zA-Z._-]{8,128}", reply.headers.get("x-request-id", "")), what


def _json_error(reply: Reply, status: int | None = None) -> None:
    assert reply.headers.get("content-type") == "application/json", reply.headers
    body = reply.json()
    assert set(body) == {"status", "error", "message"}, body
    assert body["status"] == reply.status
    assert status is None or reply.status == status, (reply.status, body)


@pytest.mark.live
def test_health(service_url: str) -> None:
    reply = call(service_url, "GET", HEALTH_PATH)
    assert (reply.status, reply.json()) == (200, {"status": "ok"})


@pytest.mark.live
def test_the_served_contract_is_valid_openapi_31_of_this_service(service_url: str) -> None:
    document = call(service_url, "GET", "/openapi.json").json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert (document["info"]["title"], document["info"]["version"]) == (
        project.name(), project.version())


@pytest.mark.live
def test_every_safe_request_answers_as_documented_and_hardened(
        service_url: str, contract: Contract) -> None:
    sent = 0
    for method, path in contract.safe_requests():
        reply = call(service_url, method, path)
        _answered_as_documented(contract, method, path, reply)
        _hardened(reply, f"{method} {path}")
        assert (reply.body == b"") == (method == "HEAD"), (method, path)
        sent += 1
    assert sent >= 4  # /healthz and /openapi.json at least, each with GET and HEAD


@pytest.mark.live
def test_production_sends_hsts_and_no_server_version(service_url: str) -> None:
    reply = call(service_url, "GET", HEALTH_PATH)
    assert "strict-transport-security" in reply.headers  # every target runs in Production
    assert not re.search(r"\d", reply.headers.get("server", ""))


@pytest.mark.live
def test_a_callers_request_id_comes_back(service_url: str) -> None:
    rid = f"check-{uuid.uuid4().hex}"
    assert call(service_url, "GET", HEALTH_PATH,
                headers={"X-Request-ID": rid}).headers.get("x-request-id") == rid


@pytest.mark.live
def test_declared_live_requests_answer_as_documented(
        service_url: str, contract: Contract, probes: Probes) -> None:
    for probe in probes.live:
        reply = _send(service_url, probe)
        _answered_as_documented(contract, probe.method, probe.path, reply)
        _hardened(reply, str(probe))


@pytest.mark.live
def test_latency_budget(service_url: str) -> None:
    timings = []
    for _ in range(LATENCY_SAMPLES):
        started = time.perf_counter()
        assert call(service_url, "GET", HEALTH_PATH).status == 200
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1]
    assert p95 <= LATENCY_BUDGET_MS, f"p95 {p95:.0f} ms over the {LATENCY_BUDGET_MS:.0f} ms budget"


def test_the_work_request_answers_as_documented(
        service_url: str, contract: Contract, probes: Probes) -> None:
    reply = _send(service_url, probes.work)
    _answered_as_documented(contract, probes.work.method, probes.work.path, reply)
    _hardened(reply, str(probes.work))


def _filled(operation: Operation, name: str, value: str) -> str:
    path = operation.template.replace("{" + name + "}", value)
    return re.sub(r"\{[^{}/]+\}", "x", path)  # any other parameter gets a plain value


def test_hostile_path_parameters_get_a_documented_json_refusal(
        service_url: str, contract: Contract) -> None:
    cases = [(operation, name, value) for operation, name in contract.templated()
             for value in HOSTILE_VALUES]
    for operation, name, value in cases:
        path = _filled(operation, name, value)
        reply = call(service_url, operation.method, path)
        assert operation.succeeds(reply.status) and reply.status >= 400, (
            f"{operation.method} {path} answered {reply.status}, not a refusal {operation} "
            f"documents: {reply.body[:200]!r}")
        _json_error(reply)


def _body_operation(contract: Contract) -> Operation | None:
    return next((op for op in contract.operations if op.takes_body and not op.required), None)


def test_refusals_are_the_json_errors_the_stack_promises(
        service_url: str, contract: Contract) -> None:
    _json_error(call(service_url, "GET", f"/no-such-path-{uuid.uuid4().hex}"), 404)
    not_allowed = call(service_url, "DELETE", HEALTH_PATH)
    _json_error(not_allowed, 405)
    assert set(not_allowed.headers["allow"].split(", ")) == {"GET", "HEAD"}
    _json_error(call(service_url, "GET", "/healthz?" + "q" * 4000), 414)
    _json_error(call(service_url, "GET", HEALTH_PATH, headers={"X-Filler": "f" * 10000}), 431)
    _json_error(call(service_url, "GET", "/openapi.json",
                     headers={"Host": "attacker.example"}), 400)
    body_operation = _body_operation(contract)
    if body_operation is None:
        return
    json_header = {"Content-Type": "application/json"}
    _json_error(call(service_url, body_operation.method, body_operation.template, b"<xml/>",
                     {"Content-Type": "application/xml"}), 415)
    _json_error(call(service_url, body_operation.method, body_operation.template,
                     b'{"a": "' + b"x" * 70_000 + b'"}', json_header), 413)


def test_malformed_http_is_refused_without_5xx(service_url: str, probes: Probes) -> None:
    work = probes.work
    for request in (
        b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        f"{work.method} {work.path} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/json\r\n\r\nzz\r\n".encode(),
        b"BREW /coffee HTTP/1.1\r\n\r\n",
        b"GET /\x00 HTTP/1.1\r\n\r\n",
    ):
        head, _, rest = request.partition(b"\r\n")
        request = head + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + rest
        status_line = raw(service_url, request, timeout=5).split(b"\r\n", 1)[0]
        assert not re.match(rb"HTTP/1\.[01] 5", status_line), (request, status_line)
