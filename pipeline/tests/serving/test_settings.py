"""The API's own settings: declared once, validated with the stack's, read by views."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Annotated

import pytest
from flask import Blueprint, Flask, Response, jsonify
from pydantic import Field, SecretStr

from serving import create_app, server
from serving.config import ConfigError
from serving.settings import REQUIRED_IN_PRODUCTION, ApiSettings, declared

SECRET = "recognisable-secret-7f3a"  # pragma: allowlist secret
PACKAGE = "ownedapi"  # a stand-in for app/, with its settings module


class OwnSettings(ApiSettings):
    """What an owner writes in app/settings.py."""

    shop_key: Annotated[SecretStr, REQUIRED_IN_PRODUCTION] = SecretStr("")
    shop_greeting: str = "hello"
    shop_limit: int = Field(default=10, ge=1)


views = Blueprint("owned", __name__)


@views.get("/greeting")
def greeting() -> Response:
    """A view reading the owner's settings."""
    return jsonify(greeting=OwnSettings.current().shop_greeting)


@pytest.fixture(name="owned")
def owned_package(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """An API package whose `settings` module declares OwnSettings."""
    package, module = ModuleType(PACKAGE), ModuleType(f"{PACKAGE}.settings")
    package.blueprint, package.contract = views, {"paths": {}}  # type: ignore[attr-defined]
    module.Settings = OwnSettings  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, PACKAGE, package)
    monkeypatch.setitem(sys.modules, f"{PACKAGE}.settings", module)
    for name in ("SHOP_KEY", "SHOP_GREETING", "SHOP_LIMIT", "VCAP_SERVICES"):
        monkeypatch.delenv(name, raising=False)
    yield package


def vcap(**credentials: object) -> str:
    """VCAP_SERVICES as Cloud Foundry writes it for one user-provided instance."""
    return json.dumps({"user-provided": [{"name": "echo-settings", "label": "user-provided",
                                          "credentials": credentials}]})


def test_a_view_reads_the_validated_settings(owned: ModuleType) -> None:
    app = create_app({"MODE_CONFIG": "Testing", "SHOP_GREETING": "bonjour"}, api=owned)
    assert app.test_client().get("/greeting").get_json() == {"greeting": "bonjour"}


def test_current_refuses_another_class(owned: ModuleType) -> None:
    app: Flask = create_app({"MODE_CONFIG": "Testing"}, api=owned)

    class Other(ApiSettings):
        """Not the class the app serves."""

    with app.app_context(), pytest.raises(TypeError, match="serves OwnSettings, not Other"):
        Other.current()


def test_a_missing_required_secret_stops_production_in_one_line(owned: ModuleType) -> None:
    with pytest.raises(ConfigError) as refused:
        create_app({"MODE_CONFIG": "Production", "TRUSTED_HOSTS": "svc.example"}, api=owned)
    assert str(refused.value).startswith("SHOP_KEY is required in Production")
    assert "\n" not in str(refused.value)


def test_outside_production_the_secret_may_be_absent(owned: ModuleType) -> None:
    assert create_app({"MODE_CONFIG": "Development"}, api=owned)


def test_a_bad_value_is_named_and_never_repeated(owned: ModuleType) -> None:
    with pytest.raises(ConfigError, match="^SHOP_LIMIT: ") as refused:
        create_app({"MODE_CONFIG": "Testing", "SHOP_LIMIT": SECRET}, api=owned)
    assert SECRET not in str(refused.value)


def test_vcap_services_delivers_a_secret_and_the_environment_wins() -> None:
    bound = OwnSettings.from_variables({"VCAP_SERVICES": vcap(SHOP_KEY=SECRET, SHOP_LIMIT=3)},
                                       production=True)
    assert bound.shop_key.get_secret_value() == SECRET and bound.shop_limit == 3
    both = OwnSettings.from_variables({"VCAP_SERVICES": vcap(SHOP_LIMIT=3), "SHOP_LIMIT": "4"},
                                      production=False)
    assert both.shop_limit == 4
    assert SECRET not in repr(bound)  # SecretStr keeps it out of repr and logs


@pytest.mark.parametrize("raw", ["not json", "[]", '{"user-provided": [{"name": "x"}]}'])
def test_a_malformed_vcap_services_is_one_line(raw: str) -> None:
    with pytest.raises(ConfigError, match="^VCAP_SERVICES is not Cloud Foundry's JSON"):
        OwnSettings.from_variables({"VCAP_SERVICES": raw}, production=False)


def test_the_markers_are_read_from_the_declaration() -> None:
    assert OwnSettings.required_in_production() == ["shop_key"]
    assert OwnSettings.secrets() == ["SHOP_KEY"]


def test_an_api_without_settings_declares_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert declared(SimpleNamespace(blueprint=views)) is ApiSettings
    monkeypatch.setitem(sys.modules, "bareapi", ModuleType("bareapi"))
    assert declared(sys.modules["bareapi"]) is ApiSettings


def test_python_m_serving_exits_2_naming_the_missing_secret(
        owned: ModuleType, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # main validates the API's settings before it binds the port or builds the app.
    monkeypatch.setattr(server, "API_PACKAGE", owned.__name__)
    monkeypatch.setenv("MODE_CONFIG", "Production")
    monkeypatch.setenv("TRUSTED_HOSTS", "svc.example")
    assert server.main() == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert said == ["configuration error: SHOP_KEY is required in Production: set it in the "
                    "environment (a secret: docs/deploy.md)"]
