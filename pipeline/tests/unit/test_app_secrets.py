"""The API's secrets reach Cloud Foundry as a user-provided service instance, never in argv."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from pipeline.core import cmd
from pipeline.deploy import app_secrets, rollout
from pipeline.deploy.settings import DeployError
from pipeline.tests.support.foundry import ENV, NAME, foundry, recorder
from pipeline.tests.support.foundry import deploy as run_stage
from pipeline.tests.support.recorder import Recorder

SECRET = "shop-key-Recognisable-4d2c"  # pragma: allowlist secret
INSTANCE = f"{NAME}-settings"
NOT_FOUND = (1, "FAILED\n", f"Service instance '{INSTANCE}' not found\n")


@pytest.fixture(autouse=True)
def shop_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """An API declaring SHOP_KEY (required in Production) and SHOP_TOKEN (optional)."""
    monkeypatch.setattr(app_secrets, "declared", lambda: (["SHOP_KEY", "SHOP_TOKEN"],
                                                          ["SHOP_KEY"]))


def test_each_secret_comes_from_its_variable_else_from_app_secrets() -> None:
    env = {"SHOP_KEY": "direct", "APP_SECRETS": json.dumps({"SHOP_KEY": "x", "SHOP_TOKEN": "t"})}
    assert app_secrets.values(env, ["SHOP_KEY", "SHOP_TOKEN"], ["SHOP_KEY"]) == {
        "SHOP_KEY": "direct", "SHOP_TOKEN": "t"}


@pytest.mark.parametrize("raw", ["{", "[]", '{"SHOP_KEY": 5}'])
def test_app_secrets_must_be_a_json_object_of_strings(raw: str) -> None:
    with pytest.raises(DeployError, match="^APP_SECRETS must be a JSON object of strings"):
        app_secrets.values({"APP_SECRETS": raw}, ["SHOP_KEY"], [])


def test_a_missing_required_secret_stops_before_any_cf_call() -> None:
    run = run_stage(foundry(), env=ENV)
    assert run.outcome.startswith("ERROR SHOP_KEY required in Production but not set")
    assert not run.record.argvs()


Calls = tuple[list[list[str]], list[str], list[int], str]


def calls_with_files(env: dict[str, str], **changes: object) -> Calls:
    """Deploy; return argvs, what each -p file held when cf read it, its mode, the outcome."""
    held: list[str] = []
    modes: list[int] = []
    scripted = recorder(foundry(**changes))  # type: ignore[arg-type]

    def reading(command: cmd.Command) -> tuple[int, str, str]:
        if "-p" in command.argv:
            path = Path(command.argv[command.argv.index("-p") + 1])
            held.append(path.read_text(encoding="utf-8"))
            modes.append(stat.S_IMODE(path.stat().st_mode))
        return scripted.answer(command)

    record = Recorder(reading)
    with cmd.using(record):
        try:
            outcome = rollout.run(env=env, report_to=Path("/dev/null"))
        except DeployError as error:
            outcome = f"ERROR {error}"
    return record.argvs(), held, modes, outcome


def test_the_instance_is_updated_from_a_private_file_that_is_then_removed() -> None:
    argvs, held, modes, _ = calls_with_files({**ENV, "SHOP_KEY": SECRET})
    update = next(argv for argv in argvs if argv[1] == "update-user-provided-service")
    assert update[2:4] == [INSTANCE, "-p"]
    assert json.loads(held[0]) == {"SHOP_KEY": SECRET}
    assert modes == [0o600]
    assert not Path(update[4]).exists()
    assert not any(SECRET in " ".join(argv) for argv in argvs)
    assert "create-user-provided-service" not in [argv[1] for argv in argvs]


def test_a_first_deploy_creates_the_instance_when_cf_says_not_found() -> None:
    argvs, held, _, _ = calls_with_files({**ENV, "SHOP_KEY": SECRET},
                                         **{"update-user-provided-service": NOT_FOUND})
    verbs = [argv[1] for argv in argvs]
    assert verbs.index("create-user-provided-service") == \
        verbs.index("update-user-provided-service") + 1 < verbs.index("push")
    assert [json.loads(text) for text in held] == [{"SHOP_KEY": SECRET}] * 2


def test_any_other_update_failure_stops_before_pushing() -> None:
    argvs, _, _, outcome = calls_with_files(
        {**ENV, "SHOP_KEY": SECRET}, **{"update-user-provided-service": (
            1, "FAILED\n", f"The service instance '{INSTANCE}' is not user-provided\n")})
    assert "push" not in [argv[1] for argv in argvs]
    assert outcome == (f"ERROR cf update-user-provided-service {INSTANCE} failed: The service "
                       f"instance '{INSTANCE}' is not user-provided")


def test_the_dry_run_names_the_secrets_and_shows_no_value() -> None:
    text = rollout.dry_run({**ENV, "SHOP_KEY": SECRET, "SHOP_TOKEN": SECRET + "2"})
    assert f"cf update-user-provided-service {INSTANCE} -p FILE" in text
    assert "then the API's secrets (SHOP_KEY, SHOP_TOKEN)" in text
    assert SECRET not in text
