"""The server as a process: logs, shutdown and start-up refusals (a local `python -m serving`).

Every test here needs the process itself, so `docker_smoke` leaves them out (marker `process`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.core.httpclient import call
from pipeline.core.paths import ROOT
from pipeline.core.probes import Probes
from pipeline.core.service import RunningServer, free_port, start_server
from serving.healthcheck import probe
from serving.endpoints import HEALTH_PATH

pytestmark = pytest.mark.process


def test_one_json_line_per_request_with_request_id(local_server: RunningServer,
                                                   probes: Probes) -> None:
    work = probes.work
    separator = "&" if "?" in work.path else "?"
    reply = call(local_server.url, work.method, f"{work.path}{separator}token=hunter2",
                 work.body, {**work.headers, "X-Request-ID": "smoke-log-0001"})
    time.sleep(0.2)
    lines = [json.loads(line) for line in local_server.log.read_text().splitlines()
             if line.startswith("{")]
    mine = [entry for entry in lines if entry.get("request_id") == "smoke-log-0001"]
    assert len(mine) == 1
    assert (mine[0]["method"], mine[0]["path"]) == (work.method, work.route)
    assert mine[0]["status"] == reply.status
    assert "hunter2" not in local_server.log.read_text()


def _logged_client(server: RunningServer, forwarded_for: str, rid: str) -> str:
    """Send from 127.0.0.2 with this X-Forwarded-For; the client its access line names."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), 5, ("127.0.0.2", 0)) as sock:
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: {rid}\r\n"
                     f"X-Forwarded-For: {forwarded_for}\r\nConnection: close\r\n\r\n".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        for line in server.log.read_text(encoding="utf-8").splitlines():
            if rid in line:
                return str(json.loads(line)["client"])
        time.sleep(0.05)
    raise AssertionError(f"no access line for {rid}")


def test_the_access_line_names_the_peer_whatever_x_forwarded_for_says(
        local_server: RunningServer) -> None:
    """No trusted proxy (the default): any client can write X-Forwarded-For."""
    assert _logged_client(local_server, "203.0.113.9", "xff-spoofed-0001") == "127.0.0.2"


def test_through_one_trusted_proxy_the_access_line_names_its_client(tmp_path: Path) -> None:
    """Cloud Foundry's router appends the address it saw: the rightmost entry, never the left."""
    server = start_server(tmp_path / "proxied.log", {"TRUSTED_PROXY_COUNT": "1"})
    try:
        assert _logged_client(server, "203.0.113.9, 198.51.100.7", "xff-proxied-0001") == (
            "198.51.100.7")
        assert _logged_client(server, "", "xff-proxied-0002") == "127.0.0.2"
    finally:
        assert server.stop() == 0


def test_a_busy_port_ends_the_server_in_one_line(tmp_path: Path) -> None:
    """Granian would share a port with another Granian (SO_REUSEPORT) or print a backtrace."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = _serving(tmp_path, {"PORT": str(port)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"cannot listen on 127.0.0.1:{port}: Address already in use; free it or set HOST and PORT"]
    assert "Traceback" not in result.stdout + result.stderr


def test_a_port_another_granian_serves_is_busy_too(local_server: RunningServer,
                                                   tmp_path: Path) -> None:
    """Without the check, the second server would start and take half the first one's clients."""
    port = local_server.url.rsplit(":", 1)[1]
    result = _serving(tmp_path, {"PORT": port})
    assert (result.returncode, result.stderr.count("\n")) == (2, 1), result.stderr[-500:]
    assert "Address already in use" in result.stderr


def test_a_missing_api_package_ends_the_server_in_one_line(tmp_path: Path) -> None:
    """A service whose app/ is gone (or fails to import) says so, without a traceback."""
    shutil.copytree(ROOT / "serving", tmp_path / "serving")
    result = _serving(tmp_path, {"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["cannot load the API: No module named 'app'"]
    assert "Traceback" not in result.stdout + result.stderr


def _serving(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m serving` in Production on loopback, to its exit."""
    return subprocess.run(  # nosec B603
        [sys.executable, "-m", "serving"], cwd=cwd, capture_output=True, text=True, timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MODE_CONFIG": "Production",
             "TRUSTED_HOSTS": "127.0.0.1", "HOST": "127.0.0.1", "PORT": str(free_port()), **env},
        check=False,
    )


def test_sigterm_drains_in_flight_requests_and_exits_0(tmp_path: Path, probes: Probes) -> None:
    server = start_server(tmp_path / "drain.log", {"WEB_CONCURRENCY": "1"})
    statuses: list[int] = []
    answered: list[str] = []
    work = probes.work

    def client(number: int) -> None:
        for request in range(20):
            rid = f"drain-{number:02d}-{request:04d}"
            try:
                statuses.append(call(server.url, work.method, work.path, work.body,
                                     {**work.headers, "X-Request-ID": rid}).status)
            except OSError:
                return  # the listener is closed: later requests are refused, never half-served
            answered.append(rid)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    started = time.monotonic()
    code = server.stop()
    for thread in threads:
        thread.join()
    assert code == 0
    assert time.monotonic() - started < 10
    assert statuses, "no request was answered before the stop"
    assert len(set(statuses)) == 1 and statuses[0] < 500  # each answered in full, alike
    # The access lines wait in a batch (serving/access_log.py): the stop must write them all.
    lines = server.log.read_text(encoding="utf-8").splitlines()
    logged = {json.loads(line).get("request_id") for line in lines}
    assert sorted(set(answered) - logged) == []


def test_production_refuses_an_incomplete_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TRUSTED_HOSTS", "MODE_CONFIG")}
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", "serving"], cwd=tmp_path, capture_output=True, text=True, timeout=30,
        env={**env, "PYTHONPATH": str(ROOT)}, check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: TRUSTED_HOSTS: must list the host names clients use in Production"
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
        reply = call(server.url, "GET", HEALTH_PATH)
        assert reply.status == 200
        assert "strict-transport-security" in reply.headers
    finally:
        assert server.stop() == 0


def test_container_healthcheck_probe(local_server: RunningServer) -> None:
    assert probe(int(local_server.url.rsplit(":", 1)[1]))
    assert not probe(free_port(), timeout=0.5)


@pytest.mark.parametrize("stage", ["fuzz", "load"])
def test_a_stage_whose_server_cannot_start_says_so_in_one_line(stage: str) -> None:
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", f"pipeline.dynamic.{stage}"], cwd=ROOT, capture_output=True,
        text=True, timeout=60, env={**os.environ, "WEB_CONCURRENCY": "many"}, check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(f"{stage}: the server did not start: server exited with 2")
    assert "its output: " in message
