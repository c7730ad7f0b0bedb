"""The server as a process: logs, shutdown and start-up refusals (local `python -m app` only)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.healthcheck import probe
from pipeline.core.paths import ROOT
from pipeline.core.service import RunningServer, free_port, start_server
from pipeline.core.httpclient import call


def test_one_json_line_per_request_with_request_id(local_server: RunningServer) -> None:
    call(local_server.url, "POST", "/echo/logged?token=hunter2",
         headers={"X-Request-ID": "smoke-log-0001"})
    time.sleep(0.2)
    lines = [json.loads(line) for line in local_server.log.read_text().splitlines()
             if line.startswith("{")]
    mine = [entry for entry in lines if entry.get("request_id") == "smoke-log-0001"]
    assert len(mine) == 1
    assert mine[0]["path"] == "/echo/logged"
    assert mine[0]["status"] == 200
    assert "hunter2" not in local_server.log.read_text()


def test_sigterm_drains_in_flight_requests_and_exits_0(tmp_path: Path) -> None:
    server = start_server(tmp_path / "drain.log", {"WEB_CONCURRENCY": "1"})
    statuses: list[int] = []

    def client() -> None:
        for _ in range(20):
            try:
                statuses.append(call(server.url, "POST", "/echo/drain").status)
            except OSError:
                return  # the listener is closed: later requests are refused, never half-served

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    started = time.monotonic()
    code = server.stop()
    for thread in threads:
        thread.join()
    assert code == 0
    assert time.monotonic() - started < 10
    assert statuses and set(statuses) == {200}


def test_production_refuses_an_incomplete_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TRUSTED_HOSTS", "MODE_CONFIG")}
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", "app"], cwd=tmp_path, capture_output=True, text=True, timeout=30,
        env={**env, "PYTHONPATH": str(ROOT)}, check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: TRUSTED_HOSTS must list the host names clients use in Production"
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_env_example_serves_health_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    monkeypatch.delenv("MODE_CONFIG", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    server = start_server(tmp_path / "example.log", {"PYTHONPATH": str(ROOT)}, cwd=tmp_path,
                          defaults={})
    try:
        reply = call(server.url, "GET", "/healthz")
        assert reply.status == 200
        assert "strict-transport-security" in reply.headers
    finally:
        assert server.stop() == 0


def test_container_healthcheck_probe(local_server: RunningServer) -> None:
    assert probe(int(local_server.url.rsplit(":", 1)[1]))
    assert not probe(free_port(), timeout=0.5)
