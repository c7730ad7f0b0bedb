"""The API's secrets through the stages: `nox -s deploy` against the cf double (a user-provided
service instance created, then updated, bound in the manifest), fuzz and load with the
credential; a recognisable value in no argv and no output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.core.service import serve
from pipeline.deploy.settings import app_name
from pipeline.tests.support.double import (
    BASE, calls, deploy, fake_cf, no_secret_leaked, targeted)
from pipeline.tests.support.tree import Tree, failed, passed

SECRET = "Recognisable-owner-secret-93ac"  # pragma: allowlist secret
NAME = app_name()
INSTANCE = f"{NAME}-settings"
OLD = {**BASE, "FAKE_CF_CLI_VERSION": "8.7.11"}  # the rolling path: the shortest with a push
SETTINGS = '''

# Planted: an owner's secrets, one required and one optional, beside any the API declares.
from typing import Annotated as _Annotated

from serving.settings import REQUIRED_IN_PRODUCTION as _REQUIRED
from serving.settings import ApiSettings as _ApiSettings
from serving.settings import SecretStr as _SecretStr


class Settings(globals().get("Settings", _ApiSettings)):
    """One required secret, one optional."""

    shop_key: _Annotated[_SecretStr, _REQUIRED] = _SecretStr("")
    shop_token: _SecretStr | None = None
'''


CREDENTIAL = """
[credential]
header = "X-Shop-Key"
setting = "SHOP_KEY"
"""


def owned(tree: Tree) -> Tree:
    """The tree with an API that declares secrets, one of them the credential of its writes."""
    tree.plant("app/settings.py", SETTINGS)
    probes = tree.path / "tests/probes.toml"
    # A service may declare a credential of its own already: the planted one replaces it.
    kept = re.sub(r"(?ms)^\[credential\]\n.*?(?=^\[|\Z)", "", probes.read_text(encoding="utf-8"))
    tree.plant("tests/probes.toml", kept + CREDENTIAL, append=False)
    return tree


def state(cf_log: Path) -> dict[str, object]:
    """What the double's Cloud Controller keeps (the credentials are there, as on a platform)."""
    return dict(json.loads(Path(f"{cf_log}.state.json").read_text(encoding="utf-8")))


def planted(cf_log: Path) -> dict[str, Any]:
    """The planted API's credentials in the user-provided instance (a service's own beside)."""
    instances: Any = state(cf_log)["service_instances"]
    assert instances[INSTANCE]["type"] == "user-provided"
    return {key: value for key, value in instances[INSTANCE]["credentials"].items()
            if key.startswith("SHOP_")}


def test_the_first_deploy_creates_the_instance_the_manifest_binds(
        tree: Tree, tmp_path: Path) -> None:
    cf_log = tmp_path / "cf.jsonl"
    with serve(tmp_path / "live.log") as live:
        output = passed(deploy(owned(tree), cf_log, **OLD, CANARY_URL=live.url,
                               APP_SECRETS=json.dumps({"SHOP_KEY": SECRET})))
    recorded = calls(cf_log)
    verbs = [call["argv"][0] for call in recorded]
    assert verbs.index("update-user-provided-service") + 1 == \
        verbs.index("create-user-provided-service") < verbs.index("push")
    assert planted(cf_log) == {"SHOP_KEY": SECRET}
    pushed = next(call for call in recorded if call["argv"][0] == "push")
    assert f"services:\n      - {INSTANCE}\n" in pushed["manifest"]
    assert SECRET not in pushed["manifest"]
    no_secret_leaked(recorded, output)
    for call in recorded:
        assert SECRET not in " ".join(call["argv"])
    assert SECRET not in output
    credentials_file = Path(next(c for c in recorded if c["argv"][0].startswith("create"))
                            ["argv"][-1])
    assert not credentials_file.exists()


def test_a_later_deploy_updates_the_credentials(tree: Tree, tmp_path: Path) -> None:
    cf_log = tmp_path / "cf.jsonl"
    with serve(tmp_path / "live.log") as live:
        output = passed(deploy(owned(tree), cf_log, **OLD, CANARY_URL=live.url,
                               FAKE_CF_SERVICE=INSTANCE, SHOP_KEY=SECRET,
                               SHOP_TOKEN=SECRET + "-token"))
    verbs = [call["argv"][0] for call in calls(cf_log)]
    assert "create-user-provided-service" not in verbs
    assert planted(cf_log) == {"SHOP_KEY": SECRET, "SHOP_TOKEN": SECRET + "-token"}
    assert SECRET not in output


