"""The production server is configured from settings, and bad settings stop it cleanly."""

from __future__ import annotations

import gc
import importlib
import sys
from pathlib import Path

import pytest

from pipeline.core.service import free_port
from serving import server
from serving.config import load_settings
from serving.edge import Edge


def test_settings_reach_granian() -> None:
    settings = load_settings({
        "MODE_CONFIG": "Production", "TRUSTED_HOSTS": "a.example", "HOST": "0.0.0.0",
        "PORT": "9090", "WEB_CONCURRENCY": "3", "GRACEFUL_TIMEOUT": "5",
    })
    built = server.build_server(settings)
    assert (built.bind_addr, built.bind_port) == ("0.0.0.0", 9090)
    assert built.workers == 3
    assert built.workers_kill_timeout == 5
    # RSGI, so the edge can await the body under a deadline (serving/edge.py), not a thread.
    assert (built.interface.value, built.target) == ("rsgi", "serving.rsgi:app")
    assert built.log_access is False
    assert built.http1_settings is not None
    assert built.http1_settings.header_read_timeout == server.HEADER_READ_TIMEOUT_MS


def test_granian_logs_json_to_stdout() -> None:
    built = server.build_server(load_settings({"MODE_CONFIG": "Testing"}))
    assert built.log_config is not None
    assert built.log_config["handlers"]["json"]["stream"] == "ext://sys.stdout"
    for name in ("_granian", "granian.access"):
        assert built.log_config["loggers"][name]["handlers"] == ["json"]
    assert built.log_config["formatters"]["json"]["()"] == "serving.access_log.JsonFormatter"


def test_bad_configuration_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODE_CONFIG", "Production")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    assert server.main() == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "TRUSTED_HOSTS" in err
    assert "Traceback" not in err


def test_granian_serves_the_flask_app_behind_the_edge(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODE_CONFIG", "Testing")
    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    served = importlib.reload(importlib.import_module("serving.rsgi"))
    assert isinstance(served.app, Edge)
    assert served.flask_app.config["MAX_CONTENT_LENGTH"] == 1000


def test_the_app_is_built_before_granian_forks_its_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODE_CONFIG", "Testing")
    monkeypatch.delitem(sys.modules, "serving.rsgi", raising=False)
    seen: list[bool] = []

    class Fake:  # pylint: disable=too-few-public-methods  # Granian's server, serve() only
        """Record what is imported and frozen when serving starts."""

        def serve(self) -> None:
            """Granian would fork its workers here."""
            seen.append("serving.rsgi" in sys.modules and gc.get_freeze_count() > 0)

    monkeypatch.setenv("PORT", str(free_port()))  # free, as main() checks before serving
    monkeypatch.setattr(server, "build_server", lambda *_args: Fake())
    try:
        assert server.main() == 0
    finally:
        gc.unfreeze()
    assert seen == [True]
