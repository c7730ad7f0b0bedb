"""The dynamic gates bite: fuzzing finds a planted crash, the secrets gate a planted key."""

from __future__ import annotations

from pipeline.core.service import free_port
from pipeline.tests.support.tree import Tree, failed

# An AWS-shaped access key id, built so this file itself holds no literal one.
FAKE_KEY_ID = "AKIA" + "Q3EGRZ7PLANTED01"


def test_fuzzing_finds_a_crash_on_input_the_contract_allows(tree: Tree) -> None:
    # Every operation documents an X-Request-ID header of any string, so the planted crash is
    # on input the contract allows, whatever the API.
    tree.plant("serving/security.py", '''

_original_check_request = check_request


def check_request() -> None:  # noqa: F811
    """Planted: crash on request ids longer than 8 characters, which the contract allows."""
    if len(request.headers.get("X-Request-ID", "")) > 8:
        raise RuntimeError("planted")
    _original_check_request()
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
