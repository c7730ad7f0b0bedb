"""The API's own settings, declared once as a typed class, validated with the stack's at start-up.

An owner declares them in app/settings.py as `class Settings(ApiSettings)`: each field is one
environment variable (its name in upper case), with a type and a default; a secret is typed
`SecretStr`, and `Annotated[..., REQUIRED_IN_PRODUCTION]` makes a field required in Production.
Views read `Settings.current()`. Values come from the environment (a git-ignored .env under it)
and, on Cloud Foundry, from the credentials of the user-provided services bound to the app
(VCAP_SERVICES), which is how `nox -s deploy` delivers secrets (docs/deploy.md). The stack's
own settings (serving/config.py) are validated by the same machinery.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Self, get_args, get_origin

from dotenv import dotenv_values
from flask import current_app
from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict)

from serving.project import API_PACKAGE

EXTENSION = "api_settings"  # where create_app keeps the validated instance


class ConfigError(ValueError):
    """A setting is missing or unsafe; the message names the variable."""


def read_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """Merge `.env` under the real environment, which always wins (12-factor)."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


class RequiredInProduction:  # pylint: disable=too-few-public-methods  # a marker, no behaviour
    """Marks a field that must be set (non-empty) when MODE_CONFIG is Production."""

    def __repr__(self) -> str:
        return "REQUIRED_IN_PRODUCTION"


REQUIRED_IN_PRODUCTION = RequiredInProduction()


class _Variables(EnvSettingsSource):
    """Environment-style variables from a given mapping, parsed as pydantic-settings parses
    os.environ (its DotEnvSettingsSource overrides the same method to read a file)."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str]) -> None:
        # An empty variable is an unset one, as the 12-factor environment means it.
        self._given = {key.lower(): value for key, value in variables.items() if value}
        super().__init__(settings_cls, case_sensitive=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._given


def vcap_credentials(variables: Mapping[str, str]) -> dict[str, str]:
    """The credentials of every user-provided service bound to the app, merged in binding order.

    Cloud Foundry puts them in VCAP_SERVICES under "user-provided" (docs-dev-guide
    deploy-apps/environment-variable.html.md.erb, "VCAP_SERVICES").
    """
    raw = variables.get("VCAP_SERVICES", "").strip()
    if not raw:
        return {}
    try:
        instances = json.loads(raw).get("user-provided", [])
        return {str(key): value if isinstance(value, str) else json.dumps(value)
                for instance in instances for key, value in instance["credentials"].items()}
    except (ValueError, AttributeError, TypeError, KeyError):
        raise ConfigError("VCAP_SERVICES is not Cloud Foundry's JSON (user-provided instances "
                          "with credentials objects)") from None


class EnvironmentSettings(BaseSettings):
    """Settings read from environment variables: unknown ones ignored, values frozen once read."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what `validated` passes: the variables it was given, never the process's own."""
        del settings_cls, env_settings, dotenv_settings, file_secret_settings
        return (init_settings,)

    @classmethod
    def validated(cls, *layers: Mapping[str, str]) -> Self:
        """Validate these variables, an earlier layer winning; one ConfigError line names the
        first bad or missing one."""
        values: dict[str, Any] = {}
        for layer in reversed(layers):
            values.update(_Variables(cls, layer)())
        try:
            return cls(**values)
        except ValidationError as error:
            # Never the input: it may be a secret.
            first = error.errors(include_input=False, include_url=False)[0]
            name = ".".join(str(part) for part in first["loc"]).upper()
            raise ConfigError(f"{name}: {first['msg']}") from None


class ApiSettings(EnvironmentSettings):
    """The base of an API's settings, which may also come from a bound service's credentials."""

    @classmethod
    def from_variables(cls, variables: Mapping[str, str], production: bool) -> Self:
        """Validate these variables, then the fields Production requires."""
        # The environment wins over a bound service, as it wins over .env (12-factor).
        settings = cls.validated(variables, vcap_credentials(variables))
        if production:
            for name in settings.required_in_production():
                if not _present(getattr(settings, name)):
                    raise ConfigError(f"{name.upper()} is required in Production: set it in the "
                                      "environment (a secret: docs/deploy.md)")
        return settings

    @classmethod
    def required_in_production(cls) -> list[str]:
        """The fields marked REQUIRED_IN_PRODUCTION."""
        return [name for name, field in cls.model_fields.items()
                if any(isinstance(mark, RequiredInProduction) for mark in field.metadata)]

    @classmethod
    def secrets(cls) -> list[str]:
        """The environment names of the fields typed SecretStr (optional or not)."""
        return [name.upper() for name, field in cls.model_fields.items() if _secret(field)]

    @classmethod
    def current(cls) -> Self:
        """The validated settings of the app handling this request (or in an app context)."""
        settings = current_app.extensions[EXTENSION]
        if not isinstance(settings, cls):
            raise TypeError(f"the app serves {type(settings).__name__}, not {cls.__name__}")
        return settings


def _present(value: object) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value is not None and value != ""


def _secret(field: FieldInfo) -> bool:
    kinds = get_args(field.annotation) if get_origin(field.annotation) else (field.annotation,)
    return SecretStr in kinds


def declared(api: object) -> type[ApiSettings]:
    """The API's settings class: `Settings` in its package's settings module, else none."""
    package = getattr(api, "__name__", None)
    if not isinstance(package, str):
        return ApiSettings
    try:
        module = importlib.import_module(f"{package}.settings")
    except ModuleNotFoundError as missing:
        if missing.name == f"{package}.settings":
            return ApiSettings
        raise
    found = getattr(module, "Settings", None)
    if not (isinstance(found, type) and issubclass(found, ApiSettings)):
        raise ConfigError(f"{package}/settings.py must define `class Settings(ApiSettings)`")
    return found


def main() -> int:
    """`python -m serving.settings`: the API's setting names, one per line, secrets marked."""
    settings = declared(importlib.import_module(API_PACKAGE))
    secret = set(settings.secrets())
    for name in settings.model_fields:
        print(name.upper(), "secret" if name.upper() in secret else "plain")
    return 0


if __name__ == "__main__":
    # Run with -m this file is __main__, a copy: the API's class derives from the ApiSettings of
    # the module serving.settings, so that module's main must answer.
    sys.exit(importlib.import_module("serving.settings").main())


__all__ = ["REQUIRED_IN_PRODUCTION", "Annotated", "ApiSettings", "SecretStr"]