def test_a_missing_required_secret_is_one_line_before_any_cf_call(
        tree: Tree, tmp_path: Path) -> None:
    cf_log = tmp_path / "cf.jsonl"
    output = failed(deploy(owned(tree), cf_log, **OLD))
    assert ("deploy failed: SHOP_KEY required in Production but not set: give it in the "
            "environment or in APP_SECRETS (docs/deploy.md)") in output
    assert "Traceback" not in output
    assert calls(cf_log) == []


def test_fuzz_and_load_send_the_credential_and_never_show_it(tree: Tree) -> None:
    owned(tree)
    fuzzed = passed(tree.nox("-s", "fuzz", "--", "--examples", "3", "--phases",
                             "examples,coverage", env={"SHOP_KEY": SECRET}))
    config = tree.path / "build" / "fuzz" / "schemathesis.toml"
    assert '"X-Shop-Key" = "${SHOP_KEY}"' in config.read_text(encoding="utf-8")
    assert "writes answered 2xx" in fuzzed
    loaded = passed(tree.nox("-s", "load", "--", "--requests", "200", "--concurrency", "4",
                             "--slow-clients", "2",
                             env={"SHOP_KEY": SECRET}))
    for output in (fuzzed, loaded):
        assert SECRET not in output


def test_the_double_refuses_as_cf_does_before_it_keeps_anything(tmp_path: Path) -> None:
    """Error paths first, each as cli v8.18.4 says it (command/flag/credentials_or_json.go,
    command/v7/*_user_provided_service_command.go)."""
    log = tmp_path / "cf.jsonl"
    untargeted = fake_cf(log, "create-user-provided-service", INSTANCE, "-p", "{}")
    assert untargeted.returncode == 1
    assert "No space targeted" in untargeted.stderr
    env = targeted(log)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    invalid = fake_cf(log, "create-user-provided-service", INSTANCE, "-p", str(broken), **env)
    assert invalid.returncode == 1 and f"The file '{broken}' contains invalid JSON" in \
        invalid.stderr
    prompted = fake_cf(log, "create-user-provided-service", INSTANCE, "-p", "SHOP_KEY", **env)
    assert prompted.returncode == 1 and "SHOP_KEY: EOF" in prompted.stderr  # no TTY to prompt
    missing = fake_cf(log, "update-user-provided-service", INSTANCE, "-p", "{}", **env)
    assert missing.returncode == 1
    assert f"Service instance '{INSTANCE}' not found" in missing.stderr
    nothing = fake_cf(log, "update-user-provided-service", INSTANCE, **env)
    assert nothing.ok and "No flags specified. No changes were made." in nothing.stdout
    assert "service_instances" not in state(log) or state(log)["service_instances"] == {}


def test_the_double_keeps_created_credentials_until_an_update_replaces_them(
        tmp_path: Path) -> None:
    log = tmp_path / "cf.jsonl"
    env = targeted(log)
    first = tmp_path / "first.json"
    first.write_text('{"SHOP_KEY": "one"}', encoding="utf-8")
    assert fake_cf(log, "create-user-provided-service", INSTANCE, "-p", str(first), **env).ok
    again = fake_cf(log, "create-user-provided-service", INSTANCE, "-p", '{"SHOP_KEY": "two"}',
                    **env)
    assert again.ok and f"Service instance {INSTANCE} already exists" in again.stdout
    assert state(log)["service_instances"] == {
        INSTANCE: {"type": "user-provided", "credentials": {"SHOP_KEY": "one"}}}
    updated = fake_cf(log, "update-user-provided-service", INSTANCE, "-p", '{"OTHER": "x"}',
                      **env)
    assert updated.ok and "TIP: Use 'cf restage'" in updated.stdout
    assert state(log)["service_instances"] == {  # replaced whole, not merged
        INSTANCE: {"type": "user-provided", "credentials": {"OTHER": "x"}}}
