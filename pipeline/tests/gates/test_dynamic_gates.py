"""The dynamic gates bite: fuzzing finds a planted crash, the secrets gate a planted key, the
canary refuses a planted check that would change a live deployment."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.service import free_port, serve
from pipeline.tests.support.tree import Tree, failed

# An AWS-shaped access key id, built so this file itself holds no literal one.
FAKE_KEY_ID = "AKIA" + "Q3EGRZ7PLANTED01"


def test_fuzzing_finds_a_crash_on_input_the_contract_allows(tree: Tree) -> None:
    # Every operation documents an X-Request-ID header of any string, so the planted crash is
    # on input the contract allows, whatever the API.
    tree.plant("serving/security.py", '''

_original_check = check


def check(environ: dict[str, Any], limits: Limits) -> None:  # noqa: F811
    """Planted: crash on request ids longer than 8 characters, which the contract allows."""
    if len(environ.get("HTTP_X_REQUEST_ID", "")) > 8:
        raise RuntimeError("planted")
    _original_check(environ, limits)
''')
    output = failed(tree.nox("-s", "fuzz", "--", "--examples", "50"))
    assert "Server error" in output


def test_planted_cloud_key_fails_secrets(tree: Tree) -> None:
    tree.plant("serving/config.py", f'\nAWS_ACCESS_KEY_ID = "{FAKE_KEY_ID}"\n')
    output = failed(tree.nox("-s", "secrets"))
    assert "AWS Access Key" in output
    assert "serving/config.py" in output


def test_audit_never_passes_having_audited_nothing(tree: Tree) -> None:
    tree.nox("-s", "audit")  # installs pip-audit; passes or fails with whatever network is here
    unreachable = f"http://127.0.0.1:{free_port()}"  # now advisory data cannot be fetched
    output = failed(tree.nox("--no-install", "-s", "audit", env={
        "HTTPS_PROXY": unreachable, "HTTP_PROXY": unreachable, "https_proxy": unreachable,
        "NO_PROXY": "", "no_proxy": ""}))
    assert "No known vulnerabilities found" not in output
    assert "Session audit failed" in output


def test_a_key_planted_in_a_lock_export_fails_the_lock_check(tree: Tree) -> None:
    # The secrets gate skips the exports (project.lock_exports): this is the check that covers them.
    tree.plant("requirements/test.txt", f"# AWS_ACCESS_KEY_ID={FAKE_KEY_ID}\n")
    tree.commit("a hand-edited export, as a pull request would carry it")
    output = failed(tree.nox("-s", "lock", "--", "--check"))
    assert "requirements*.txt are stale against uv.lock: run `nox -s lock`" in output
    assert FAKE_KEY_ID not in (tree.path / "requirements" / "test.txt").read_text()


def test_a_live_check_that_would_change_production_is_refused_unsent(
        tree: Tree, tmp_path: Path) -> None:
    tree.plant("tests/canary/test_planted.py", '''"""Planted: a live check that deletes."""

import pytest

from pipeline.core.httpclient import call

pytestmark = pytest.mark.live


def test_planted(service_url: str) -> None:
    """Delete something on the live deployment."""
    call(service_url, "DELETE", "/planted-resource")
''', append=False)
    with serve(tmp_path / "live.log") as live:
        output = failed(tree.nox("-s", "canary", env={"CANARY_URL": live.url}))
        log = live.log.read_text(encoding="utf-8")
    assert f"refusing DELETE /planted-resource against the live deployment {live.url}" in output
    assert "/planted-resource" not in log  # refused before a byte left
    assert '"method": "GET"' in log  # while the rest of the live checks did run
