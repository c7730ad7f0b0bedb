"""The server benchmark: wrk parsing, round summaries, the targets, the same-work check."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.bench import image, nox_runs, servers, suite
from pipeline.core import cmd, probes
from pipeline.core.service import RunningServer, ServerNotReady, start_server

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


def test_wrk_output_without_a_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="Requests/sec"):
        servers.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def _round(rps: float, p99: float = 2.0, errors: int = 0) -> dict[str, float]:
    return {"requests_per_s": rps, "p50_ms": 1.0, "p99_ms": p99, "errors": errors}


def _contender(key: str, same_work: bool = False) -> servers.Contender:
    return servers.Contender(key, f"{key} server", f"{key} work", ("true",), same_work)


def test_a_summary_reports_the_median_round_and_every_error() -> None:
    row = servers.summarise(_contender("x"), [_round(300, 9.0), _round(100, 1.0, 2),
                                              _round(200, 5.0, 1)])
    assert (row["requests_per_s"], row["p99_ms"], row["errors"]) == (200, 5.0, 3)
    assert row["rounds_rps"] == [300, 100, 200]
    assert row["p99_max_ms"] == 9.0


def _row(key: str, rps: float, same_work: bool = False, **extra: Any) -> dict[str, Any]:
    return {**servers.summarise(_contender(key, same_work), [_round(rps)]), **extra}


def test_targets_compare_with_the_strongest_same_work_peer_and_bare_flask() -> None:
    rows = [_row(servers.SERVICE, 11_000, True), _row("slow-peer", 6_000, True),
            _row("strong-peer", 10_000, True), _row(servers.FLASK_SAME_SERVER, 12_900),
            _row("bare-and-faster", 20_000)]
    checks = {name: (value, met) for name, value, met in suite.server_targets(rows)}
    assert checks["service >= 1.1x the strongest same-work peer (strong-peer server)"] == (
        "1.10x", True)
    assert checks["service >= 0.85x a bare Flask route on the same server"] == ("0.85x", True)
    assert checks["service p99 <= 10 ms"] == ("2.00 ms", True)
    assert checks["zero errors (every server)"] == ("0", True)


def test_targets_are_missed_by_a_slow_service_or_any_error() -> None:
    rows = [_row(servers.SERVICE, 10_900, True, p99_ms=12.0),
            _row("strong-peer", 10_000, True, errors=1), _row(servers.FLASK_SAME_SERVER, 12_900)]
    assert [met for _, _, met in suite.server_targets(rows)] == [False, False, False, False]
    assert not suite.server_targets([_row("strong-peer", 10_000, True)])


def test_contenders_are_the_service_the_declared_peers_and_the_generic_rows() -> None:
    declared = probes.load()
    chosen = servers.contenders(declared)
    keys = [c.key for c in chosen]
    assert keys[0] == servers.SERVICE and len(set(keys)) == len(keys)
    assert {peer.key for peer in declared.peers} | {servers.FLASK_SAME_SERVER, "raw-wsgi",
                                                    "flask-dev"} == set(keys[1:])
    assert all(c.does for c in chosen)
    assert not any("{python}" in arg for c in chosen for arg in c.argv)


def test_the_wrk_script_sends_the_work_request_byte_for_byte(tmp_path: Path) -> None:
    request = probes.Request("PUT", "/x", {"Content-Type": "application/json"},
                             '{"q": "a\\b\n\"c\"", "\u00e9": 1}\x00'.encode())
    script = servers.wrk_script(request, tmp_path).read_text()
    assert 'wrk.method = "PUT"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    body = script.split("wrk.body = ", 1)[1].strip()
    decoded = re.sub(r"\\(\d+)", lambda m: chr(int(m[1])), body[1:-1])
    assert decoded.encode("latin-1") == request.body  # UTF-8 bytes, one escape per byte


def test_the_service_does_its_own_work_and_a_bare_route_does_not(
        tmp_path: Path, local_server: RunningServer) -> None:
    # The session's `python -m serving` is the service the bench starts: no second one.
    work = servers.Work.declared(tmp_path)
    body = tmp_path / "service-body.json"
    reference = work.send(local_server.url)
    body.write_bytes(reference.body)
    bare = start_server(tmp_path / "bare.log", {servers.BODY_FILE: str(body)}, argv=(
        sys.executable, "-m", "pipeline.bench.apps.same_server",
        "pipeline.bench.apps.flask_bare:app"), ready=work.probe())
    try:
        assert servers.same_work_gaps(local_server, work, reference) == []
        gaps = servers.same_work_gaps(bare, work, reference)
        assert work.send(bare.url).json() == reference.json()  # the same body, no work
    finally:
        bare.stop()
    assert "header X-Content-Type-Options" in gaps
    assert "echoed X-Request-ID" in gaps
    assert "a JSON access line on stdout" in gaps
    assert not any(gap.startswith("the service's answer") for gap in gaps)


def test_the_pipeline_table_shows_the_tree_before_beside_this_one() -> None:
    pipe = {"cold_s": 60.0, "cold_cpu_s": 70.0, "warm_s": 28.0, "warm_cpu_s": 50.0,
            "warm_rounds": [27.5, 28.5], "tools_s": 80.0, "tools_cpu_s": 48.0, "cores": 2.0,
            "reference": "ae4440e", "ref_cold_s": 62.0, "ref_cold_cpu_s": 76.0,
            "ref_warm_s": 47.0, "ref_warm_cpu_s": 62.0, "ref_warm_rounds": [46.0, 48.0]}
    report = suite.render({"pipeline": pipe})
    assert "| before (ae4440e): warm (median of 46.0 / 48.0 s) | 47.0 | 62.0 |" in report
    assert "| warm plain nox <= 30 s | 28.0 s | yes |" in report


def test_the_image_section_without_docker_build_stops_before_measuring(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(image, "WHEELS_DIR", tmp_path / "build" / "wheels")
    monkeypatch.setattr(image, "SBOM_FILE", tmp_path / "build" / "sbom.cdx.json")
    monkeypatch.setattr(servers, "measure", lambda *_, **__: pytest.fail("measured first"))
    assert suite.main([]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "bench: the image section needs build/wheels and build/sbom.cdx.json: run "
        "`nox -s docker_build` first, or leave it out with `-- --only servers,pipeline`"]


def test_a_failing_section_is_one_line_and_keeps_the_figures_before_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(suite, "PARTIAL_OUT", tmp_path)
    monkeypatch.setattr(nox_runs, "measure", lambda *_: {"cold_s": 60.0})
    failed = cmd.Result(cmd.Command(("docker", "build", ".")), 1, "", "ERROR: no base image\n")

    def fail(*_: object) -> None:
        raise cmd.CommandFailed(failed)

    monkeypatch.setattr(image, "missing_inputs", list)
    monkeypatch.setattr(image, "measure", fail)
    assert suite.main(["--only", "pipeline,image"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "bench: the image section failed: `docker build` exited 1: ERROR: no base image"]
    assert json.loads((tmp_path / "results.json").read_text()) == {"pipeline": {"cold_s": 60.0}}


def test_a_contender_that_never_answers_is_one_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(suite, "PARTIAL_OUT", tmp_path)

    def never_ready(*_: object, **__: object) -> None:
        raise ServerNotReady("http://127.0.0.1:1/ did not answer 200 within 20 s")

    monkeypatch.setattr(servers, "measure", never_ready)
    assert suite.main(["--only", "servers"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "bench: the servers section failed: http://127.0.0.1:1/ did not answer 200 within 20 s"]
