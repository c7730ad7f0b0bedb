"""What `nox -s fuzz` reports of writes, and what .ci/run asserts of the cf double's record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.core.probes import Credential
from pipeline.dynamic import fuzz
from pipeline.tests.fakes import record


def test_writes_answered_2xx_are_counted_by_route(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    lines = [{"method": "POST", "path": "/items", "status": 201},
             {"method": "POST", "path": "/items", "status": 401},
             {"method": "GET", "path": "/items", "status": 200},
             {"method": "DELETE", "path": "/items/3", "status": 204}]
    log.write_text("\n".join([*map(json.dumps, lines), "not json", "[]"]), encoding="utf-8")
    assert fuzz.writes_answered(log) == {"POST /items": 1, "DELETE /items/3": 1}


def test_the_credential_reaches_schemathesis_by_name_only(tmp_path: Path) -> None:
    credential = Credential("X-API-Key", "SHOP_KEY")
    written = fuzz.configuration(credential, tmp_path).read_text(encoding="utf-8")
    assert written.startswith('headers = { "X-API-Key" = "${SHOP_KEY}" }\n')
    assert written.endswith(fuzz.CONFIG.read_text(encoding="utf-8"))
    assert fuzz.configuration(None, tmp_path) == fuzz.CONFIG


def calls(tmp_path: Path, *argvs: list[str]) -> Path:
    """A cf double call log holding these argvs."""
    log = tmp_path / "cf.jsonl"
    log.write_text("".join(json.dumps({"argv": argv}) + "\n" for argv in argvs), encoding="utf-8")
    return log


def test_the_record_check_passes_a_service_kept_from_a_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_KEY", "s3cret-value-1234")
    log = calls(tmp_path, ["auth"], ["update-user-provided-service", "a-settings", "-p", "/t/f"])
    passed, line = record.verdict(log, "SHOP_KEY")
    assert passed and "cf update-user-provided-service a-settings -p FILE" in line


@pytest.mark.parametrize(("argvs", "says"), [
    ([["auth"], ["push"]], "no cf create- or update-user-provided-service was recorded"),
    ([["create-user-provided-service", "a", "-p", '{"K": "s3cret-value-1234"}']],
     "a recorded cf argv holds the value of SHOP_KEY"),
])
def test_the_record_check_fails_a_missing_call_or_a_secret_in_argv(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argvs: list[list[str]],
        says: str) -> None:
    monkeypatch.setenv("SHOP_KEY", "s3cret-value-1234")
    assert record.verdict(calls(tmp_path, *argvs), "SHOP_KEY") == (False, says)
