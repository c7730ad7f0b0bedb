"""The Cloud Foundry files agree with each other and with the pins."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml

from pipeline.core.paths import ROOT
from serving.endpoints import HEALTH_PATH


def _manifest_app() -> dict[str, Any]:
    app: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())["applications"][0]
    return app


def test_manifest_fits_the_quota_and_keeps_two_instances() -> None:
    app = _manifest_app()
    assert app["memory"] == "128M"
    assert app["disk_quota"] == "256M"
    assert app["instances"] >= 2


def test_manifest_health_check_and_start_command() -> None:
    app = _manifest_app()
    assert (app["health-check-type"], app["health-check-http-endpoint"]) == ("http", HEALTH_PATH)
    assert app["command"] == "exec python -m serving"
    assert app["env"]["MODE_CONFIG"] == "Production"
    assert app["env"]["HOST"] == "0.0.0.0"


def test_every_manifest_variable_has_an_example_value() -> None:
    used = set(re.findall(r"\(\(([A-Za-z0-9_.-]+)\)\)", (ROOT / "manifest.yml").read_text()))
    example = yaml.safe_load((ROOT / "deploy" / "vars.example.yml").read_text())
    assert used and used == set(example)


def test_runtime_is_the_runtime_python() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = (ROOT / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)\.x", runtime)
    assert match, runtime
    assert match.group(1) == pyproject["tool"]["pipeline"]["runtime-python"]


def test_buildpack_requirements_are_the_hashed_runtime_lock() -> None:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pins = [line for line in lines if re.match(r"^[a-z0-9-]+==", line)]
    assert {pin.split("==")[0] for pin in pins} >= {"flask", "granian", "python-dotenv"}
    assert all(line.endswith("\\") for line in pins)  # every pin continues with its hashes
    assert sum("--hash=sha256:" in line for line in lines) >= len(pins)


def test_the_deploy_job_gives_cf_both_registry_credentials() -> None:
    """cf push uses CF_DOCKER_PASSWORD only with a docker username (cli push_command.go)."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    env = workflow["jobs"]["deploy"]["env"]
    assert env["CF_DOCKER_USERNAME"] == "${{ secrets.CF_DOCKER_USERNAME }}"
    assert env["CF_DOCKER_PASSWORD"] == "${{ secrets.CF_DOCKER_PASSWORD }}"
